/* A slip on its own (messages_app slip-new): the cursor starts in the first
   field (whom it is for); Ctrl+Enter saves from anywhere in the form. */
(function () {
  "use strict";

  function form() { return document.querySelector("[data-slip-form]"); }

  document.addEventListener("DOMContentLoaded", function () {
    var f = form();
    if (!f) return;
    var first = f.querySelector(".is-invalid") ||
      f.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
  });

  document.addEventListener("keydown", function (event) {
    var f = form();
    if (!f || !f.contains(event.target)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      f.requestSubmit();
    }
  });
})();
