/*
 * Contact-request widget loader. A site embeds it with one tag:
 *   <script src="https://SERVER/widget.js" data-site="SITE_KEY" async></script>
 * It puts a host element where the tag is (or into `data-target`), gives it a Shadow DOM so the page's
 * styles and the widget's never meet, and mounts the WebAssembly widget there. The server fills in the
 * content-hashed asset names below when it serves this file.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || script.hasAttribute("data-crw-mounted")) return;
  script.setAttribute("data-crw-mounted", "");

  var assets = __CRW_ASSETS__;
  var base = script.src;
  var api = new URL(base).origin;
  var url = function (path) { return new URL(path, base).href; };

  var host = document.createElement("div");
  host.setAttribute("data-crw-host", "");
  var selector = script.getAttribute("data-target");
  var target = selector ? document.querySelector(selector) : null;
  if (target) {
    target.appendChild(host);
  } else {
    script.parentNode.insertBefore(host, script.nextSibling);
  }

  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = url(assets.css);
  root.appendChild(style);
  var mountPoint = document.createElement("div");
  mountPoint.setAttribute("data-site", script.getAttribute("data-site") || "");
  root.appendChild(mountPoint);

  import(url(assets.glue))
    .then(function (widget) {
      return widget.default({ module_or_path: url(assets.wasm) }).then(function () {
        widget.mount(mountPoint, api);
      });
    })
    .catch(function (error) {
      console.error("[contact-request widget] could not load:", error);
    });
})();
