// The signature pad (templates/macros/signature.html, forms/fields/signature.py): draw with a
// finger, a stylus or the mouse (pointer events); the strokes go into the hidden input as JSON,
// in the server's fixed box of whole numbers, whatever size the canvas is shown at. Without
// this script the pad stays hidden and "signed on paper" is the way to sign.
(function () {
  "use strict";

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var input = document.getElementById(pad.dataset.input);
    var paper = document.getElementById(pad.dataset.paper);
    var status = pad.querySelector("[data-signature-status]");
    var kept = pad.parentNode.querySelector("[data-signature-kept]");
    var width = Number(pad.dataset.width), height = Number(pad.dataset.height);
    var limits = {strokes: Number(pad.dataset.maxStrokes), points: Number(pad.dataset.maxPoints),
                  total: Number(pad.dataset.maxTotal)};
    var context = canvas.getContext("2d");
    var strokes = read(input.value);
    var current = null, total = 0;

    function read(text) {
      try {
        var parsed = JSON.parse(text || "[]");
        return Array.isArray(parsed) ? parsed : [];
      } catch (e) {
        return [];
      }
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      var x = Math.round((event.clientX - box.left) / box.width * width);
      var y = Math.round((event.clientY - box.top) / box.height * height);
      return [Math.min(width, Math.max(0, x)), Math.min(height, Math.max(0, y))];
    }

    function draw() {
      context.clearRect(0, 0, width, height);
      context.lineWidth = 5;
      context.lineCap = context.lineJoin = "round";
      context.strokeStyle = context.fillStyle = "#111";
      strokes.forEach(function (stroke) {
        context.beginPath();
        context.moveTo(stroke[0][0], stroke[0][1]);
        if (stroke.length === 1) {
          context.arc(stroke[0][0], stroke[0][1], 3.5, 0, 2 * Math.PI);
          context.fill();
          return;
        }
        stroke.slice(1).forEach(function (p) { context.lineTo(p[0], p[1]); });
        context.stroke();
      });
    }

    function save() {
      input.value = strokes.length ? JSON.stringify(strokes) : "";
      total = strokes.reduce(function (n, s) { return n + s.length; }, 0);
      if (kept) { kept.hidden = true; }
      say();
    }

    function say() {
      var key = paper.checked ? "paper" : (strokes.length ? "signed" : "empty");
      status.textContent = status.dataset[key];
      pad.classList.toggle("signature-pad--off", paper.checked);
      canvas.setAttribute("aria-disabled", paper.checked ? "true" : "false");
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (paper.checked || strokes.length >= limits.strokes || total >= limits.total) { return; }
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
      total += 1;
      draw();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current || current.length >= limits.points || total >= limits.total) { return; }
      var p = point(event), last = current[current.length - 1];
      if (p[0] === last[0] && p[1] === last[1]) { return; }
      current.push(p);
      total += 1;
      draw();
    });
    function end() {
      if (current) { current = null; save(); }
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      strokes = [];
      draw();
      save();
    });
    paper.addEventListener("change", function () {
      if (paper.checked && strokes.length) {  // one or the other: the server refuses both
        strokes = [];
        draw();
        save();
      }
      say();
    });

    pad.hidden = false;
    draw();
    save();
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
