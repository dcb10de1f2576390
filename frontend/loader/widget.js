/*
 * Contact-request widget loader. A site embeds it with one tag:
 *   <script src="https://SERVER/widget.js" data-site="SITE_KEY" async></script>
 * It reads the tag's data-* attributes, puts a host element with a Shadow DOM on the page (so the page's
 * styles and the widget's never meet), draws the launcher, and fetches the WebAssembly form only when it
 * is opened (or when the page is idle, with data-preload). It defines window.ContactRequestWidget.
 * The server writes the build's content-hashed asset names and their SRI hashes over __CRW_ASSETS__, as
 * [glue, wasm, css, locales], each asset [path, integrity] and locales {tag: asset}; each asset is
 * fetched with its hash pinned, so a changed file is refused, not run.
 */
(function (w, d) {
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
    // Calls method `f` of every widget on the page (an inline one's show and hide do nothing).
    var each = function (f) {
      all.forEach(function (x) { x[f](); });
    };
    var load = function (nonce) {
      return module || (module = new Promise(function (ok, ko) {
        // The glue is preloaded with its SRI hash; import() then takes the checked module from the module
        // map instead of fetching it again. A failed check fails the preload, so nothing unchecked runs.
        var l = link("modulepreload", A[0], nonce);
        l.onload = ok;
        l.onerror = ko;
        d.head.appendChild(l);
      }).then(function () {
        return import(url(A[0][0]));
      }).then(function (m) {
        return m.default({ module_or_path: fetch(url(A[1][0]), { integrity: A[1][1] }) }).then(function () {
          return m;
        });
      }));
    };
    var me = {
      open: function () { wantOpen = true; each("show"); },
      close: function () { wantOpen = false; each("hide"); },
      prefill: function (v) {
        for (var k in v) values[k] = v[k];
        each("prefill");
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
      var locales = A[3];
      if (!locales[locale]) locale = locale.split("-")[0];
      if (!locales[locale]) { if (data.locale) warn("locale", data.locale); locale = "en"; }

      var host = el("div");
      host.dataset.crwHost = mode;
      var root = host.attachShadow({ mode: "open" });
      var css = link("stylesheet", A[2], nonce);
      var box = el("div", "crw-root crw-" + theme + " crw-" + position);
      box.hidden = true;
      css.onload = function () { box.hidden = false; };
      if (accent) box.style.setProperty("--crw-accent", accent);
      root.append(css, box);
      var body = el("div", "crw-body");
      var x = { key: key, host: host, launcher: mode == "launcher" };
      // Until its form is drawn (and for good, an inline one's show and hide), these do nothing.
      x.prefill = x.show = x.hide = Object;
      // Every event this widget reports says which kind of widget it is.
      var emit = function (type, detail) {
        detail = detail || {};
        detail.mode = mode;
        fire(type, detail);
      };
      all.push(x);
      place(host);

      locale = locales[locale];
      fetch(url(locale[0]), { integrity: locale[1] })
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
        button.onclick = function () { panel.hidden ? x.show() : x.hide(true); };
        close.onclick = function () { x.hide(true); };
        panel.onkeydown = function (e) { if (e.key === "Escape") x.hide(true); };
        x.show = function () {
          if (!panel.hidden) return;
          panel.hidden = false;
          button.setAttribute("aria-expanded", "true");
          emit("open");
          start().then(focusForm, function () {});
          if (!x.mounted) close.focus();
        };
        x.hide = function (user) {
          if (panel.hidden) return;
          panel.hidden = true;
          button.setAttribute("aria-expanded", "false");
          if (user) button.focus();
          emit("close");
        };
        if (data.preload != null && data.preload != "false") {
          (w.requestIdleCallback || setTimeout)(function () { load(nonce).catch(Object); });
        }
        if (wantOpen) x.show();

        function start() {
          return x.started || (x.started = load(nonce).then(function (m) {
            var target = el("div");
            // The widget reads site, reasons, channel and identityToken from the tag's dataset itself.
            m.mount(target, new URL(base).origin, t, data, emit);
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
        emit("error", { message: "" + e });
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
        if (allowed.indexOf(v) < 0) {
          if (v) warn(name, v);
          v = allowed[0];
        }
        return v;
      }
    }

    function link(rel, asset, nonce) {
      var l = el("link");
      l.rel = rel;
      l.href = url(asset[0]);
      l.integrity = asset[1];
      l.crossOrigin = "anonymous";
      if (nonce) l.nonce = nonce;
      return l;
    }
  }

  // A URL object: `fetch`, `import()` and `href` take it as its text.
  function url(path) { return new URL(path, base); }
  function el(tag, cls) {
    var e = d.createElement(tag);
    if (cls) e.className = cls;
    return e;
  }
})(window, document);
