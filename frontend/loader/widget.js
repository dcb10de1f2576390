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
 * Every byte here is paid by every page of every site (2 KB brotli, as served): the code is written for
 * its minified, compressed size, and builds its elements rather than parsing markup, so that a page's
 * Trusted Types policy cannot refuse them.
 */
((w, d, s) => {
  const A = __CRW_ASSETS__;
  const base = s && s.src;
  let me = w.ContactRequestWidget;
  let sheet;
  const url = (path) => new URL(path, base);
  // An element with its class, text and attributes.
  const el = (tag, cls, text, attrs) => {
    const e = d.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  };
  // `l` added to `parent`, as a promise of its load.
  const loaded = (l, parent) =>
    new Promise((ok, ko) => {
      l.onload = ok;
      l.onerror = ko;
      parent.append(l);
    });
  const link = (rel, asset, nonce, parent) => {
    const l = el("link");
    Object.assign(l, { rel, href: url(asset[0]), integrity: asset[1], crossOrigin: "anonymous", nonce });
    return loaded(l, parent);
  };

  if (!me || !me._add) {
    const queued = me;
    me = w.ContactRequestWidget = api();
    // A page may queue calls before this file runs: `(window.ContactRequestWidget ||= []).push(["open"])`.
    if (queued && queued.forEach) queued.forEach((c) => me[c[0]](...c.slice(1)));
  }
  if (s) me._add(s);

  function api() {
    const all = [];
    const on = {};
    const values = {};
    let wantOpen;
    let module;
    // Each handler in its own task, so one that throws does not stop the others or the widget.
    const fire = (type, detail) => (on[type] || []).forEach((f) => setTimeout(f, 0, detail));
    const warn = (name, value) => console.warn(`ContactRequestWidget: ignoring data-${name}=${value}`);
    // Calls method `f` of every widget on the page (an inline one's show and hide do nothing).
    const each = (f) => all.forEach((x) => x[f]());
    const load = (nonce) => {
      if (!module) {
        // The wasm is requested with the glue, not after it.
        const wasm = fetch(url(A[1][0]), { integrity: A[1][1] });
        // The glue is preloaded with its SRI hash; import() takes the checked module from the module map
        // instead of fetching it again. A failed check fails the preload, so nothing unchecked runs.
        module = link("modulepreload", A[0], nonce, d.head)
          .then(() => import(url(A[0][0])))
          .then((m) => m.default({ module_or_path: wasm }).then(() => m));
      }
      return module;
    };
    const me = {
      open: () => {
        wantOpen = 1;
        each("show");
      },
      close: () => {
        wantOpen = 0;
        each("hide");
      },
      prefill: (v) => {
        Object.assign(values, v);
        each("prefill");
      },
      // The signed-in visitor's token travels with the prefilled values, to widgets mounted now and later.
      identify: (t) => me.prefill({ identity_token: t }),
      on: (type, f) => {
        (on[type] = on[type] || []).push(f);
        return me;
      },
      _add: (s) => {
        const data = s.dataset;
        const pick = (name, allowed) => {
          let v = data[name];
          if (!allowed.includes(v)) {
            if (v) warn(name, v);
            v = allowed[0];
          }
          return v;
        };
        const place = (h) => {
          let target;
          if (data.target) {
            try {
              target = d.querySelector(data.target);
            } catch (e) {
              /* reported below */
            }
            if (!target) warn("target", data.target);
          }
          if (target) target.append(h);
          else if (launcher || !s.parentNode) d.body.append(h);
          else s.after(h);
        };
        const mode = pick("mode", ["launcher", "inline"]);
        const launcher = mode == "launcher";
        const key = [data.site, mode, data.target].join("|");
        // The same embed again (a single-page app re-rendering its layout): keep the one there is.
        const same = all.find((x) => x.key == key);
        if (same) {
          if (!same.host.isConnected) place(same.host);
          return;
        }
        const nonce = s.nonce;
        const theme = pick("theme", ["light", "dark", "auto"]);
        const position = pick("position", ["bottom-right", "bottom-left"]);
        let accent = data.accent;
        if (accent && !CSS.supports("color", accent)) {
          warn("accent", accent);
          accent = "";
        }
        const locales = A[3];
        let locale = (data.locale || "en").toLowerCase();
        if (!locales[locale]) locale = locale.split("-")[0];
        if (!locales[locale]) {
          if (data.locale) warn("locale", data.locale);
          locale = "en";
        }

        const host = el("div");
        host.dataset.crwHost = mode;
        const root = host.attachShadow({ mode: "open" });
        // One stylesheet object for every widget of the page.
        if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(A[4]);
        root.adoptedStyleSheets = [sheet];
        const box = el("div", `crw-root crw-${theme} crw-${position}`);
        if (accent) box.style.setProperty("--crw-accent", accent);
        root.append(box);
        const body = el("div", "crw-body");
        // Until its form is drawn (and for good, an inline one's show and hide), these do nothing.
        const x = { key, host, prefill: Object, show: Object, hide: Object };
        // Every event this widget reports says which kind of widget it is.
        const emit = (type, detail = {}) => {
          detail.mode = mode;
          fire(type, detail);
        };
        const failed = (e) => {
          console.error(e);
          emit("error", { message: "" + e });
        };
        // The locale's strings, for the form (and for the facade, but for the default locale's it carries).
        const texts = () =>
          (x.texts = x.texts || fetch(url(locales[locale][0]), { integrity: locales[locale][1] }).then((r) => r.json()));
        // The form's three parts, requested at once: the module, the locale, the stylesheet (in this shadow
        // root, with the tag's nonce).
        const fetched = () =>
          (x.fetched = x.fetched || Promise.all([load(nonce), texts(), link("stylesheet", A[2], nonce, root)]));
        const draw = (t) => {
          const start = () =>
            (x.started =
              x.started ||
              fetched().then(
                (r) => {
                  const target = el("div");
                  // The widget reads site, reasons, channel and identityToken from the tag's dataset itself.
                  r[0].mount(target, new URL(base).origin, r[1], data, emit);
                  body.replaceChildren(target);
                  (x.prefill = () => target.dispatchEvent(new CustomEvent("crw-prefill", { detail: values })))();
                },
                (e) => {
                  x.started = x.fetched = x.texts = 0;
                  body.textContent = t.load_failed;
                  failed(e);
                  throw e;
                },
              ));
          body.textContent = t.loading;
          if (!launcher) {
            box.append(body);
            return start();
          }
          const button = el("button", "crw-launch", t.launcher, {
            type: "button",
            "aria-expanded": false,
            "aria-controls": "crw-panel",
          });
          const panel = el("div", "crw-panel", 0, { id: "crw-panel", hidden: "", role: "dialog", "aria-label": t.title });
          const close = el("button", "crw-close", "×", { type: "button", "aria-label": t.close });
          const head = el("div", "crw-head");
          head.append(el("h2", 0, t.title), close);
          panel.append(head, body);
          box.append(button, panel);
          const expand = (open) => {
            panel.hidden = !open;
            button.setAttribute("aria-expanded", open);
          };
          button.onclick = () => {
            panel.hidden ? x.show() : x.hide(1);
          };
          close.onclick = () => {
            x.hide(1);
          };
          panel.onkeydown = (e) => {
            if (e.key == "Escape") x.hide(1);
          };
          x.show = () => {
            if (panel.hidden) {
              expand(true);
              emit("open");
              start().then(() => {
                const first = body.querySelector("select,input,textarea");
                if (first && !panel.hidden) first.focus();
              }, Object);
            }
          };
          x.hide = (user) => {
            if (!panel.hidden) {
              expand(false);
              if (user) button.focus();
              emit("close");
            }
          };
          if (data.preload != null && data.preload != "false") (w.requestIdleCallback || setTimeout)(() => fetched().catch(Object));
          if (wantOpen) x.show();
        };
        all.push(x);
        place(host);
        if (locale == "en") draw(A[5]);
        else texts().then(draw, failed);
      },
    };
    return me;
  }
})(window, document, document.currentScript);
