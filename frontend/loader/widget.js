/*
 * Contact-request widget loader. A site embeds it with one tag:
 *   <script src="https://SERVER/widget.js" data-site="SITE_KEY" async></script>
 * It reads the tag's data-* attributes, puts a host element with a Shadow DOM on the page (so the page's
 * styles and the widget's never meet) and draws the launcher (or the inline placeholder) with what this
 * file carries: the facade's stylesheet, applied as a constructable stylesheet (no request, and nothing a
 * strict CSP refuses), and the default locale's facade strings (another locale's are fetched first).
 * Everything else is fetched only when it is opened (or when the page is idle, with data-preload): the
 * form's WebAssembly, and with it open.js, which fetches the form's module, its stylesheet (which also
 * draws the panel) and its locale while the WebAssembly downloads, draws the panel's head and mounts the
 * form. It defines window.ContactRequestWidget.
 * The server writes the build over __CRW_ASSETS__, as [open.js, wasm, locale tags, facade css, facade
 * strings]: each asset [path, integrity], the strings {launcher, loading, load_failed} of the default
 * locale; each asset is fetched with its hash pinned, so a changed file is refused, not run.
 * Every byte here is paid by every page of every site (2 KB brotli, as served): the code is written for
 * its minified, compressed size, and builds its elements rather than parsing markup, so that a page's
 * Trusted Types policy cannot refuse them.
 */
((w, d, s) => {
  const A = __CRW_ASSETS__;
  const base = s && s.src;
  let me = w.ContactRequestWidget;
  let sheet;
  // Shared with open.js, which is handed them rather than writing them again.
  const u = {
    url: (path) => new URL(path, base),
    // An element with its class, text and attributes.
    el: (tag, cls, text, attrs) => {
      const e = d.createElement(tag);
      if (cls) e.className = cls;
      if (text) e.textContent = text;
      for (const k in attrs) e.setAttribute(k, attrs[k]);
      return e;
    },
    // A <link> with the asset's pinned hash and the tag's nonce, added to `parent`, as a promise of its load.
    link: (rel, asset, nonce, parent) =>
      new Promise((ok, ko) => {
        const l = u.el("link");
        Object.assign(l, { rel, href: u.url(asset[0]), integrity: asset[1], crossOrigin: "anonymous", nonce, onload: ok, onerror: ko });
        parent.append(l);
      }),
  };
  // A module, preloaded with its SRI hash: import() then takes the checked module from the module map
  // instead of fetching it again. A failed check fails the preload, so nothing unchecked runs.
  const load = (u.load = (asset, nonce) => u.link("modulepreload", asset, nonce, d.head).then(() => import(u.url(asset[0]))));

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
    let opener;
    let wasm;
    // Each handler in its own task, so one that throws does not stop the others or the widget.
    const fire = (type, detail) => (on[type] || []).forEach((f) => setTimeout(f, 0, detail));
    const warn = (name, value) => console.warn(`ContactRequestWidget: ignoring data-${name}=${value}`);
    // Calls method `f` of every widget on the page (an inline one's show and hide do nothing).
    const each = (f) => all.forEach((x) => x[f]());
    const opened = (nonce) => (opener = opener || load(A[0], nonce));
    // The form's wasm, the largest part by far, is requested with open.js rather than after it.
    const loaded = (nonce) => {
      wasm = wasm || fetch(u.url(A[1][0]), { integrity: A[1][1] });
      return opened(nonce);
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
      // The page's consent to analytics, which open.js reads: events held until then are sent.
      consent: (y) => {
        me.consented = y;
        each("send");
      },
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
        const tags = A[2];
        let locale = (data.locale || "en").toLowerCase();
        if (!tags.includes(locale)) locale = locale.split("-")[0];
        if (!tags.includes(locale)) {
          if (data.locale) warn("locale", data.locale);
          locale = "en";
        }

        const host = u.el("div");
        host.dataset.crwHost = mode;
        const root = host.attachShadow({ mode: "open" });
        // One stylesheet object for every widget of the page.
        if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(A[3]);
        root.adoptedStyleSheets = [sheet];
        const box = u.el("div", `crw-root crw-${theme} crw-${position}`);
        if (accent) box.style.setProperty("--crw-accent", accent);
        root.append(box);
        const body = u.el("div", "crw-body");
        // Until its form is drawn (and for good, an inline one's show and hide), these do nothing. open.js
        // reads the rest of what it needs from here.
        const x = { key, host, root, body, data, nonce, locale, values, u, prefill: Object, show: Object, hide: Object, send: Object };
        // Every event this widget reports says which kind of widget it is.
        const emit = (x.emit = (type, detail = {}) => {
          detail.mode = mode;
          fire(type, detail);
        });
        const failed = (e) => {
          console.error(e);
          emit("error", { message: "" + e });
        };
        const draw = (t) => {
          const start = () =>
            (x.started =
              x.started ||
              loaded(nonce)
                .then((o) => o.default(x, wasm))
                .catch((e) => {
                  x.started = 0;
                  body.textContent = t.load_failed;
                  failed(e);
                  throw e;
                }));
          body.textContent = t.loading;
          if (!launcher) {
            box.append(body);
            return start();
          }
          const button = u.el("button", "crw-launch", t.launcher, {
            type: "button",
            "aria-expanded": false,
            "aria-controls": "crw-panel",
          });
          // Its head (title, close) is drawn by open.js: it shows only once the form's stylesheet, which
          // open.js fetches, has arrived.
          const panel = (x.panel = u.el("div", "crw-panel", 0, { id: "crw-panel", hidden: "", role: "dialog" }));
          panel.append(body);
          box.append(button, panel);
          const expand = (open) => {
            panel.hidden = !open;
            button.setAttribute("aria-expanded", open);
          };
          button.onclick = () => {
            panel.hidden ? x.show() : x.hide(1);
          };
          x.show = () => {
            if (panel.hidden) {
              expand(true);
              emit("open");
              start().catch(Object);
            }
          };
          x.hide = (user) => {
            if (!panel.hidden) {
              expand(false);
              if (user) button.focus();
              emit("close");
            }
          };
          if (data.preload != null && data.preload != "false")
            (w.requestIdleCallback || setTimeout)(() => loaded(nonce).then((o) => o.fetched(x, wasm)).catch(Object));
          if (wantOpen) x.show();
        };
        all.push(x);
        place(host);
        if (locale == "en") draw(A[4]);
        else opened(nonce).then((o) => o.texts(x)).then(draw, failed);
      },
    };
    return me;
  }
})(window, document, document.currentScript);
