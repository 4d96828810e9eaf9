/* The supervisor's dashboard: htmx polls the body (hx-trigger "every Ns");
   R (outside a field) refreshes at once. The link that had the keyboard's
   focus keeps it across a refresh, so a supervisor tabbing through the
   dashboard is not thrown back to the top every half minute. */
(function () {
  "use strict";

  var body = document.getElementById("dashboard-body");
  if (!body) return;
  var focusedHref = null;

  document.addEventListener("keydown", function (event) {
    if (event.key !== "r" && event.key !== "R") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    event.preventDefault();
    window.htmx.trigger(body, "dashboard:refresh");
  });

  body.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focusedHref = active && body.contains(active) && active.getAttribute("href");
  });
  body.addEventListener("htmx:afterSwap", function () {
    if (!focusedHref) return;
    var links = body.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("href") === focusedHref) { links[i].focus(); break; }
    }
    focusedHref = null;
  });
})();
