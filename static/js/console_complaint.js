/* The console's complaint section (messages_app/console_complaint.py).
   Alt+4 opens it (console.js), with the cursor on the description (or on the
   category when the purpose already said what happened); Alt+4 again saves
   the call and the complaint together.
   - The description follows the call's purpose until the operator edits it,
     and an empty purpose follows the description: nothing is typed twice.
   - Where the complaint goes ("→ Keuangan (rule: Tagihan)") is asked again as
     the category, product, severity or text change.
   - After the save the reference is shown large at the top of the form, with
     the sentence to read out, until the next call (F2). */
(function () {
  "use strict";

  var routeTimer = null;

  function form() { return document.getElementById("call-form"); }
  function section() {
    var f = form();
    return f ? f.querySelector('[data-extension-section="complaint"]') : null;
  }
  function field(name) {
    var api = window.SwitchboardConsole;
    return api ? api.field(name) : null;
  }
  function purpose() { return field("purpose"); }
  function description() { return field("complaint-description"); }

  function refreshRoute(now) {
    clearTimeout(routeTimer);
    routeTimer = setTimeout(function () {
      var box = document.getElementById("complaint-route");
      var open = section();
      if (box && open && !open.hidden && window.htmx) htmx.trigger(box, "complaint-route");
    }, now ? 0 : 300);
  }

  /* Copy `from` into `to` while `to` is empty or still holds what was copied. */
  function follow(from, to, mark) {
    if (!from || !to) return;
    if (to.value !== "" && to.dataset[mark] !== to.value) return; // typed by the operator
    var limit = to.maxLength > 0 ? to.maxLength : from.value.length;
    to.value = from.value.slice(0, limit);
    to.dataset[mark] = to.value;
  }

  /* The section opens on the category when the purpose already says what
     happened (it is the description); otherwise on the description. */
  document.addEventListener("console:extension-open", function (event) {
    if (!event.detail || event.detail.outcome !== "complaint") return;
    var text = description();
    follow(purpose(), text, "followsPurpose");
    if (text && !text.value.trim()) text.focus();
    refreshRoute(true);
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!form() || !form().contains(target)) return;
    if (target === purpose()) {
      follow(target, description(), "followsPurpose");
      refreshRoute(false);
    } else if (target === description()) {
      follow(target, purpose(), "followsDescription");
      refreshRoute(false);
    } else if (section() && section().contains(target)) {
      refreshRoute(false);
    }
  });

  document.addEventListener("change", function (event) {
    var open = section();
    if (open && open.contains(event.target) && event.target.tagName === "SELECT") refreshRoute(true);
  });

  function forgetSaved() {
    document.querySelectorAll("[data-complaint-saved]").forEach(function (panel) { panel.remove(); });
  }

  document.addEventListener("console:newcall", function () {
    forgetSaved();
    [purpose(), description()].forEach(function (el) {
      if (!el) return;
      delete el.dataset.followsPurpose;
      delete el.dataset.followsDescription;
    });
  });

  /* The saved complaint's panel is rendered inside the fresh form: put it at
     the top, where the operator looks, and keep it until the next call. */
  document.addEventListener("htmx:afterSettle", function () {
    var f = form();
    var panel = f && f.querySelector("[data-complaint-saved]");
    if (panel && f.firstElementChild !== panel) {
      f.insertBefore(panel, f.firstElementChild);
      panel.scrollIntoView({ block: "nearest" });
    }
  });
})();
