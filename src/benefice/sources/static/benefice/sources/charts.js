// Render every <figure data-spec="ID"> from the JSON in <script id="ID" type="application/json">.
// Vega, Vega-Lite and vega-embed are vendored (src/benefice/static/benefice/vendor/vega): no CDN at run time.
(function () {
  function render() {
    document.querySelectorAll("[data-spec]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-spec"));
      if (!source || el.dataset.rendered) return;
      var spec = JSON.parse(source.textContent);
      var target = el.querySelector(".chart") || el;
      vegaEmbed(target, spec, {actions: {export: true, source: false, compiled: false, editor: false},
                               renderer: "svg", ast: true})  // interpreter: the CSP forbids eval
        .then(function (result) {
          el.dataset.rendered = "1";
          var svg = target.querySelector("svg");
          if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", el.getAttribute("data-label") || ""); }
          // vega-embed's download menu opens from an icon only: give it a name screen readers can say
          var menu = target.querySelector("details > summary");
          if (menu) menu.setAttribute("aria-label", el.getAttribute("data-menu-label") || "Download the chart");
        })
        .catch(function (err) { target.textContent = String(err); el.dataset.error = "1"; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render); else render();
  document.addEventListener("htmx:afterSettle", render);
})();
