// Keyboard shortcuts of the source review queue: u used, m mentioned only, r rejected, s skip.
// Ignored while typing in a field or with a modifier key, so that text and browser shortcuts still work.
(function () {
  "use strict";
  var buttons = { u: "answer-used", m: "answer-mentioned", r: "answer-rejected", s: "answer-skip" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var id = buttons[event.key.toLowerCase()];
    var button = id && document.getElementById(id);
    if (!button || button.disabled) return;
    event.preventDefault();
    button.disabled = true; // one answer per key press
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = button.name;
    hidden.value = button.value;
    button.form.appendChild(hidden);
    button.form.submit();
  });
})();
