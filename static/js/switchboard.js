/* Keyboard use of the directory search: ↑/↓ move through results, Enter opens
   the chosen one, "/" or Alt+S jumps back to the search box from anywhere. */
(function () {
  "use strict";

  var openOnArrival = null;

  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#sb-results .sb-result"));
  }

  /* A result list with one highlighted entry, moved with ↑/↓. Shared with the
     operator console (static/js/console.js) as window.SwitchboardResultList. */
  var resultList = {
    current: function (items) {
      for (var i = 0; i < items.length; i++) {
        if (items[i].classList.contains("active")) return i;
      }
      return -1;
    },
    highlight: function (items, index, box) {
      items.forEach(function (item, i) {
        var on = i === index;
        item.classList.toggle("active", on);
        item.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          item.scrollIntoView({ block: "nearest" });
          if (box) box.setAttribute("aria-activedescendant", item.id);
        }
      });
    },
    /* Handles ↑/↓; true when the key was one of them. */
    move: function (event, items, box) {
      if (!items.length || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return false;
      event.preventDefault();
      var index = resultList.current(items);
      var next = event.key === "ArrowDown" ? Math.min(index + 1, items.length - 1) : Math.max(index - 1, 0);
      resultList.highlight(items, next, box);
      return true;
    },
    /* Remember which query the results shown in `target` answer (the server
       marks the list with data-results-for); returns that query. */
    markShown: function (target) {
      var marker = target.querySelector("[data-results-for]");
      target.dataset.query = marker ? marker.dataset.resultsFor : "";
      return target.dataset.query;
    },
  };
  window.SwitchboardResultList = resultList;

  function open(item) {
    if (item && item.dataset.url) window.location.assign(item.dataset.url);
  }

  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("sb-q");
    if (!box) return;
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if ((event.key === "/" && !typing) || (event.altKey && (event.key === "s" || event.key === "S"))) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.target !== box) return;
    var items = results();
    if (resultList.move(event, items, box)) return;
    var index = resultList.current(items);
    if (event.key === "Enter") {
      // Enter opens the highlighted result once the results match what was typed;
      // otherwise the form submits and the server answers with the same list.
      // If the operator was faster than the type-ahead, ask now and open the
      // top result as soon as it arrives.
      var shownFor = document.getElementById("sb-results").dataset.query;
      if (!box.value.trim()) return;
      event.preventDefault();
      if (items.length && index >= 0 && shownFor === box.value) {
        open(items[index]);
      } else {
        openOnArrival = box.value;
        htmx.trigger(box, "search");
      }
    } else if (event.key === "Escape") {
      box.value = "";
      htmx.trigger(box, "search");
    }
  });

  document.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest("#sb-results .sb-result");
    if (item && !event.target.closest("a")) open(item);
  });

  // Remember which query the results on screen belong to.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "sb-results") {
      var shown = resultList.markShown(event.detail.target);
      if (openOnArrival !== null && openOnArrival === shown) {
        openOnArrival = null;
        open(results()[0]);
      }
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.getElementById("sb-results");
    if (target) resultList.markShown(target);
  });
  // Letters typed before htmx took the box over fired no request: once it has,
  // search for what the box holds if the results on screen are for something else.
  var caughtUp = false;
  document.addEventListener("htmx:load", function () {
    var box = document.getElementById("sb-q");
    var target = document.getElementById("sb-results");
    if (caughtUp || !box || !target) return;
    caughtUp = true;
    if (box.value.trim() && box.value !== target.dataset.query) htmx.trigger(box, "search");
  });
})();

/* Behaviour that used to sit in inline handlers (onchange=, onclick=), which the
   Content-Security-Policy forbids: a select marked data-submit-on-change submits
   its form when changed (the language menu); a button marked data-print opens
   the print dialog (the phone list). */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
