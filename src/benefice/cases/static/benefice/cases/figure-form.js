// Figure form: offer only the units of the chosen indicator (the server checks it anyway; this saves a round trip).
(function () {
  "use strict";
  var data = document.getElementById("indicator-units");
  var indicator = document.getElementById("id_indicator");
  var unit = document.getElementById("id_unit");
  if (!data || !indicator || !unit) return;
  var units = JSON.parse(data.textContent);
  function update() {
    var allowed = units[indicator.value] || [];
    var firstAllowed = null;
    Array.prototype.forEach.call(unit.options, function (opt) {
      var ok = allowed.indexOf(opt.value) !== -1;
      opt.hidden = !ok;
      opt.disabled = !ok;
      if (ok && firstAllowed === null) firstAllowed = opt;
    });
    if (unit.selectedOptions.length && unit.selectedOptions[0].disabled && firstAllowed) {
      unit.value = firstAllowed.value;
    }
  }
  indicator.addEventListener("change", update);
  update();
})();
