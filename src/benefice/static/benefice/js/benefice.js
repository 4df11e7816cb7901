/* benefice — small progressive enhancements on top of htmx; every page works without this file. */
(function () {
  "use strict";

  // After a facet, sort or page link replaced the results, move keyboard and screen-reader focus to the
  // results heading: the link that was activated no longer exists. Typing in the search box keeps focus.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "results") return;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && (trigger.tagName === "INPUT" || trigger.tagName === "FORM" || trigger.tagName === "SELECT")) return;
    var heading = document.getElementById("results-title");
    if (heading) heading.focus({ preventScroll: false });
  });

  // The language switcher returns to the page shown; htmx changes that page's URL without reloading.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var here = window.location.pathname + window.location.search;
    document.querySelectorAll("form.language-form input[name='next']").forEach(function (input) {
      input.value = here;
    });
  });
  // A table wider than a phone's screen must scroll inside its own box, not push the whole page sideways
  // (issue 19: pages work at 390 px). Templates wrap their tables in .table-scroll; this wraps any table a
  // template forgot, or that htmx swapped in. A scrolling box gets keyboard focus only while it actually
  // scrolls (WCAG 2.1.1: a keyboard user must be able to scroll it; a tab stop on a box that does not
  // scroll is noise), with the table's caption as its name.
  function scrollingBoxes(root) {
    (root || document).querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = table.querySelector("caption");
        if (caption && !box.hasAttribute("aria-label")) box.setAttribute("aria-label", caption.textContent.trim());
        box.dataset.autoFocusable = "1";
      } else if (!scrolls && box.dataset.autoFocusable) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        delete box.dataset.autoFocusable;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scrollingBoxes(document); });
  document.addEventListener("htmx:afterSettle", function (event) { scrollingBoxes(event.detail && event.detail.elt); });
  window.addEventListener("resize", function () { scrollingBoxes(document); });
})();
