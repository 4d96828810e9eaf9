/* "My messages" and the slip page: an action on a slip in a list answers with
   the slip as it now is. A refusal (422) or a change someone else made a moment
   before (409) comes back the same way, with its message in the row: show it,
   it is not a failure of the page. The cursor stays on the slip. */
(function () {
  "use strict";

  function inList(el) { return el && el.closest && el.closest("[data-slip-list]"); }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && inList(event.detail.target)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  var focusAfter = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var item = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-slip-item]");
    focusAfter = item ? item.dataset.slipId : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (focusAfter === null) return;
    var item = document.querySelector('[data-slip-item][data-slip-id="' + focusAfter + '"]');
    focusAfter = null;
    if (!item) return;
    var target = item.querySelector("button, a");
    if (target) target.focus();
  });
})();
