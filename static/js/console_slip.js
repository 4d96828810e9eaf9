/* The console's "message taken" section (messages_app/console_slip.py).
   Choosing (Enter) a person who is away opens it by itself, with the cursor in
   "Purpose / message": the message is typed once, there, and Alt+3 saves the
   call and the slip together. So a slip takes F2, three letters, Enter, the
   text, Alt+3: the keystrokes of a transfer plus the message.
   The section shows whom the slip is for and, for a person away with a cover,
   who gets it; the call-back number follows the caller's number until the
   operator types another. Uses window.SwitchboardConsole (static/js/console.js). */
(function () {
  "use strict";

  var OUTCOME = "message";

  function api() { return window.SwitchboardConsole; }
  function section() {
    var form = document.getElementById("call-form");
    return form ? form.querySelector('[data-extension-section="' + OUTCOME + '"]') : null;
  }
  function part(name) {
    var s = section();
    return s ? s.querySelector("[data-slip-" + name + "]") : null;
  }
  function sectionField(name) { return api() ? api().field(OUTCOME + "-" + name) : null; }

  function focusMessage() {
    var purpose = api() && api().field("purpose");
    if (!purpose) return;
    purpose.focus();
    var end = purpose.value.length;
    if (purpose.setSelectionRange) purpose.setSelectionRange(end, end);
  }

  /* The call-back number is the caller's unless the operator typed one. */
  function followNumber() {
    var callback = sectionField("callback_number");
    var number = api() && api().field("number");
    var withheld = api() && api().field("withheld");
    if (!callback || !number) return;
    var auto = callback.dataset.autofilled;
    var untouched = auto !== undefined ? callback.value === auto : !callback.value.trim();
    if (!untouched) return;
    var value = withheld && withheld.checked ? "" : number.value.trim();
    callback.value = value;
    callback.dataset.autofilled = value;
  }

  function showSendTo(show) {
    var wrapper = part("send-to");
    if (!wrapper) return;
    wrapper.hidden = !show;
    var select = sectionField("send_to");
    if (!show && select) select.value = "person";
  }

  function describe(item) {
    var s = section();
    var forLabel = part("for");
    var awayLabel = part("away");
    if (!s || !forLabel) return;
    var kind = item.dataset.kind;
    var name = item.dataset.name || "";
    forLabel.textContent = kind === "staff" && item.dataset.department ? name + " · " + item.dataset.department : name;
    var away = kind === "staff" && item.dataset.available === "no";
    var cover = item.dataset.coverName || "";
    if (awayLabel) {
      awayLabel.textContent = away ? "(" + s.dataset.labelAway + (cover ? "; " + s.dataset.labelCover + ": " + cover : "") + ")" : "";
    }
    showSendTo(away && !!cover);
    return away;
  }

  document.addEventListener("console:choose", function (event) {
    var item = event.detail && event.detail.item;
    if (!item || (item.dataset.kind !== "staff" && item.dataset.kind !== "department")) return;
    var away = describe(item);
    if (!away || !api()) return;
    // The person is out: the call becomes a message. Open the section (the
    // first Alt+3 would), or, open already, go back to the message.
    if (!api().openExtension(OUTCOME)) {
      var s = section();
      if (s && !s.hidden) focusMessage();
    }
  });

  document.addEventListener("console:extension-open", function (event) {
    if (!event.detail || event.detail.outcome !== OUTCOME) return;
    followNumber();
    focusMessage();
  });

  document.addEventListener("console:newcall", function () {
    var forLabel = part("for");
    var awayLabel = part("away");
    if (forLabel) forLabel.textContent = "—";
    if (awayLabel) awayLabel.textContent = "";
    showSendTo(false);
    var callback = sectionField("callback_number");
    if (callback) delete callback.dataset.autofilled;
  });

  function onNumberChange(event) {
    var target = event.target;
    if (!target || !target.form || target.form.id !== "call-form") return;
    if (target.name === "number" || target.name === "withheld") followNumber();
  }
  document.addEventListener("input", onNumberChange);
  document.addEventListener("change", onNumberChange);
})();
