/*
 * What the widget's loader (widget.js) fetches when a widget opens, with the form's WebAssembly: the code
 * only the open path needs, so that pages where nobody opens the widget pay nothing for it. It fetches the
 * form's module, its stylesheet (which also draws the panel) and the widget's locale at once, while the
 * WebAssembly downloads; then it draws the panel's head, mounts the form and focuses its first field.
 * The server writes the build over __CRW_OPEN__, as [glue, form css, locales]: each asset [path,
 * integrity], locales {tag: asset}, each fetched with its hash pinned. Each widget `x` is the loader's
 * record of it: its shadow root, body and panel, its tag's dataset and nonce, its locale, the
 * loader's helpers (`u`).
 * Analytics live here too, as only an opened widget records its journey: `ev(name, type)` tells the page
 * of an event (a bubbling `crw-analytics` CustomEvent on the host, the API's `analytics` handlers, and
 * `dataLayer.push({event: "contact_request_" + name})` when the page has a dataLayer: no personal data)
 * and, given an XDM event type, queues it as an ExperienceEvent for POST /api/v1/events, sent in a batch
 * at the end of the task: by sendBeacon once the page is being left, by fetch with keepalive before, and
 * only with the page's consent when the tag asks for it (data-consent="required", until
 * ContactRequestWidget.consent(true)). The form decides what to record from the `crw-start` and
 * `crw-end` events dispatched on it here (shared/src/journey.rs has the rules).
 */
const [glue, css, locales] = __CRW_OPEN__;
// One form module for every widget of the page.
let module;
// The page is being left: what is queued goes by beacon. Registered before any widget's own listener.
let gone;
addEventListener("pagehide", () => (gone = 1));

/** Gives the widget its analytics session, queue and `ev`, once. */
const track = (x) => {
  // Random per page view and widget; with the event's number, each event's @id.
  const session = (x.session = Math.random().toString(36).slice(2));
  const queue = [];
  const url = x.u.url("/api/v1/events?site=" + encodeURIComponent(x.data.site || ""));
  let n = 0;
  x.j = Object;
  x.send = () => {
    if ((window.ContactRequestWidget.consented ?? x.data.consent != "required") && queue[0]) {
      const body = JSON.stringify({ events: queue.splice(0) });
      gone ? navigator.sendBeacon(url, body) : fetch(url, { method: "POST", body, keepalive: true }).catch(Object);
    }
  };
  x.ev = (name, type) => {
    const detail = { name, session };
    x.emit("analytics", detail);
    x.host.dispatchEvent(new CustomEvent("crw-analytics", { detail: { ...detail }, bubbles: true }));
    window.dataLayer?.push({ ...detail, event: "contact_request_" + name });
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

/** The widget's locale strings (for the loader too, which draws another locale's launcher with them). */
export const texts = (x) =>
  (x.texts = x.texts || fetch(x.u.url(locales[x.locale][0]), { integrity: locales[x.locale][1] }).then((r) => r.json()));

/**
 * The form's module initialised with `wasm` (the response the loader requested), the locale and the
 * form's stylesheet (in the widget's shadow root, with the tag's nonce), all at once.
 */
export const fetched = (x, wasm) =>
  (x.fetched =
    x.fetched ||
    Promise.all([
      (module = module || x.u.load(glue, x.nonce).then((m) => m.default({ module_or_path: wasm }).then(() => m))),
      texts(x),
      x.u.link("stylesheet", css, x.nonce, x.root),
    ]));

/** Draws the widget once its form, locale and stylesheet have arrived. */
export default (x, wasm) =>
  (x.ev || track(x), fetched(x, wasm))
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
