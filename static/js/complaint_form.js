/* A complaint on its own page: where it goes ("→ Keuangan (rule: Tagihan)")
   is asked again as the category, product, severity or description change. */
(function () {
  "use strict";

  var timer = null;

  function refresh(delay) {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var box = document.getElementById("complaint-route");
      if (box && window.htmx) htmx.trigger(box, "complaint-route");
    }, delay);
  }

  function inForm(target) {
    return target && target.closest && target.closest("form[data-complaint-fields]");
  }

  document.addEventListener("input", function (event) {
    if (inForm(event.target) && event.target.tagName === "TEXTAREA") refresh(300);
  });
  document.addEventListener("change", function (event) {
    if (inForm(event.target) && event.target.tagName === "SELECT") refresh(0);
  });
})();
