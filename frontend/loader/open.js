/*
 * What the widget's loader (widget.js) fetches when a widget opens: the code only the open path needs, so
 * that pages where nobody opens the widget pay nothing for it. It fetches the form's WebAssembly, its
 * module, its stylesheet (which also draws the panel) and the widget's locale at once; then it draws the
 * panel's head, mounts the form and focuses its first field.
 * The server writes the build over __CRW_OPEN__, as [glue, wasm, form css, locales]: each asset [path,
 * integrity], locales {tag: asset}, each fetched with its hash pinned. Each widget `x` is the loader's
 * record of it: its shadow root, body and panel, its tag's dataset and nonce, the loader's helpers (`u`),
 * its analytics session, the address its events go to, whether they may go (`ok`) and how the page is
 * told of them (`page`).
 * The journey after the offer (which the loader records) is queued here: `ev(name, type)` tells the page
 * of an event (the loader's `page`: a bubbling `crw-analytics` CustomEvent on the host, the API's
 * `analytics` handlers, and `dataLayer.push({event: "contact_request_" + name})` when the page has a
 * dataLayer: no personal data) and, given an XDM event type, queues it as an ExperienceEvent for POST
 * /api/v1/events, sent in a batch at the end of the task: by sendBeacon once the page is being left, by
 * fetch with keepalive before, and only with the page's consent when the tag asks for it
 * (data-consent="required", until ContactRequestWidget.consent(true)). The form decides what to record
 * from the `crw-start` and `crw-end` events dispatched on it here (shared/src/journey.rs has the rules).
 */
const [glue, wasm, css, locales] = __CRW_OPEN__;
// One form module for every widget of the page.
let module;
// The page is being left: what is queued goes by beacon. Registered before any widget's own listener.
let gone;
addEventListener("pagehide", () => (gone = 1));

/** Gives the widget its analytics session, queue and `ev`, once. */
const track = (x) => {
  const { session, events } = x;
  const queue = [];
  let n = 0;
  x.j = Object;
  x.send = () => {
    if (x.ok() && queue[0]) {
      const body = JSON.stringify({ events: queue.splice(0) });
      gone ? navigator.sendBeacon(events, body) : fetch(events, { method: "POST", body, keepalive: true }).catch(Object);
    }
  };
  x.ev = (name, type) => {
    x.page(name);
    if (type)
      queue.push({
        "@id": session + "-" + n++,
        "xdm:timestamp": new Date().toISOString(),
        "xdm:eventType": type,
        "xdm:producedBy": "self",
        "xdm:customerFeedback": { "xdm:chatSessionID": session, ["xdm:" + name]: 1 },
      }) == 1 && setTimeout(x.send);
  };
  // The page left ends the journey; the beacon goes now, as no task runs after this one.
  addEventListener("pagehide", () => {
    x.j("end");
    x.send();
  });
  const panel = x.panel;
  if (panel) {
    const { show, hide } = x;
    x.show = () => {
      show();
      x.j("start");
    };
    x.hide = (user) => {
      hide(user);
      x.j("end");
    };
  }
};

/**
 * The widget's locale: the tag's `data-locale` if shipped, else its language, else English (with a
 * warning for a tag that asked for another).
 */
const locale = (x) => {
  const asked = x.data.locale;
  let tag = (asked || "en").toLowerCase();
  if (!locales[tag]) tag = tag.split("-")[0];
  if (!locales[tag]) {
    if (asked) x.u.warn("locale", asked);
    tag = "en";
  }
  return tag;
};

/** The widget's locale strings. */
const texts = (x) => {
  const [path, integrity] = locales[(x.locale = x.locale || locale(x))];
  return (x.texts = x.texts || fetch(x.u.url(path), { integrity }).then((r) => r.json()));
};

/** What the loader draws the launcher and the placeholder with, in a locale other than English. */
export const facade = (x) => texts(x).then((t) => [t.launcher, t.loading, t.load_failed]);

/**
 * The form's module initialised with its WebAssembly (requested at once, with the module), the locale
 * and the form's stylesheet (in the widget's shadow root, with the tag's nonce), all at once.
 */
export const fetched = (x) =>
  (x.fetched =
    x.fetched ||
    Promise.all([
      (module =
        module ||
        Promise.all([x.u.load(glue, x.nonce), fetch(x.u.url(wasm[0]), { integrity: wasm[1] })]).then(([m, w]) =>
          m.default({ module_or_path: w }).then(() => m),
        )),
      texts(x),
      x.u.link("stylesheet", css, x.nonce, x.root),
    ]));

/** Draws the widget once its form, locale and stylesheet have arrived. */
export default (x) =>
  (x.ev || track(x), fetched(x))
    .then(([form, t]) => {
      const { el } = x.u;
      const panel = x.panel;
      // Once, should the form fail to mount and be tried again.
      if (panel && !x.head) {
        const close = el("button", "crw-close", "×", { type: "button", "aria-label": t.close });
        x.head = el("div", "crw-head");
        x.head.append(el("h2", 0, t.title), close);
        panel.prepend(x.head);
        panel.setAttribute("aria-label", t.title);
        close.onclick = () => x.hide(1);
        panel.onkeydown = (e) => {
          if (e.key == "Escape") x.hide(1);
        };
      }
      const target = el("div");
      // The widget reads site, reasons, channel and identityToken from the tag's dataset itself. This file
      // comes from the widget's server, which the form talks to.
      form.mount(target, new URL(import.meta.url).origin, t, x.data, x.emit, x.ev, x.session);
      x.body.replaceChildren(target);
      x.j = (k) => target.dispatchEvent(new Event("crw-" + k));
      // A use of a direct contact link, which the form marks with what it counts.
      target.onclick = (e) => {
        const a = e.target.closest("[data-crw-ev]");
        if (a) x.ev(a.dataset.crwEv, a.dataset.crwType);
      };
      // Opened to be mounted, and maybe closed before it was.
      if (panel) {
        x.j("start");
        if (panel.hidden) x.j("end");
      }
      (x.prefill = () => target.dispatchEvent(new CustomEvent("crw-prefill", { detail: x.values })))();
      const first = target.querySelector("select,input,textarea");
      if (first && panel && !panel.hidden) first.focus();
    })
    .catch((e) => {
      // Fetched again at the next attempt.
      x.fetched = x.texts = 0;
      throw e;
    });
