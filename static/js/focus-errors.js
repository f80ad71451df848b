// On every page (base.html): move focus to the error summary (or to a question asked before filing, such as a visit
// register conflict) so keyboard and screen-reader users hear it first.
(function () {
  var summary = document.getElementById("error-summary") || document.getElementById("confirm-warning");
  if (summary) { summary.focus(); }
})();
