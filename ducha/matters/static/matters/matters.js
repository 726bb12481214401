/* Matter pages: show the fields of the chosen source, warn at once on 涉密, add co-unit rows,
   confirm closing. Everything works without this file; it only saves clicks. */
(function () {
  "use strict";

  function toggleSourceFields(form) {
    var source = form.querySelector("[name=source]");
    if (!source) { return; }
    var value = source.value;
    form.querySelectorAll("[data-sources]").forEach(function (el) {
      var show = el.getAttribute("data-sources").split(" ").indexOf(value) >= 0;
      el.classList.toggle("d-none", !show);
    });
    var due = document.getElementById("due-date-wrap");
    if (due) { due.classList.toggle("d-none", value === "unit_request"); }
  }

  function setUp(form) {
    toggleSourceFields(form);
    var source = form.querySelector("[name=source]");
    if (source) { source.addEventListener("change", function () { toggleSourceFields(form); }); }

    var classified = form.querySelector("[name=classified]");
    var refusal = document.getElementById("classified-refusal");
    if (classified && refusal) {
      // S5.2: a classified matter sends its reference number alone; the other fields are
      // disabled, so the browser does not send what was typed in them.
      var keep = ["csrfmiddlewaretoken", "classified", "classified_reference"];
      var onlyReference = function () {
        refusal.classList.toggle("d-none", !classified.checked);
        form.querySelectorAll("input, select, textarea").forEach(function (el) {
          if (keep.indexOf(el.name) < 0) { el.disabled = classified.checked; }
        });
      };
      classified.addEventListener("change", onlyReference);
      onlyReference();
    }

    var add = document.getElementById("co-add");
    var template = document.getElementById("co-empty");
    var total = form.querySelector("[name=co-TOTAL_FORMS]");
    var rows = document.getElementById("co-rows");
    if (add && template && total && rows) {
      add.addEventListener("click", function () {
        var index = parseInt(total.value, 10) || 0;
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        rows.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        var select = rows.lastElementChild && rows.lastElementChild.querySelector("select");
        if (select) { select.focus(); }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("matter-form");
    if (form) { setUp(form); }
    // On a narrow screen the battle map opens at today, not at January.
    document.querySelectorAll(".gantt[data-today-x]:not(.gantt-fluid)").forEach(function (chart) {
      if (chart.scrollWidth <= chart.clientWidth) { return; }
      var label = chart.querySelector(".g-label");
      var x = parseFloat(chart.getAttribute("data-today-x")) + (label ? label.offsetWidth : 0);
      chart.scrollLeft = Math.max(0, x - chart.clientWidth * 0.6);
    });
    document.querySelectorAll("[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
