// Keyboard shortcuts of the review queue: sources u used, m mentioned only, r rejected; kinds of use a confirm the
// proposal, n no kind of use, 1-9 tick or untick a category; s skip either.
// Ignored while typing in a field or with a modifier key, so that text and browser shortcuts still work.
(function () {
  "use strict";
  var buttons = {
    u: "answer-used", m: "answer-mentioned", r: "answer-rejected", s: "answer-skip",
    a: "answer-accept", n: "answer-none"
  };
  var choices = /^(checkbox|radio)$/;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    if (typing && !(target.tagName === "INPUT" && choices.test(target.type))) return;
    if (/^[1-9]$/.test(event.key)) {
      var boxes = document.querySelectorAll('#review-form input[type="checkbox"][name="categories"]');
      var box = boxes[Number(event.key) - 1];
      if (box) { event.preventDefault(); box.checked = !box.checked; }
      return;
    }
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
