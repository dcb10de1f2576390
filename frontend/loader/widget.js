/*
 * Contact-request widget loader. A site embeds it with one tag:
 *   <script src="https://SERVER/widget.js" data-site="SITE_KEY" async></script>
 * It reads the tag's data-* attributes, puts a host element with a Shadow DOM on the page (so the page's
 * styles and the widget's never meet) and draws the launcher (or the inline placeholder) with what this
 * file carries: the facade's stylesheet, applied as a constructable stylesheet (no request, and nothing a
 * strict CSP refuses), and the default locale's few facade strings (another locale's are fetched first).
 * The form (WebAssembly), its stylesheet (which also draws the panel) and its locale are fetched together
 * only when it is opened (or when the page is idle, with data-preload). It defines
 * window.ContactRequestWidget.
 * The server writes the build over __CRW_ASSETS__, as [glue, wasm, css, locales, facade css, facade
 * strings]: each asset [path, integrity], locales {tag: asset}, the strings {launcher, title, ...} of the
 * default locale; each asset is fetched with its hash pinned, so a changed file is refused, not run.
 */
(function (w, d) {
  var A = __CRW_ASSETS__;
  var base = d.currentScript && d.currentScript.src;
  var me = w.ContactRequestWidget;
  var sheet;
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
      if (!module) {
        // The wasm is requested with the glue, not after it.
        var wasm = fetch(url(A[1][0]), { integrity: A[1][1] });
        // The glue is preloaded with its SRI hash; import() takes the checked module from the module map
        // instead of fetching it again. A failed check fails the preload, so nothing unchecked runs.
        module = loaded(link("modulepreload", A[0], nonce), d.head).then(function () {
          return import(url(A[0][0]));
        }).then(function (m) {
          return m.default({ module_or_path: wasm }).then(function () { return m; });
        });
      }
      return module;
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
      // One stylesheet object for every widget of the page.
      if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(A[4]);
      root.adoptedStyleSheets = [sheet];
      var box = el("div", "crw-root crw-" + theme + " crw-" + position);
      if (accent) box.style.setProperty("--crw-accent", accent);
      root.append(box);
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
      if (locale == "en") draw(A[5]);
      else texts().then(draw, failed);

      // The locale's strings, for the form (and for the facade, but for the default locale's it carries).
      function texts() {
        return x.texts || (x.texts = fetch(url(locales[locale][0]), { integrity: locales[locale][1] })
          .then(function (r) { return r.json(); }));
      }

      // The form's three parts, requested at once: the module, the locale, the stylesheet (in this shadow
      // root, with the tag's nonce).
      function fetched() {
        return x.fetched || (x.fetched = Promise.all([
          load(nonce),
          texts(),
          loaded(link("stylesheet", A[2], nonce), root)
        ]));
      }

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
          start().then(focusForm, Object);
        };
        x.hide = function (user) {
          if (panel.hidden) return;
          panel.hidden = true;
          button.setAttribute("aria-expanded", "false");
          if (user) button.focus();
          emit("close");
        };
        if (data.preload != null && data.preload != "false") {
          (w.requestIdleCallback || setTimeout)(function () { fetched().catch(Object); });
        }
        if (wantOpen) x.show();

        function start() {
          return x.started || (x.started = fetched().then(function (r) {
            var target = el("div");
            // The widget reads site, reasons, channel and identityToken from the tag's dataset itself.
            r[0].mount(target, new URL(base).origin, r[1], data, emit);
            body.replaceChildren(target);
            x.prefill = function () { target.dispatchEvent(new CustomEvent("crw-prefill", { detail: values })); };
            x.prefill();
          }, function (e) {
            x.started = x.fetched = x.texts = null;
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

  // `l` added to `parent`, as a promise of its load.
  function loaded(l, parent) {
    return new Promise(function (ok, ko) {
      l.onload = ok;
      l.onerror = ko;
      parent.append(l);
    });
  }
  // A URL object: `fetch`, `import()` and `href` take it as its text.
  function url(path) { return new URL(path, base); }
  function el(tag, cls) {
    var e = d.createElement(tag);
    if (cls) e.className = cls;
    return e;
  }
})(window, document);
