/* The desk's board of open messages, by keyboard.
   ↑/↓ choose a message, Enter opens it, R sends it again, G re-routes it (a
   dialog with a person picker and the reason), C closes it as done (a dialog
   with a note; Enter saves, Esc cancels). The board asks for its rows again
   every 20 seconds (htmx); the chosen message stays chosen and the cursor stays
   where it was, and no refresh happens while a dialog is open.
   Each action answers with the row as it now is (or, when someone else changed
   the message a moment before, as it stands), and the status line says what
   happened. */
(function () {
  "use strict";

  var selectedId = null;

  function board() { return document.querySelector("[data-slip-board]"); }
  function body() { return document.getElementById("slip-board-body"); }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#slip-board-body [data-slip-row]"));
  }
  function byId(id) {
    return rows().filter(function (row) { return row.dataset.slipId === id; })[0] || null;
  }
  function selected() { return selectedId === null ? null : byId(selectedId); }
  function openDialog() { return document.querySelector("dialog.sb-slip-dialog[open]"); }

  function say(text, ok) {
    var status = document.getElementById("slip-board-status");
    if (!status) return;
    status.textContent = text || "";
    status.classList.remove("text-success", "text-danger");
    if (text) status.classList.add(ok === false ? "text-danger" : "text-success");
  }

  function select(row, focus) {
    rows().forEach(function (r) {
      var on = r === row;
      r.classList.toggle("table-active", on);
      r.setAttribute("aria-selected", on ? "true" : "false");
      r.tabIndex = on ? 0 : -1;
    });
    if (!row) return;
    selectedId = row.dataset.slipId;
    if (focus) row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(selected());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
    select(all[next], true);
  }

  function csrfToken() {
    var input = document.querySelector("[data-slip-board] input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function parseRow(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.querySelector("[data-slip-row]");
  }

  /* POST to an action; resolves with {status, row} (row: the answer's row). */
  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.text().then(function (text) {
        return { status: response.status, row: parseRow(text) };
      });
    });
  }

  /* Ask for the rows now, as the 20-second poll does. */
  function refresh() {
    if (window.htmx && body()) htmx.trigger(body(), "slips:refresh");
  }

  function failed() {
    say(board().dataset.msgFailed, false);
    refresh();
  }

  /* Put the answer's row in place of the old one and say what happened.
     True when the action is over (done, or refused because of a conflict). */
  function showAnswer(oldRow, answer) {
    if (!answer.row) { failed(); return true; }
    var ok = answer.row.dataset.flashOk !== "no";
    if (answer.status === 200 || answer.status === 409) {
      if (oldRow && oldRow.parentNode) oldRow.replaceWith(answer.row);
      select(answer.row, !openDialog());
      say(answer.row.dataset.flash, ok);
      return true;
    }
    return false; // 422: refused, the dialog shows why
  }

  function resend(row) {
    var data = new FormData();
    data.append("version", row.dataset.version);
    data.append("row", "board");
    say(board().dataset.msgSending);
    post(row.dataset.resendUrl, data).then(function (answer) {
      if (!showAnswer(row, answer)) say(answer.row.dataset.flash, false);
    }, failed);
  }

  function resetForm(form) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" && (el.name === "csrfmiddlewaretoken" || el.name === "row")) return;
      if (el.tagName === "SELECT") el.selectedIndex = 0;
      else if (el.type !== "submit" && el.type !== "button") el.value = "";
    });
    var error = form.querySelector("[data-slip-dialog-error]");
    if (error) error.textContent = "";
  }

  function openAction(dialogId, url, row) {
    var dialog = document.getElementById(dialogId);
    if (!dialog || !row) return;
    var form = dialog.querySelector("form");
    resetForm(form);
    form.action = url;
    form.dataset.slipId = row.dataset.slipId;
    if (form.elements.version) form.elements.version.value = row.dataset.version;
    var whom = dialog.querySelector("[data-slip-dialog-whom]");
    if (whom) whom.textContent = row.dataset.whom || "";
    dialog.showModal();
    var first = form.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-slip-dialog-form]")) return;
    event.preventDefault();
    var dialog = form.closest("dialog");
    var row = byId(form.dataset.slipId);
    post(form.action, new FormData(form)).then(function (answer) {
      if (showAnswer(row, answer)) {
        dialog.close();
        return;
      }
      var error = form.querySelector("[data-slip-dialog-error]");
      if (error) error.textContent = answer.row.dataset.flash || "";
    }, function () { dialog.close(); failed(); });
  });

  document.addEventListener("click", function (event) {
    if (!board() || !event.target.closest) return;
    if (event.target.closest("[data-slip-dialog-cancel]")) {
      event.target.closest("dialog").close();
      return;
    }
    var row = event.target.closest("#slip-board-body [data-slip-row]");
    if (row) select(row, !event.target.closest("a"));
  });

  // A dialog closed (saved, Esc, Cancel): back to the message on the board.
  document.addEventListener("close", function (event) {
    if (event.target.matches && event.target.matches("dialog.sb-slip-dialog")) {
      var row = selected() || rows()[0];
      if (row) select(row, true);
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (!board() || openDialog()) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(event.target.tagName)) return;
    var row = selected();
    switch (event.key) {
      case "ArrowDown": event.preventDefault(); move(1); break;
      case "ArrowUp": event.preventDefault(); move(-1); break;
      case "Enter":
        if (row) { event.preventDefault(); window.location.assign(row.dataset.url); }
        break;
      case "r": case "R":
        if (row) { event.preventDefault(); resend(row); }
        break;
      case "g": case "G":
        if (row) { event.preventDefault(); openAction("slip-reroute-dialog", row.dataset.rerouteUrl, row); }
        break;
      case "c": case "C":
        if (row) { event.preventDefault(); openAction("slip-close-dialog", row.dataset.doneUrl, row); }
        break;
    }
  });

  // The refresh: not while a dialog is open; afterwards the same message stays
  // chosen (or the first, if it left the board), with the cursor if it had it.
  var hadFocus = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== body()) return;
    if (openDialog()) { event.preventDefault(); return; }
    var active = document.activeElement;
    hadFocus = !!(active && (body().contains(active) || active === document.body));
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== body()) return;
    var row = selected() || rows()[0] || null;
    select(row, hadFocus && !openDialog());
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!board()) return;
    select(rows()[0] || null, true);
  });
})();
