// Keyboard shortcuts of the screening page: i include, e exclude, m maybe, n next, 1-9 toggle a reason.
// Ignored while typing in a field or with a modifier key, so that text and browser shortcuts still work.
(function () {
  "use strict";
  const buttons = { i: "decide-include", e: "decide-exclude", m: "decide-maybe", n: "skip" };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    const key = event.key.toLowerCase();
    if (buttons[key]) {
      const button = document.getElementById(buttons[key]);
      if (button && !button.disabled) {
        event.preventDefault();
        button.disabled = true; // one decision per key press
        const form = button.form;
        const hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = button.name;
        hidden.value = button.value;
        form.appendChild(hidden);
        form.submit();
      }
      return;
    }
    if (/^[1-9]$/.test(key)) {
      const box = document.querySelector('input[name="reasons"][data-key="' + key + '"]');
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
      }
    }
  });
})();
