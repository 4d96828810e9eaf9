/* The operator console, keyboard first.
   F2 / Alt+N: new call (a clean form, timer starts, cursor in the search box).
   Alt+S: the search box; ↑/↓ choose a result, Enter takes it into the call, Esc clears.
   Alt+P: the caller's number (looked up as it is typed).  Alt+E: correct my last call.
   Alt+1…Alt+9: the outcome buttons (they save the call). */
(function () {
  "use strict";

  var startedAt = null;
  var formSwapped = false; // the form was swapped and htmx has not settled it yet
  var keyAfterSettle = null; // an outcome key pressed in that moment
  var lastLookup = null; // the number the caller panel was last asked about
  var ticker = null;
  var chooseOnArrival = null; // the query whose first result Enter asked for
  var pendingOutcome = null; // an outcome key pressed while that choice was on its way

  function $(id) { return document.getElementById(id); }
  function form() { return $("call-form"); }
  function field(name) { var f = form(); return f ? f.elements.namedItem(name) : null; }
  function setValue(name, value) { var el = field(name); if (el) el.value = value == null ? "" : value; }
  function setText(id, text) { var el = $(id); if (el) el.textContent = text || "—"; }
  function searchBox() { return $("console-q"); }
  function root() { return document.querySelector("[data-console]"); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function showTime() {
    var timer = $("console-timer");
    if (!timer) return;
    var seconds = startedAt ? Math.max(0, Math.floor((Date.now() - startedAt.getTime()) / 1000)) : 0;
    timer.textContent = pad(Math.floor(seconds / 60)) + ":" + pad(seconds % 60);
  }
  function startTimer() {
    startedAt = new Date();
    setValue("started_at", startedAt.toISOString());
    clearInterval(ticker);
    ticker = setInterval(showTime, 1000);
    showTime();
  }
  function stopTimer() {
    startedAt = null;
    clearInterval(ticker);
    ticker = null;
    showTime();
  }
  function ensureStarted() {
    if (!startedAt) {
      var sent = field("started_at");
      if (sent && sent.value) { // the form came back with an error: keep its start
        startedAt = new Date(sent.value);
        if (isNaN(startedAt.getTime())) { startTimer(); return; }
        clearInterval(ticker);
        ticker = setInterval(showTime, 1000);
        showTime();
      } else {
        startTimer();
      }
    }
  }

  function clearSearch() {
    var box = searchBox();
    if (box) box.value = "";
    var results = $("console-results");
    if (results) { results.innerHTML = ""; results.dataset.query = ""; }
    var answer = $("console-answer");
    if (answer) answer.innerHTML = "";
  }

  /* The status line: what happened, or why a key did nothing. */
  function say(text, tone) {
    var status = $("console-status");
    if (!status) return;
    status.textContent = text || "";
    status.classList.remove("text-success", "text-danger", "text-warning-emphasis");
    if (text) status.classList.add(tone === "refused" ? "text-danger" : "text-success");
  }

  /* What "New call" puts back: the form's initial values (data-blank), never the
     values the form was rendered with: after a refused save those are the
     previous caller's, and form.reset() would bring them back. */
  function blankValues() {
    var f = form();
    try { return JSON.parse((f && f.dataset.blank) || "{}"); } catch (e) { return {}; }
  }

  function clearField(el, blank) {
    var value = Object.prototype.hasOwnProperty.call(blank, el.name) ? blank[el.name] : "";
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = false;
      el.defaultChecked = false;
    } else if (el.tagName === "SELECT") {
      Array.prototype.forEach.call(el.options, function (option) {
        option.defaultSelected = option.value === value;
      });
      el.value = value;
      if (el.selectedIndex < 0) el.selectedIndex = 0;
    } else {
      el.value = value;
      el.defaultValue = value;
    }
    el.classList.remove("is-invalid");
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
    delete el.dataset.autofilled;
  }

  function clearCall() {
    var f = form();
    if (f) {
      var blank = blankValues();
      Array.prototype.forEach.call(f.elements, function (el) {
        if (!el.name || el.name === "csrfmiddlewaretoken" || el.tagName === "BUTTON") return;
        clearField(el, blank);
      });
      f.querySelectorAll("[data-error-for]").forEach(function (el) { el.remove(); });
      f.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
      ["console-asked-for", "console-transfer", "console-info", "console-requested-by"].forEach(function (id) { setText(id, ""); });
      var hint = $("console-transfer-hint");
      if (hint) hint.textContent = "";
    }
    lastLookup = null;
    var caller = $("console-caller");
    if (caller) caller.innerHTML = "";
    clearSearch();
    closeExtensions();
    applyDirection();
  }

  function newCall() {
    clearCall();
    startTimer();
    say("");
    var box = searchBox();
    if (box) box.focus();
    document.dispatchEvent(new CustomEvent("console:newcall", { detail: { form: form() } }));
  }

  /* Nothing to save: no call was started (F2, or typing) and nothing was typed
     or chosen. The server has its own rules; this only stops a stray key. */
  function callIsEmpty() {
    var f = form();
    if (!f || startedAt) return false;
    var blank = blankValues();
    return !Array.prototype.some.call(f.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.tagName === "BUTTON") return false;
      if (el.type === "checkbox") return el.checked;
      var value = (el.value || "").trim();
      return value !== "" && value !== (blank[el.name] || "");
    });
  }

  function refuseEmptyCall() {
    if (!callIsEmpty()) return false;
    say(root().dataset.msgEmpty, "refused");
    return true;
  }

  /* Direction decides which outcome buttons and fields apply. */
  function applyDirection() {
    var f = form();
    if (!f) return;
    var current = direction();
    f.querySelectorAll("[data-show-for]").forEach(function (el) {
      var on = el.dataset.showFor.split(" ").indexOf(current) >= 0;
      el.hidden = !on;
      if (el.tagName === "BUTTON") el.disabled = !on;
    });
  }

  /* Search results */
  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#console-results .console-result"));
  }
  var resultList = window.SwitchboardResultList; // static/js/switchboard.js
  // Wire swapped content up at once (htmx waits 20 ms by default), so a key
  // pressed just after an answer arrives meets a live form.
  if (window.htmx) htmx.config.defaultSettleDelay = 0;

  function showAnswer(item) {
    var panel = $("console-answer");
    if (!panel) return;
    panel.innerHTML = "";
    var card = document.createElement("div");
    var internal = item.dataset.disclosure === "internal";
    card.className = "alert py-2 mb-0 " + (internal ? "alert-danger" : "alert-secondary");
    card.setAttribute("data-answer-disclosure", item.dataset.disclosure || "");
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = item.dataset.name + " ";
    var badge = document.createElement("span");
    badge.className = "badge sb-disclosure-" + item.dataset.disclosure;
    badge.textContent = item.dataset.disclosureLabel || "";
    title.appendChild(badge);
    card.appendChild(title);
    if (internal) {
      var warning = document.createElement("div");
      warning.className = "fw-bold text-danger";
      warning.textContent = panel.dataset.warning || "Internal: do not disclose to the caller.";
      card.appendChild(warning);
    }
    var text = document.createElement("div");
    text.className = "sb-pre-line";
    var source = item.querySelector(".console-answer-text");
    text.textContent = source ? source.textContent : "";
    card.appendChild(text);
    panel.appendChild(card);
  }

  function choose(item) {
    if (!item || !form()) return;
    ensureStarted();
    chooseInto(item);
    // Tell the apps' scripts what was chosen, once it is in the call (a slip
    // pre-fills its recipient; an absent person's slip opens itself).
    document.dispatchEvent(new CustomEvent("console:choose", { detail: { item: item, form: form() } }));
  }

  function chooseInto(item) {
    var kind = item.dataset.kind;
    var name = item.dataset.name;
    if (kind === "info") {
      setValue("info_entry", item.dataset.id);
      setValue("info_label", name);
      setText("console-info", name);
      showAnswer(item);
      return;
    }
    if (direction() === "out" && kind === "staff") {
      setValue("requested_by", item.dataset.id);
      setValue("requested_by_label", name);
      setText("console-requested-by", name);
      return;
    }
    var label = name + (item.dataset.department && kind === "staff" ? " · " + item.dataset.department : "");
    if (kind === "staff") {
      setValue("asked_for_staff", item.dataset.id);
      setValue("asked_for_department", "");
    } else if (kind === "department") {
      setValue("asked_for_staff", "");
      setValue("asked_for_department", item.dataset.id);
    }
    if (kind === "staff" || kind === "department") {
      setValue("asked_for_label", label);
      setText("console-asked-for", label);
    }
    var transfer = item.dataset.transferNumber || "";
    setValue("transferred_to", item.dataset.transferId || "");
    var hint = "";
    if (item.dataset.viaCover === "yes") {
      hint = name + " " + (root().dataset.labelViaCover || "") + ": " + item.dataset.coverName;
      transfer += " (" + item.dataset.coverName + ")";
    } else if (kind === "staff" && item.dataset.available === "no") {
      hint = name + " " + (root().dataset.labelAway || "");
    }
    setValue("transfer_label", transfer);
    setText("console-transfer", transfer);
    var hintBox = $("console-transfer-hint");
    if (hintBox) hintBox.textContent = hint;
  }

  function direction() { return (field("direction") || {}).value || "in"; }

  /* An outcome an app took over (calls/extensions.py: "message taken" is a
     message slip, "complaint" a complaint) first opens its section of the form,
     with the cursor in its first field; the same key (or the button) again saves
     the call with it. The apps' own scripts listen to the console:* events. */
  function extensionSection(outcome) {
    var f = form();
    return f ? f.querySelector('[data-extension-section="' + outcome + '"]') : null;
  }
  function closeExtensions() {
    var f = form();
    if (!f) return;
    f.querySelectorAll("[data-extension-section]").forEach(function (section) { section.hidden = true; });
  }
  function openExtension(button) {
    var section = extensionSection(button.value);
    if (!section || !section.hidden) return false;
    closeExtensions();
    section.hidden = false;
    var first = section.querySelector("[data-extension-focus]") ||
      section.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus();
    say(section.dataset.hint || "");
    document.dispatchEvent(new CustomEvent("console:extension-open", {
      detail: { outcome: button.value, section: section, form: form() }
    }));
    return true;
  }

  function pressOutcome(key) {
    var f = form();
    if (!f) return;
    if (formSwapped) {
      // The form that came back is not wired up yet (htmx settles it a moment
      // later); a click now would post it as a plain page. Press it then.
      keyAfterSettle = key;
      return;
    }
    var button = f.querySelector('button[data-outcome-key="' + key + '"]');
    if (!button) return;
    if (button.disabled || button.hidden) {
      // Say why nothing happens: this outcome is not one of this direction's.
      say(button.getAttribute("data-refused-" + direction()) || "", "refused");
      return;
    }
    if (refuseEmptyCall()) return;
    ensureStarted();
    button.click();
  }

  function correctLastCall() {
    var link = $("console-edit-last");
    if (link) window.location.assign(link.href);
    else say(root().dataset.msgNoCorrection, "refused");
  }

  /* Could this be a phone number yet? Digits with the usual separators, at
     least six of them, and an "ext 12" the server understands. */
  function couldBeNumber(text) {
    var bare = text.replace(/\s*(ext\.?|ekst\.?|x|#)\s*\d*\s*$/i, "");
    if (!/^\+?[\d\s().\-\/]+$/.test(bare)) return false;
    return bare.replace(/\D/g, "").length >= 6;
  }

  /* A known caller fills in the name, company and kind, unless the operator
     typed them; what an earlier lookup filled in is replaced. */
  function fillFromCaller(known) {
    [["caller_name", known ? known.dataset.name : ""], ["caller_company", known ? known.dataset.company : ""],
      ["caller_kind", known ? known.dataset.kind : ""]].forEach(function (pair) {
      var el = field(pair[0]);
      if (!el) return;
      var auto = el.dataset.autofilled;
      var untouched = auto !== undefined ? el.value === auto : (!el.value.trim() || (el.tagName === "SELECT" && el.value === (blankValues()[el.name] || "")));
      if (!untouched) return;
      if (pair[1]) {
        el.value = pair[1];
        el.dataset.autofilled = el.value;
      } else if (auto !== undefined) {
        el.value = el.tagName === "SELECT" ? (blankValues()[el.name] || "") : "";
        delete el.dataset.autofilled;
      }
    });
  }

  function onSearchKey(event, box) {
    var items = results();
    if (resultList.move(event, items, box)) return;
    var index = resultList.current(items);
    if (event.key === "Enter") {
      event.preventDefault();
      if (!box.value.trim()) return;
      var shownFor = $("console-results").dataset.query;
      if (items.length && index >= 0 && shownFor === box.value) {
        choose(items[index]);
      } else {
        // Faster than the type-ahead: ask now, take the top result when it comes.
        chooseOnArrival = box.value;
        htmx.trigger(box, "search");
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      clearSearch();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!root()) return;
    var code = event.code || "";
    if (event.key === "F2" || (event.altKey && code === "KeyN")) {
      event.preventDefault();
      newCall();
      return;
    }
    if (event.altKey && code === "KeyS") {
      event.preventDefault();
      var box = searchBox();
      box.focus();
      box.select();
      return;
    }
    if (event.altKey && code === "KeyE") {
      event.preventDefault();
      correctLastCall();
      return;
    }
    if (event.altKey && code === "KeyP") {
      event.preventDefault();
      var number = field("number");
      if (number) { number.focus(); number.select(); }
      return;
    }
    var digit = /^(Digit|Numpad)([1-9])$/.exec(code);
    if (event.altKey && digit) {
      event.preventDefault();
      if (chooseOnArrival !== null) pendingOutcome = digit[2];
      else pressOutcome(digit[2]);
      return;
    }
    if (event.target === searchBox()) onSearchKey(event, event.target);
  });

  document.addEventListener("click", function (event) {
    if (!root() || !event.target.closest) return;
    if (event.target.closest("[data-console-new]")) {
      newCall();
      return;
    }
    var extensionButton = event.target.closest("#call-form button[data-extension]");
    if (extensionButton && openExtension(extensionButton)) {
      event.preventDefault(); // the first press opens the section; the next one saves
      return;
    }
    var item = event.target.closest && event.target.closest("#console-results .console-result");
    if (item) {
      resultList.highlight(results(), results().indexOf(item), searchBox());
      choose(item);
    }
  });

  // Typing a name or a number starts the timer if F2 was skipped.
  document.addEventListener("input", function (event) {
    if (!root()) return;
    if (event.target === searchBox() || (form() && form().contains(event.target))) ensureStarted();
  });

  document.addEventListener("change", function (event) {
    var f = form();
    if (!f || !f.contains(event.target)) return;
    if (event.target.name === "direction") {
      closeExtensions();
      applyDirection();
    }
    if (event.target.name === "category") {
      var option = event.target.selectedOptions[0];
      var chosen = field("asked_for_staff").value || field("asked_for_department").value;
      if (option && option.dataset.departmentId && !chosen) {
        setValue("asked_for_department", option.dataset.departmentId);
        setValue("asked_for_label", option.dataset.departmentName);
        setText("console-asked-for", option.dataset.departmentName);
      }
    }
    if (event.target.name === "withheld" && event.target.checked) {
      var caller = $("console-caller");
      if (caller) caller.innerHTML = "";
      lastLookup = null;
    }
  });

  // A mouse click on an outcome with nothing to save is stopped like its key.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (elt === form()) {
      if (refuseEmptyCall()) event.preventDefault();
      return;
    }
    if (elt === field("number")) {
      // Ask only about what could be a number, and not twice about the same one
      // (typing asks, and leaving the field would ask again).
      var value = elt.value.trim();
      var withheld = field("withheld");
      if ((withheld && withheld.checked) || value === lastLookup || (value && !couldBeNumber(value))) {
        event.preventDefault();
        return;
      }
      lastLookup = value;
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (event.detail.elt === field("number") && trigger && trigger.type === "input") {
      event.detail.parameters.typing = "1";
    }
  });

  // A form with errors comes back as 422: show it, it is not a failure of the page.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    if (target.id === "console-results") {
      var shown = resultList.markShown(target);
      if (chooseOnArrival !== null && chooseOnArrival === shown) {
        chooseOnArrival = null;
        choose(results()[0]);
        if (pendingOutcome !== null) {
          var key = pendingOutcome;
          pendingOutcome = null;
          pressOutcome(key);
        }
      }
    } else if (target.id === "console-caller") {
      fillFromCaller(target.querySelector('[data-caller-state="known"]'));
    }
  });

  // After a swap of the form (error or saved), re-apply the direction.
  document.addEventListener("htmx:load", function () { applyDirection(); });

  // The server saved the call (HX-Trigger, before the fresh form is swapped in).
  var focusSearchAfterSwap = false;
  document.addEventListener("callSaved", function () {
    stopTimer();
    var caller = $("console-caller");
    if (caller) caller.innerHTML = "";
    clearSearch();
    lastLookup = null;
    focusSearchAfterSwap = true;
  });
  // The form's own answer (saved, or back with errors) settles once; the caller
  // panel and the search results settle too, and must not move the cursor.
  document.addEventListener("htmx:afterSwap", function (event) {
    var config = event.detail.requestConfig;
    if (config && config.elt && config.elt.id === "call-form") formSwapped = true;
  }, true);
  document.addEventListener("htmx:afterSettle", function () {
    var f = form();
    if (!f || !formSwapped) return;
    formSwapped = false;
    if (keyAfterSettle !== null) {
      var key = keyAfterSettle;
      keyAfterSettle = null;
      focusSearchAfterSwap = false;
      pressOutcome(key);
      return;
    }
    if (focusSearchAfterSwap) {
      focusSearchAfterSwap = false;
      applyDirection();
      var box = searchBox();
      if (box) box.focus();
      return;
    }
    var firstError = f.querySelector("[data-error-for]");
    if (firstError) {
      // The form came back with errors: go to the first field at fault (for a
      // choice made in the search, the search box; for the outcome, its button).
      var name = firstError.dataset.errorFor;
      var target = field(name);
      if (name === "outcome") target = f.querySelector("button[data-outcome-key]:not([hidden])");
      if (!target || target.type === "hidden" || !target.focus || (target.length && !target.tagName)) target = searchBox();
      target.focus();
      say(root().dataset.msgNotSaved, "refused");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!root()) return;
    applyDirection();
    var results = $("console-results");
    if (results) results.dataset.query = "";
    var box = searchBox();
    if (box) box.focus();
  });
  /* What the apps' console scripts may use (calls/extensions.py). */
  window.SwitchboardConsole = {
    field: field,
    say: say,
    /* Open an outcome's section as its first key press would; false if that
       outcome does not apply to the call's direction or is open already. */
    openExtension: function (outcome) {
      var f = form();
      var button = f && f.querySelector('button[data-extension="' + outcome + '"]');
      return !!button && !button.hidden && !button.disabled && openExtension(button);
    }
  };
})();
