/* The operator console, keyboard first.
   F2 / Alt+N: new call (timer starts, cursor in the search box).
   Alt+S: the search box; ↑/↓ choose a result, Enter takes it into the call, Esc clears.
   Alt+P: the caller's number.  Alt+1…Alt+9: the outcome buttons (they save the call). */
(function () {
  "use strict";

  var startedAt = null;
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

  function clearCall() {
    var f = form();
    if (f) {
      f.reset();
      ["started_at", "asked_for_staff", "asked_for_department", "transferred_to", "info_entry",
        "requested_by", "asked_for_label", "transfer_label", "requested_by_label", "info_label"]
        .forEach(function (name) { setValue(name, ""); });
      f.querySelectorAll("[data-error-for]").forEach(function (el) { el.remove(); });
      f.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
      ["console-asked-for", "console-transfer", "console-info", "console-requested-by"].forEach(function (id) { setText(id, ""); });
      var hint = $("console-transfer-hint");
      if (hint) hint.textContent = "";
    }
    var caller = $("console-caller");
    if (caller) caller.innerHTML = "";
    clearSearch();
    applyDirection();
  }

  function newCall() {
    clearCall();
    startTimer();
    var status = $("console-status");
    if (status) status.textContent = "";
    var box = searchBox();
    if (box) box.focus();
  }

  /* Direction decides which outcome buttons and fields apply. */
  function applyDirection() {
    var f = form();
    if (!f) return;
    var direction = (field("direction") || {}).value || "in";
    f.querySelectorAll("[data-show-for]").forEach(function (el) {
      var on = el.dataset.showFor.split(" ").indexOf(direction) >= 0;
      el.hidden = !on;
      if (el.tagName === "BUTTON") el.disabled = !on;
    });
  }

  /* Search results */
  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#console-results .console-result"));
  }
  var resultList = window.SwitchboardResultList; // static/js/switchboard.js

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
    text.style.whiteSpace = "pre-line";
    var source = item.querySelector(".console-answer-text");
    text.textContent = source ? source.textContent : "";
    card.appendChild(text);
    panel.appendChild(card);
  }

  function choose(item) {
    if (!item || !form()) return;
    ensureStarted();
    var kind = item.dataset.kind;
    var name = item.dataset.name;
    var direction = (field("direction") || {}).value || "in";
    if (kind === "info") {
      setValue("info_entry", item.dataset.id);
      setValue("info_label", name);
      setText("console-info", name);
      showAnswer(item);
      return;
    }
    if (direction === "out" && kind === "staff") {
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

  function pressOutcome(key) {
    var f = form();
    if (!f) return;
    var button = f.querySelector('button[data-outcome-key="' + key + '"]');
    if (button && !button.disabled && !button.hidden) {
      ensureStarted();
      button.click();
    }
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
    if (event.target.closest && event.target.closest("[data-console-new]")) {
      newCall();
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
    if (event.target.name === "direction") applyDirection();
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
      var known = target.querySelector('[data-caller-state="known"]');
      if (known) {
        [["caller_name", known.dataset.name], ["caller_company", known.dataset.company]].forEach(function (pair) {
          var el = field(pair[0]);
          if (el && !el.value.trim() && pair[1]) el.value = pair[1];
        });
        var kind = field("caller_kind");
        if (kind && (!kind.value || kind.value === "unknown") && known.dataset.kind) kind.value = known.dataset.kind;
      }
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
    focusSearchAfterSwap = true;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var f = form();
    var firstError = f && !focusSearchAfterSwap && f.querySelector("[data-error-for]");
    if (firstError) {
      // The form came back with errors: go to the first field at fault (for a
      // choice made in the search, the search box).
      var target = field(firstError.dataset.errorFor);
      if (!target || target.type === "hidden" || !target.focus) target = searchBox();
      if (document.activeElement === document.body || !document.activeElement) target.focus();
    }
    if (focusSearchAfterSwap) {
      focusSearchAfterSwap = false;
      applyDirection();
      var box = searchBox();
      if (box) box.focus();
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
})();
