// Form pages, enhanced. Long text fields say how much is left as one types (progressive enhancement: without script
// the hint under the field says the limit). The messages come translated from the page, in
// data attributes; "{n}" is the number. Counted as the server counts: each line break arrives
// as two characters (CR LF) in a submitted form.
(function () {
  function length(text) {
    var characters = Array.from ? Array.from(text).length : text.length;
    return characters + (text.match(/\n/g) || []).length;
  }
  var counts = document.querySelectorAll("[data-character-count]");
  Array.prototype.forEach.call(counts, function (count) {
    var field = document.getElementById(count.getAttribute("data-for"));
    var max = parseInt(count.getAttribute("data-max"), 10);
    if (!field || !max) { return; }
    function update() {
      var left = max - length(field.value);
      var message = count.getAttribute(left < 0 ? "data-over" : "data-left");
      count.textContent = message.replace("{n}", String(Math.abs(left)));
      count.classList.toggle("character-count--over", left < 0);
    }
    field.addEventListener("input", update);
    update();
  });
  // A row added without script (the "Add a row" button posts the form) comes back with the
  // new row as the page's target: put the cursor in its first field, once the browser has
  // scrolled to the row (its scrolling to a fragment takes the focus away from a field).
  function focusTargetRow() {
    var row = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    var input = row && row.tagName === "TR" ? row.querySelector("input, select, textarea") : null;
    if (input) { input.focus({preventScroll: true}); }
  }
  window.addEventListener("load", function () { setTimeout(focusTargetRow, 0); });
})();
