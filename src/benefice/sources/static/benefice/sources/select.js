// Publication sources panel: selecting words in the text fills the "add a source" form with the field, the
// words and their character offsets in that field, so the server stores exactly what the person selected.
// The panel's texts contain nothing but the field's characters (marks add no text), so offsets counted in
// the page's text are offsets in the stored field. Loaded again each time htmx swaps the panel in: the
// listeners are installed once, on the document, and look the form up when needed.
(function () {
  "use strict";
  if (window.beneficeSourceSelect) return;
  window.beneficeSourceSelect = true;

  function offsetIn(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function fieldOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest("#publication-sources .source-text[data-field]") : null;
  }

  function onSelection() {
    var form = document.getElementById("source-add-form");
    var sel = window.getSelection();
    if (!form || !sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    var range = sel.getRangeAt(0);
    var container = fieldOf(range.startContainer);
    if (!container || container !== fieldOf(range.endContainer)) return;
    var start = offsetIn(container, range.startContainer, range.startOffset);
    var end = offsetIn(container, range.endContainer, range.endOffset);
    var text = container.textContent;
    while (start < end && /\s/.test(text.charAt(start))) start++;
    while (end > start && /\s/.test(text.charAt(end - 1))) end--;
    if (end <= start) return;
    form.querySelector("#add-field").value = container.getAttribute("data-field");
    form.querySelector("#add-text").value = text.slice(start, end);
    form.querySelector("#add-start").value = String(start);
    form.querySelector("#add-end").value = String(end);
  }

  var timer = null;
  document.addEventListener("selectionchange", function () {
    clearTimeout(timer);
    timer = setTimeout(onSelection, 120);
  });

  // Typed words or another field: the offsets no longer describe them; the server finds the words itself.
  document.addEventListener("input", function (event) {
    var t = event.target;
    if (t && (t.id === "add-text" || t.id === "add-field")) {
      var form = document.getElementById("source-add-form");
      if (form) {
        form.querySelector("#add-start").value = "";
        form.querySelector("#add-end").value = "";
      }
    }
  });

  // After a correction, focus the panel's heading so keyboard and screen-reader users hear the result.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "publication-sources") return;
    var panel = document.getElementById("publication-sources");
    var notes = panel && panel.querySelector("#correction-notes");
    var heading = panel && panel.querySelector("#publication-sources-title");
    if (notes && heading) heading.focus({ preventScroll: false });
  });
})();
