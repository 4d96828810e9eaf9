/* The complaint list and its report: "/" jumps to the keyword search and
   Enter in a list box filters; ticking rows (one by
   one, or every row of the page at once) counts them for the bulk form; the
   bulk form shows the fields its action needs. Without JavaScript the page
   still filters, ticks and posts; only "tick all" and the hiding need it. */
(function () {
  "use strict";

  function ticks() {
    return Array.prototype.slice.call(document.querySelectorAll("input[data-tick]"));
  }

  function countTicked() {
    var all = ticks();
    var ticked = all.filter(function (box) { return box.checked; }).length;
    var status = document.getElementById("complaint-bulk-count");
    if (status) {
      var text = ticked === 0 ? status.dataset.none
        : ticked === 1 ? status.dataset.one
        : status.dataset.many.replace("%(n)s", String(ticked));
      status.textContent = text;
    }
    var master = document.querySelector("input[data-select-all]");
    if (master) {
      master.checked = all.length > 0 && ticked === all.length;
      master.indeterminate = ticked > 0 && ticked < all.length;
    }
    return ticked;
  }

  function showFieldsFor(action) {
    document.querySelectorAll("[data-bulk-for]").forEach(function (part) {
      var wanted = part.dataset.bulkFor.split(" ").indexOf(action) !== -1;
      part.hidden = !wanted;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-select-all]")) {
      ticks().forEach(function (box) { box.checked = target.checked; });
      countTicked();
    } else if (target.matches("input[data-tick]")) {
      countTicked();
    } else if (target.matches("select[data-bulk-action]")) {
      showFieldsFor(target.value);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-complaint-bulk]") && countTicked() === 0) {
      event.preventDefault();
      var first = ticks()[0];
      if (first) first.focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    // Enter in a filter's list box filters, as it does in its text fields.
    var list = event.target;
    if (event.key === "Enter" && list.matches("form[data-complaint-filter] select") && list.form) {
      event.preventDefault();
      list.form.requestSubmit();
      return;
    }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (event.key === "/" && !typing && !event.altKey && !event.ctrlKey && !event.metaKey) {
      var box = document.getElementById("id_q");
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var action = document.querySelector("select[data-bulk-action]");
    if (action) showFieldsFor(action.value);
    countTicked();
  });
})();
