// The dispatch desk (/problems/desk/): a header checkbox ticks every row, and voiding asks first.
(function () {
  "use strict";
  document.querySelectorAll("[data-cw-check-all]").forEach(function (all) {
    var name = all.getAttribute("data-cw-check-all");
    var form = all.closest("form");
    all.addEventListener("change", function () {
      form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
  var form = document.getElementById("desk-form");
  if (form) {
    form.addEventListener("submit", function (evt) {
      var op = evt.submitter ? evt.submitter.value : "";
      if (op === "void" && !window.confirm("确定作废所选问题吗?")) { evt.preventDefault(); }
    });
  }
})();
