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
})();
