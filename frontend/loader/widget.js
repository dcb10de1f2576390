/*
 * Contact-request widget loader. A site embeds it with one tag:
 *   <script src="https://SERVER/widget.js" data-site="SITE_KEY" async></script>
 * It reads the tag's data-* attributes, puts a host element with a Shadow DOM on the page (so the page's
 * styles and the widget's never meet), draws the launcher, and fetches the WebAssembly form only when it
 * is opened (or when the page is idle, with data-preload). It defines window.ContactRequestWidget.
 * The server writes the build's content-hashed asset names and their SRI hashes over __CRW_ASSETS__;
 * each asset is fetched with its hash pinned, so a changed file is refused, not run.
 */
(function (w, d) {
  "use strict";
  var A = __CRW_ASSETS__;
  var base = d.currentScript && d.currentScript.src;
  var me = w.ContactRequestWidget;
  if (!me || !me._add) {
    var queued = me;
    me = w.ContactRequestWidget = api();
    // A page may queue calls before this file runs: `(window.ContactRequestWidget ||= []).push(["open"])`.
    if (queued && queued.forEach) queued.forEach(function (c) { me[c[0]].apply(me, c.slice(1)); });
  }
  if (d.currentScript) me._add(d.currentScript);

  function api() {
    var all = [], on = {}, values = {}, wantOpen = false, module;
    // Each handler in its own task, so one that throws does not stop the others or the widget.
    var fire = function (type, detail) {
      (on[type] || []).forEach(function (f) { setTimeout(f, 0, detail); });
    };
    var warn = function (name, value) {
      console.warn("ContactRequestWidget: ignoring data-" + name + "=" + value);
    };
    var launchers = function (f) {
      all.forEach(function (x) { if (x.launcher) f(x); });
    };
    var load = function (nonce) {
      return module || (module = new Promise(function (ok, ko) {
        // The glue is preloaded with its SRI hash; import() then takes the checked module from the module
        // map instead of fetching it again. A failed check fails the preload, so nothing unchecked runs.
        var l = link("modulepreload", A.glue, nonce);
        l.onload = ok;
        l.onerror = ko;
        d.head.appendChild(l);
      }).then(function () {
        return import(url(A.glue[0]));
      }).then(function (m) {
        return m.default({ module_or_path: fetch(url(A.wasm[0]), { integrity: A.wasm[1] }) }).then(function () {
          return m;
        });
      }));
    };
    var me = {
      open: function () { wantOpen = true; launchers(show); },
      close: function () { wantOpen = false; launchers(hide); },
      prefill: function (v) {
        for (var k in v) values[k] = v[k];
        all.forEach(function (x) { x.prefill(); });
      },
      // The signed-in visitor's token travels with the prefilled values, to widgets mounted now and later.
      identify: function (t) { me.prefill({ identity_token: t }); },
      on: function (type, f) { (on[type] = on[type] || []).push(f); return me; },
      _add: add
    };
    return me;

    function add(s) {
      var data = s.dataset;
      var mode = pick("mode", ["launcher", "inline"]);
      var key = [data.site, mode, data.target].join("|");
      for (var i = 0; i < all.length; i++) {
        // The same embed again (a single-page app re-rendering its layout): keep the one there is.
        if (all[i].key === key) {
          if (!all[i].host.isConnected) place(all[i].host);
          return;
        }
      }
      var nonce = s.nonce;
      var theme = pick("theme", ["light", "dark", "auto"]);
      var position = pick("position", ["bottom-right", "bottom-left"]);
      var accent = data.accent;
      if (accent && !CSS.supports("color", accent)) { warn("accent", accent); accent = ""; }
      var locale = (data.locale || "en").toLowerCase();
      if (!A.locales[locale]) locale = locale.split("-")[0];
      if (!A.locales[locale]) { if (data.locale) warn("locale", data.locale); locale = "en"; }

      var host = el("div");
      host.setAttribute("data-crw-host", mode);
      var root = host.attachShadow({ mode: "open" });
      var css = link("stylesheet", A.css, nonce);
      var box = el("div", "crw-root crw-" + theme + " crw-" + position);
      box.hidden = true;
      css.onload = function () { box.hidden = false; };
      if (accent) box.style.setProperty("--crw-accent", accent);
      root.append(css, box);
      var body = el("div", "crw-body");
      var x = { key: key, host: host, launcher: mode == "launcher", prefill: Object };
      all.push(x);
      place(host);

      fetch(url(A.locales[locale][0]), { integrity: A.locales[locale][1] })
        .then(function (r) { return r.json(); })
        .then(draw, failed);

      function draw(t) {
        body.textContent = t.loading;
        if (!x.launcher) {
          box.append(body);
          return start();
        }
        var id = "crw-panel";
        var button = el("button", "crw-launch");
        button.type = "button";
        button.textContent = t.launcher;
        button.setAttribute("aria-expanded", "false");
        button.setAttribute("aria-controls", id);
        var panel = el("div", "crw-panel");
        panel.id = id;
        panel.hidden = true;
        panel.setAttribute("role", "dialog");
        panel.setAttribute("aria-label", t.title);
        var head = el("div", "crw-head");
        var title = el("h2");
        title.textContent = t.title;
        var close = el("button", "crw-close");
        close.type = "button";
        close.textContent = "×";
        close.setAttribute("aria-label", t.close);
        head.append(title, close);
        panel.append(head, body);
        box.append(button, panel);
        button.onclick = function () { (panel.hidden ? show : hide)(x, true); };
        close.onclick = function () { hide(x, true); };
        panel.onkeydown = function (e) { if (e.key === "Escape") hide(x, true); };
        x.show = function () {
          if (!panel.hidden) return;
          panel.hidden = false;
          button.setAttribute("aria-expanded", "true");
          fire("open", { mode: mode });
          start().then(focusForm, function () {});
          if (!x.mounted) close.focus();
        };
        x.hide = function (user) {
          if (panel.hidden) return;
          panel.hidden = true;
          button.setAttribute("aria-expanded", "false");
          if (user) button.focus();
          fire("close", { mode: mode });
        };
        if (data.preload != null && data.preload != "false") {
          (w.requestIdleCallback || setTimeout)(function () { load(nonce).catch(Object); });
        }
        if (wantOpen) show(x);

        function start() {
          return x.started || (x.started = load(nonce).then(function (m) {
            var target = el("div");
            // The widget reads site, reasons, channel and identityToken from the tag's dataset itself.
            m.mount(target, new URL(base).origin, t, data, function (type, detail) {
              detail.mode = mode;
              fire(type, detail);
            });
            body.replaceChildren(target);
            x.mounted = true;
            x.prefill = function () { target.dispatchEvent(new CustomEvent("crw-prefill", { detail: values })); };
            x.prefill();
          }, function (e) {
            x.started = null;
            body.textContent = t.load_failed;
            failed(e);
            throw e;
          }));
        }
        function focusForm() {
          var first = body.querySelector("select,input,textarea");
          if (first && !panel.hidden) first.focus();
        }
      }

      function failed(e) {
        console.error(e);
        fire("error", { mode: mode, message: "" + e });
      }

      function place(h) {
        var target = null;
        if (data.target) {
          try { target = d.querySelector(data.target); } catch (e) { /* reported below */ }
          if (!target) warn("target", data.target);
        }
        if (target) target.appendChild(h);
        else if (mode === "launcher" || !s.parentNode) d.body.appendChild(h);
        else s.parentNode.insertBefore(h, s.nextSibling);
      }

      function pick(name, allowed) {
        var v = data[name];
        if (v && allowed.indexOf(v) < 0) warn(name, v);
        return allowed.indexOf(v) < 0 ? allowed[0] : v;
      }
    }

    function show(x) { if (x.show) x.show(); }
    function link(rel, asset, nonce) {
      var l = el("link");
      l.rel = rel;
      l.href = url(asset[0]);
      l.integrity = asset[1];
      l.crossOrigin = "anonymous";
      if (nonce) l.nonce = nonce;
      return l;
    }
    function hide(x, user) { if (x.hide) x.hide(user); }
  }

  function url(path) { return new URL(path, base).href; }
  function el(tag, cls) {
    var e = d.createElement(tag);
    if (cls) e.className = cls;
    return e;
  }
})(window, document);
