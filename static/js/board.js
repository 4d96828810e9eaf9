/* The in/out board by keyboard: Tab to a person's "Change", Enter opens the
   form in the row with the cursor in it; Enter saves, Esc gives the row back
   unchanged, and the cursor returns to that row's "Change". A refused change
   (a back-at time in the past) comes back as 422 with the error next to the
   field, and the cursor goes to that field. */
(function () {
  "use strict";

  // Wire swapped rows up at once: with htmx's default 20 ms settle, an Enter on
  // a row's "Change" in that moment followed the plain link to another page.
  if (window.htmx) htmx.config.defaultSettleDelay = 0;

  function board() { return document.querySelector("[data-board]"); }
  function inBoard(el) { var b = board(); return b && el && b.contains(el); }

  // htmx leaves 4xx answers unswapped; a refused change is a form to show.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && inBoard(event.detail.target)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // "Show everyone" empties the filter itself, then asks again.
  document.addEventListener("click", function (event) {
    var clear = event.target.closest && event.target.closest("[data-board-clear]");
    var filter = document.querySelector(".sb-board-filter");
    if (!clear || !filter) return;
    event.preventDefault();
    Array.prototype.forEach.call(filter.elements, function (el) {
      if (el.name) el.value = "";
    });
    htmx.trigger(filter, "submit");
    var q = filter.elements.namedItem("q");
    if (q) q.focus();
  }, true);

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("[data-presence-form]");
    if (!form) return;
    if (event.key === "Escape") {
      event.preventDefault();
      var cancel = form.querySelector("[data-presence-cancel]");
      if (cancel) cancel.click();
    } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
      // Enter in a text box submits the form by itself; in a list box it does not.
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // After a swap, put the cursor where the person is working: into the form
  // (its first field at fault, else the presence), or back on the row's "Change".
  document.addEventListener("htmx:afterSettle", function (event) {
    var el = event.target;
    if (!inBoard(el) || !el.matches) return;
    if (el.matches("[data-presence-form-row]")) {
      var error = el.querySelector("[data-error-for]");
      var target = null;
      if (error) target = el.querySelector('[name="' + error.dataset.errorFor + '"]');
      if (!target) target = el.querySelector('select[name="presence"]');
      if (target) target.focus();
    } else if (el.matches("[data-presence-row]")) {
      var change = el.querySelector("[data-presence-change]");
      if (change) change.focus();
    }
  });
})();
