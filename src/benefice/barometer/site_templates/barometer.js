// Render every [data-spec] chart from the JSON in <script id="…" type="application/json">.
// Vega, Vega-Lite and vega-embed are copied next to this file: no CDN, and it works from file://.
(function () {
  function render() {
    document.querySelectorAll("[data-spec]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-spec"));
      if (!source || el.dataset.rendered) return;
      var spec = JSON.parse(source.textContent);
      vegaEmbed(el, spec, {actions: {export: true, source: false, compiled: false, editor: false},
                           renderer: "svg", i18n: {PNG_ACTION: el.closest("[lang]").lang === "fr" ? "Enregistrer en PNG" : "Save as PNG",
                                                    SVG_ACTION: el.closest("[lang]").lang === "fr" ? "Enregistrer en SVG" : "Save as SVG"}})
        .then(function () {
          el.dataset.rendered = "1";
          var svg = el.querySelector("svg");
          if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", el.getAttribute("data-label") || ""); }
          var summary = el.querySelector("details summary");
          if (summary) { summary.setAttribute("aria-label", el.closest("[lang]").lang === "fr" ? "Télécharger l'image" : "Download the image"); }
        })
        .catch(function (err) { el.textContent = String(err); el.dataset.error = "1"; console.error(err); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render); else render();
})();
