/*
 * Contact-request widget loader. A site embeds it with one tag:
 *   <script src="https://SERVER/widget.js" data-site="SITE_KEY" async></script>
 * It reads the tag's data-* attributes, puts a host element with a Shadow DOM on the page (so the page's
 * styles and the widget's never meet) and draws the launcher (or the inline placeholder) with what this
 * file carries: the facade's stylesheet, applied as a constructable stylesheet (no request, and nothing a
 * strict CSP refuses), and the default locale's facade strings (another locale's are fetched first).
 * Everything else is fetched only when it is opened (or when the page is idle, with data-preload, or
 * when a pointer or the keyboard's focus reaches the launcher): open.js, which fetches the form's
 * WebAssembly, its module, its stylesheet (which also draws the panel) and its locale at once, draws the
 * panel's head and mounts the form. It defines window.ContactRequestWidget.
 * The server writes the build over __CRW_ASSETS__, as [open.js, facade css, facade strings]: open.js as
 * [path, integrity], fetched with its hash pinned (so a changed file is refused, not run; it pins the
 * rest), and the default locale's strings [launcher, loading, load_failed].
 * Analytics start here, as a widget is offered before anything is fetched: the journey's session, the
 * page's view of each event (`page`), and the offer itself, which a beacon sends when the page is left
 * (POST /api/v1/events?site=...&offered=SESSION&at=MS, which the server reads as the one event). open.js
 * queues the rest of the journey.
 * Every byte here is paid by every page of every site (2 KB brotli, as served): the code is written for
 * its minified, compressed size, and builds its elements rather than parsing markup, so that a page's
 * Trusted Types policy cannot refuse them.
 */
((w, d, s) => {
  const A = __CRW_ASSETS__;
  const base = s?.src;
  let me = w.ContactRequestWidget;
  let sheet;
  // Shared with open.js, which is handed them rather than writing them again.
  const u = {
    url: (path) => new URL(path, base),
    warn: (name, value) => console.warn(`ContactRequestWidget: ignoring data-${name}=${value}`),
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

  if (!me?._add) {
    const queued = me;
    me = w.ContactRequestWidget = api();
    // A page may queue calls before this file runs: `(window.ContactRequestWidget ||= []).push(["open"])`.
    queued?.forEach?.((c) => me[c[0]](...c.slice(1)));
  }
  if (s) me._add(s);

  function api() {
    const all = [];
    const on = {};
    const values = {};
    let wantOpen;
    let opener;
    // Each handler in its own task, so one that throws does not stop the others or the widget.
    const fire = (type, detail) => (on[type] || []).forEach((f) => setTimeout(f, 0, detail));
    const warn = u.warn;
    // Calls method `f` of every widget on the page (an inline one's show and hide do nothing).
    const each = (f) => all.forEach((x) => x[f]());
    const opened = (nonce) => (opener = opener || load(A[0], nonce));
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
        const host = u.el("div");
        host.dataset.crwHost = mode;
        const root = host.attachShadow({ mode: "open" });
        // One stylesheet object for every widget of the page.
        if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(A[1]);
        root.adoptedStyleSheets = [sheet];
        const box = u.el("div", `crw-root crw-${theme} crw-${position}`);
        if (accent) box.style.setProperty("--crw-accent", accent);
        root.append(box);
        const body = u.el("div", "crw-body");
        // Until its form is drawn (and for good, an inline one's show and hide), these do nothing. open.js
        // reads the rest of what it needs from here.
        const x = { key, host, root, body, data, nonce, values, u, prefill: Object, show: Object, hide: Object, send: Object };
        // Every event this widget reports says which kind of widget it is.
        const emit = (x.emit = (type, detail = {}) => {
          detail.mode = mode;
          fire(type, detail);
        });
        // The journey's analytics session, random per page view and widget; where its events go, and
        // whether they may (with the page's consent, when the tag asks for it). open.js queues them.
        const session = (x.session = Math.random().toString(36).slice(2));
        x.events = u.url("/api/v1/events?site=" + encodeURIComponent(data.site || ""));
        x.ok = () => me.consented ?? data.consent != "required";
        // Tells the page of a journey's event, without personal data: a bubbling crw-analytics event on
        // the host, the API's analytics handlers, and the page's dataLayer (Google Tag Manager's).
        x.page = (name) => {
          const detail = { name, session };
          emit("analytics", detail);
          host.dispatchEvent(new CustomEvent("crw-analytics", { detail, bubbles: true }));
          w.dataLayer?.push({ ...detail, event: "contact_request_" + name });
        };
        // Offered: the launcher (or the inline form) visible on the page, once; sent when the page is left.
        const offer = (e) =>
          new IntersectionObserver((seen, o) => {
            if (seen[0].isIntersecting) {
              o.disconnect();
              x.seen = Date.now();
              x.page("chatOffered");
            }
          }).observe(e);
        addEventListener("pagehide", () => {
          if (x.seen && x.ok()) {
            navigator.sendBeacon(x.events + "&offered=" + session + "&at=" + x.seen);
            x.seen = 0;
          }
        });
        const failed = (e) => {
          console.error(e);
          emit("error", { message: "" + e });
        };
        const draw = (t) => {
          const start = () =>
            (x.started =
              x.started ||
              opened(nonce)
                .then((o) => o.default(x))
                .catch((e) => {
                  x.started = 0;
                  body.textContent = t[2];
                  failed(e);
                  throw e;
                }));
          body.textContent = t[1];
          if (!launcher) {
            box.append(body);
            offer(box);
            return start();
          }
          const button = u.el("button", "crw-launch", t[0], {
            type: "button",
            "aria-expanded": false,
            "aria-controls": "crw-panel",
          });
          // Its head (title, close) is drawn by open.js: it shows only once the form's stylesheet, which
          // open.js fetches, has arrived.
          const panel = (x.panel = u.el("div", "crw-panel", 0, { id: "crw-panel", hidden: "", role: "dialog" }));
          panel.append(body);
          box.append(button, panel);
          offer(button);
          // A pointer over the launcher or its focus fetches open.js, which starts the wasm on open.
          button.onpointerenter = button.onfocus = () => opened(nonce).catch(Object);
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
            (w.requestIdleCallback || setTimeout)(() => opened(nonce).then((o) => o.fetched(x)).catch(Object));
          if (wantOpen) x.show();
        };
        all.push(x);
        place(host);
        // English (en, en-US, ...) is drawn with the strings this file carries; open.js picks another.
        if (/^en\b/i.test(data.locale || "en")) draw(A[2]);
        else opened(nonce).then((o) => o.facade(x)).then(draw, failed);
      },
    };
    return me;
  }
})(window, document, document.currentScript);
