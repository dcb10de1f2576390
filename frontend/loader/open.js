/*
 * What the widget's loader (widget.js) fetches when a widget opens, with the form's WebAssembly: the code
 * only the open path needs, so that pages where nobody opens the widget pay nothing for it. It fetches the
 * form's module, its stylesheet (which also draws the panel) and the widget's locale at once, while the
 * WebAssembly downloads; then it draws the panel's head, mounts the form and focuses its first field.
 * The server writes the build over __CRW_OPEN__, as [glue, form css, locales]: each asset [path,
 * integrity], locales {tag: asset}, each fetched with its hash pinned. Each widget `x` is the loader's
 * record of it: its shadow root, body and panel, its tag's dataset and nonce, its locale, the
 * loader's helpers (`u`).
 */
const [glue, css, locales] = __CRW_OPEN__;
// One form module for every widget of the page.
let module;

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
  fetched(x, wasm)
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
      form.mount(target, new URL(import.meta.url).origin, t, x.data, x.emit);
      x.body.replaceChildren(target);
      (x.prefill = () => target.dispatchEvent(new CustomEvent("crw-prefill", { detail: x.values })))();
      const first = target.querySelector("select,input,textarea");
      if (first && panel && !panel.hidden) first.focus();
    })
    .catch((e) => {
      // Fetched again at the next attempt.
      x.fetched = x.texts = 0;
      throw e;
    });
