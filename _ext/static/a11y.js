// Accessible names for what the Jupyter widgets HTML manager renders (the explorers' stored
// views), which axe-core flags on every chapter page (see tests/browser/test_a11y.py):
// * slider handles (div role="slider") get the slider's label as aria-label;
// * the explorer's figure (an <img> with a data: URL, rendered from the stored output) gets the
//   text that the notebook stored with that image, "[figure: its titles]" (stelib.plotting), as
//   alt text.
// Runs on every DOM change, since the manager renders the widgets after the page's load event.
(function () {
  "use strict";
  let figureTexts = null;

  function collectFigureTexts() {
    const texts = new Map();
    document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]')
      .forEach(function (script) {
        let state;
        try { state = JSON.parse(script.textContent).state || {}; } catch (e) { return; }
        Object.values(state).forEach(function (model) {
          ((model.state && model.state.outputs) || []).forEach(function (out) {
            const data = out.data || {};
            if (data["image/png"] && data["text/plain"]) {
              const png = String(data["image/png"]).replace(/\s/g, "");
              texts.set(png, String(data["text/plain"]));
            }
          });
        });
      });
    return texts;
  }

  function figureAlt(text) {
    const m = /^\[figure:?\s*(.*)\]$/.exec(text.trim());
    const titles = m ? m[1] : text.trim();
    return "Explorer figure as stored with the page" + (titles ? ": " + titles : "");
  }

  function label(el) {
    const box = el.closest(".widget-slider, .widget-inline-hbox, .jupyter-widgets");
    const lab = box && box.querySelector(".widget-label, label");
    const text = lab ? lab.textContent.replace(/\s+/g, " ").trim() : "";
    return text || "slider";
  }

  function fix(root) {
    root.querySelectorAll('.jupyter-widgets [role="slider"]:not([aria-label])')
      .forEach(function (el) { el.setAttribute("aria-label", label(el)); });
    root.querySelectorAll(".jupyter-widgets img:not([alt])").forEach(function (img) {
      if (figureTexts === null) figureTexts = collectFigureTexts();
      const src = img.getAttribute("src") || "";
      const png = src.startsWith("data:image/png;base64,") ? src.slice(22) : "";
      const text = figureTexts.get(png);
      img.setAttribute("alt", text ? figureAlt(text) : "Explorer figure as stored with the page");
    });
  }

  function start() {
    fix(document);
    new MutationObserver(function () { fix(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
