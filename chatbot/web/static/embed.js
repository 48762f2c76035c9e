/* The clinic's chat on any page of its web site, from one line:
 *
 *   <script src="https://chat.example/embed.js" async></script>
 *
 * Options, as data- attributes on that script tag:
 *   data-side="left"         which bottom corner the button sits in (right by default)
 *   data-colour="#0b5f73"    the button's colour, any CSS colour (data-color works too); its text is black or
 *                            white, whichever reads better on it
 *   data-label="Questions?"  the button's text ("Chat with us" by default)
 *   data-open="true"         start with the chat open
 *
 * It adds one element at the end of the page (<uplifted-chat>, its parts in a shadow root so the page's styles
 * don't reach them) and one global, window.UpliftedChat (open(), close(), isOpen()). The chat is an iframe from
 * the server this script came from, created the first time it is opened; nothing else is loaded. The panel is a
 * modal dialog: Escape or its close button closes it, Tab stays inside it, and the focus goes back to the button.
 * On a phone (480 px wide or less) it fills the screen.
 */
(function () {
  "use strict";
  if (window.UpliftedChat) return; // included twice: still one button

  var CONFIG = /*@config*/ { clinic: "the clinic", colour: "#0b5f73" };
  var script = document.currentScript || document.querySelector('script[src*="/embed.js"]');
  if (!script || !script.src) return;
  var origin = new URL(script.src, location.href).origin;
  var data = script.dataset;

  function flag(value) {
    return value !== undefined && !/^(false|no|off|0)$/i.test(value.trim());
  }

  var side = (data.side || "").trim().toLowerCase() === "left" ? "left" : "right";
  var colour = (data.colour || data.color || "").trim();
  if (!colour || !(window.CSS && CSS.supports("color", colour))) colour = CONFIG.colour;
  var label = (data.label || "").trim().slice(0, 60) || "Chat with us";
  var startOpen = flag(data.open);
  var title = "Chat with " + CONFIG.clinic;

  // Black or white text on the chosen colour, whichever has the higher contrast (WCAG relative luminance).
  function textOn(cssColour) {
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    var ctx = canvas.getContext("2d");
    if (!ctx) return "#ffffff";
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, 1, 1);
    ctx.fillStyle = cssColour;
    ctx.fillRect(0, 0, 1, 1);
    var px = ctx.getImageData(0, 0, 1, 1).data;
    var lum = [px[0], px[1], px[2]].map(function (c) {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#000000";
  }

  var CSS_TEXT = [
    ":host { all: initial; }",
    ".launcher { position: fixed; bottom: 1rem; " + side + ": 1rem; z-index: 2147483000; display: inline-flex;",
    "  align-items: center; gap: 0.5rem; min-height: 48px; max-width: calc(100vw - 2rem); padding: 0.7rem 1.1rem;",
    "  border: 0; border-radius: 999px; background: var(--colour); color: var(--text); cursor: pointer;",
    "  font: 600 16px/1.25 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;",
    "  box-shadow: 0 2px 10px rgba(0, 0, 0, 0.3); }",
    ".launcher svg { width: 22px; height: 22px; flex: none; }",
    ".launcher:focus-visible, .close:focus-visible { outline: 3px solid #111; outline-offset: 2px;",
    "  box-shadow: 0 0 0 2px #fff; }",
    "dialog { position: fixed; inset: auto; bottom: 5.5rem; " + side + ": 1rem; margin: 0; padding: 0; border: 0;",
    "  width: min(26rem, calc(100vw - 2rem)); height: calc(100vh - 7rem); height: min(44rem, calc(100dvh - 7rem));",
    "  max-width: none; max-height: none; border-radius: 12px; overflow: hidden; background: #fff; color: #111;",
    "  box-shadow: 0 8px 32px rgba(0, 0, 0, 0.35); }",
    "dialog[open] { display: flex; flex-direction: column; }",
    "dialog::backdrop { background: rgba(0, 0, 0, 0.3); }",
    ".bar { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; flex: none;",
    "  padding: 0 0.25rem 0 1rem; background: var(--colour); color: var(--text);",
    "  font: 600 16px/1.25 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
    ".bar p { margin: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }",
    ".close { flex: none; min-width: 48px; min-height: 48px; border: 0; border-radius: 8px; background: transparent;",
    "  color: inherit; font: 400 30px/1 system-ui, sans-serif; cursor: pointer; }",
    "iframe { flex: 1; display: block; width: 100%; min-height: 0; border: 0; background: #fff; }",
    ".guard { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }",
    "@media (max-width: 480px) {",
    "  dialog { inset: 0; width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; }",
    "  .launcher { bottom: 0.75rem; " + side + ": 0.75rem; }",
    "}",
  ].join("\n");

  var ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 ' +
    "2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6a1.25 1.25 0 1 0 0 2.5A1.25 1.25 0 0 0 7 " +
    "10zm5 0a1.25 1.25 0 1 0 0 2.5 1.25 1.25 0 0 0 0-2.5zm5 0a1.25 1.25 0 1 0 0 2.5 1.25 1.25 0 0 0 0-2.5z\"/></svg>";

  function element(tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      el.setAttribute(name, attrs[name]);
    });
    if (text) el.textContent = text;
    return el;
  }

  var host = element("uplifted-chat", { "data-uplifted-chat": "" });
  var root = host.attachShadow({ mode: "open" });
  host.style.setProperty("--colour", colour);
  host.style.setProperty("--text", textOn(colour));
  root.appendChild(element("style", {}, CSS_TEXT));

  var launcher = element("button", {
    type: "button", class: "launcher", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": "panel",
  });
  launcher.innerHTML = ICON; // a constant, no data in it
  launcher.appendChild(element("span", {}, label));

  var dialog = element("dialog", { id: "panel", role: "dialog", "aria-modal": "true", "aria-label": title });
  var startGuard = element("span", { class: "guard", tabindex: "0" });
  var bar = element("div", { class: "bar" });
  var close = element("button", { type: "button", class: "close", "aria-label": "Close chat", autofocus: "" }, "×");
  bar.appendChild(element("p", {}, CONFIG.clinic));
  bar.appendChild(close);
  var endGuard = element("span", { class: "guard", tabindex: "0" });
  dialog.appendChild(startGuard);
  dialog.appendChild(bar);
  dialog.appendChild(endGuard);
  root.appendChild(launcher);
  root.appendChild(dialog);

  var frame = null;
  var ready = false; // the chat page said it is there (a refused frame never does)

  function tellFrame(type) {
    if (frame && ready && frame.contentWindow) frame.contentWindow.postMessage({ uplifted: type }, origin);
  }

  function makeFrame() {
    frame = element("iframe", { src: origin + "/", title: title, allow: "clipboard-write" });
    dialog.insertBefore(frame, endGuard);
  }

  function open() {
    if (dialog.open) return;
    if (!frame) makeFrame();
    dialog.showModal();
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
    tellFrame("focus-input"); // the question box, once the chat has loaded
  }

  function shut() {
    if (dialog.open) dialog.close(); // the "close" event below does the rest
  }

  dialog.addEventListener("close", function () {
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  });
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault(); // Escape: closed by shut(), so every way out ends the same
    shut();
  });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) shut(); // a click on the dimmed page around the panel
  });
  // Tab past the chat comes back to the close button; Shift+Tab before the close button goes to the chat's end.
  endGuard.addEventListener("focus", function () {
    close.focus();
  });
  startGuard.addEventListener("focus", function () {
    if (!frame) return close.focus();
    frame.focus();
    tellFrame("focus-last");
  });
  close.addEventListener("click", shut);
  launcher.addEventListener("click", open);
  // Keys typed inside the chat stay in its frame: it tells us when Escape was pressed there.
  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin || !event.data) return;
    if (event.data.uplifted === "close") shut();
    if (event.data.uplifted === "ready") {
      ready = true;
      if (dialog.open) tellFrame("focus-input");
    }
  });

  function mount() {
    document.body.appendChild(host);
    if (startOpen) open();
  }

  window.UpliftedChat = Object.freeze({
    open: open,
    close: shut,
    isOpen: function () {
      return dialog.open;
    },
  });
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
