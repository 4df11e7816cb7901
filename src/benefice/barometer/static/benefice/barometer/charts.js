// Render every [data-spec] chart from the JSON in <script id="…" type="application/json">.
// One script for the edition's static site (copied into its assets/ as barometer.js, next to Vega,
// Vega-Lite and vega-embed: no CDN, and it works from file://) and for the edition's page in the web app
// (served from the static files): the same charts, drawn the same way.
// No eval and no inline style, so it runs under the site's Content-Security-Policy (see site.py).
(function () {
  function french(el) { var host = el.closest("[lang]"); return host && host.lang === "fr"; }

  // Numbers in the page's language: "1 234" with a narrow no-break space and a decimal comma in French
  // (the count axes use the ",d" format: integers, grouped).
  var FRENCH_NUMBERS = {decimal: ",", thousands: "\u202f", grouping: [3], currency: ["", "\u00a0€"],
                        percent: "\u202f%"};

  // One labelled image per chart; the data are in the table alternative. Vega's inner ARIA roles would be
  // unlabelled images for screen readers, and Vega re-creates them on each resize: strip them each time.
  function label(el) {
    var svg = el.querySelector("svg");
    if (!svg) return;
    svg.querySelectorAll("[role], [aria-roledescription], [aria-label]").forEach(function (n) {
      n.removeAttribute("role"); n.removeAttribute("aria-roledescription"); n.removeAttribute("aria-label");
    });
    if (svg.getAttribute("role") !== "img") svg.setAttribute("role", "img");
    var text = el.getAttribute("data-label") || "";
    if (svg.getAttribute("aria-label") !== text) svg.setAttribute("aria-label", text);
    var summary = el.querySelector("details summary");
    if (summary && !summary.hasAttribute("aria-label")) {
      summary.setAttribute("aria-label", french(el) ? "Télécharger l'image" : "Download the image");
    }
  }

  function render() {
    document.querySelectorAll("[data-spec]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-spec"));
      if (!source || el.dataset.rendered) return;
      var spec = JSON.parse(source.textContent);
      var fr = french(el);
      // ast: Vega's expression interpreter (bundled in vega-embed); Vega compiles expressions with
      // Function() otherwise, which the pages' Content-Security-Policy forbids (no 'unsafe-eval'). The
      // menu and tooltip styles are the <link id="vega-embed-style"> and <link id="vega-tooltip-style">
      // of the page: finding them, vega-embed injects no <style> (refused too: style-src 'self').
      var options = {actions: {export: true, source: false, compiled: false, editor: false},
                     renderer: "svg", ast: true,
                     i18n: {PNG_ACTION: fr ? "Enregistrer en PNG" : "Save as PNG",
                            SVG_ACTION: fr ? "Enregistrer en SVG" : "Save as SVG"}};
      if (fr) options.formatLocale = FRENCH_NUMBERS;
      vegaEmbed(el, spec, options)
        .then(function (result) {
          label(el);
          new MutationObserver(function () { label(el); }).observe(el, {childList: true, subtree: true, attributes: true,
                                                                     attributeFilter: ["role", "aria-roledescription", "aria-label"]});
          result.view.runAfter(function () { label(el); });
          el.dataset.rendered = "1";
        })
        .catch(function (err) { el.textContent = String(err); el.dataset.error = "1"; console.error(err); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render); else render();
  document.addEventListener("htmx:afterSettle", render);
})();
