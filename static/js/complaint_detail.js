/* A complaint's page, keyboard first. Alt+K acknowledge, Alt+W start work,
   Alt+R the resolve box (what the customer was told), Alt+X close, Alt+O the
   reopen box, Alt+G assign, Alt+T re-route, Alt+M a comment; Ctrl+Enter in a
   box sends its form. The forms are sent by htmx and the page's main part
   comes back: with the errors next to their fields (422), or with the current
   state after someone else's change (409). */
(function () {
  "use strict";

  function main() { return document.getElementById("complaint-main"); }

  document.addEventListener("keydown", function (event) {
    var root = main();
    if (!root) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey && /^Key[A-Z]$/.test(event.code || "")) {
      var key = event.code.slice(3).toLowerCase();
      var target = root.querySelector('[data-shortcut="' + key + '"]');
      if (!target) return;
      event.preventDefault();
      if (target.tagName === "BUTTON") target.click();
      else target.focus();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches &&
        event.target.matches("textarea[data-submit-with-ctrl-enter]")) {
      event.preventDefault();
      var form = event.target.form;
      if (form && form.requestSubmit) form.requestSubmit();
      else if (form) form.submit();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && event.detail.target && event.detail.target.id === "complaint-main") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  /* After an answer: the first field at fault, else the reference (so the
     new state is read out), and the keys work on the new part at once. */
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = main();
    if (!root || event.detail.target !== root) return;
    var error = root.querySelector("[data-error-for]");
    var form = error && error.closest("form");
    var fieldAtFault = form && form.querySelector('[name="' + error.dataset.errorFor + '"]');
    if (fieldAtFault && fieldAtFault.focus && fieldAtFault.type !== "hidden") {
      fieldAtFault.focus();
      return;
    }
    var heading = document.getElementById("complaint-reference");
    if (heading) heading.focus();
  });
})();
