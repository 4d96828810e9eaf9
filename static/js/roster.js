/* The roster week grid (templates/reports/roster_week.html), keyboard first.

   Arrow keys (and Home/End) move the focused cell; typing a shift's key
   (P, S, M …) or C (leave), K (sick), I (permission) sets the cell and moves
   on to the next day; Delete or Backspace clears it (a day off). Ctrl+C and
   Ctrl+V copy a cell; dragging a cell onto another copies it too. Each change
   is POSTed at once to roster-cell, which answers with the cell as it now is
   (a refused change comes back with its reason in the cell, 422), and the
   counts under the grid follow. */
(function () {
  "use strict";

  /* The swap form on my-schedule: "their shift in exchange" lists only the
     chosen colleague's shifts. */
  var colleague = document.getElementById("id_colleague");
  var theirs = document.getElementById("id_colleague_entry");
  if (colleague && theirs) {
    var narrow = function () {
      Array.prototype.forEach.call(theirs.options, function (option) {
        var mine = !option.value || !colleague.value || option.dataset.operator === colleague.value;
        option.hidden = !mine;
        option.disabled = !mine;
        if (!mine && option.selected) theirs.value = "";
      });
    };
    colleague.addEventListener("change", narrow);
    narrow();
  }
})();

(function () {
  "use strict";

  var root = document.querySelector("[data-roster]");
  if (!root) return;
  var grid = root.querySelector(".sb-roster-grid");
  if (!grid) return;
  var status = document.getElementById("sb-roster-status");
  var url = root.dataset.cellUrl;
  var keys = Array.prototype.map.call(grid.querySelectorAll("tfoot [data-count-key]"), function (row) {
    return row.dataset.countKey.toUpperCase();
  });
  var buffer = "";
  var bufferTimer = null;
  var clipboard = null;
  var queue = Promise.resolve();
  var dragged = null;

  function csrf() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function rows() {
    return Array.prototype.slice.call(grid.tBodies[0].rows);
  }

  function cellsOf(row) {
    return Array.prototype.slice.call(row.querySelectorAll(".sb-roster-cell"));
  }

  function position(cell) {
    var row = cell.parentElement;
    return { row: rows().indexOf(row), col: cellsOf(row).indexOf(cell) };
  }

  function cellAt(r, c) {
    var all = rows();
    if (r < 0 || r >= all.length) return null;
    var cells = cellsOf(all[r]);
    if (c < 0 || c >= cells.length) return null;
    return cells[c];
  }

  function focusCell(cell) {
    if (!cell) return;
    grid.querySelectorAll(".sb-roster-cell[tabindex='0']").forEach(function (other) {
      other.setAttribute("tabindex", "-1");
    });
    cell.setAttribute("tabindex", "0");
    cell.focus();
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function describe(cell) {
    var row = cell.parentElement;
    var name = row.querySelector("th") ? row.querySelector("th").textContent.trim() : "";
    return name + ", " + cell.getAttribute("aria-label");
  }

  function recount() {
    grid.querySelectorAll("tfoot [data-count-key]").forEach(function (countRow) {
      var key = countRow.dataset.countKey.toUpperCase();
      countRow.querySelectorAll("[data-count-col]").forEach(function (td) {
        var col = Number(td.dataset.countCol);
        var n = 0;
        rows().forEach(function (row) {
          var cell = cellsOf(row)[col];
          if (cell && (cell.dataset.key || "").toUpperCase() === key) n += 1;
        });
        td.textContent = String(n);
      });
    });
  }

  function save(cell, key) {
    var operator = cell.dataset.operator;
    var date = cell.dataset.date;
    cell.classList.add("sb-roster-saving");
    queue = queue.then(function () {
      var target = grid.querySelector(
        ".sb-roster-cell[data-operator='" + operator + "'][data-date='" + date + "']"
      );
      if (!target) return null;
      var body = new FormData();
      body.append("operator", operator);
      body.append("date", date);
      body.append("key", key);
      return fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          return response.text().then(function (html) {
            return { ok: response.ok, html: html };
          });
        })
        .then(function (answer) {
          var holder = document.createElement("tbody");
          holder.innerHTML = "<tr>" + answer.html + "</tr>";
          var fresh = holder.querySelector(".sb-roster-cell");
          var hadFocus = document.activeElement === target;
          if (fresh && fresh.dataset.operator) {
            fresh.setAttribute("tabindex", target.getAttribute("tabindex") || "-1");
            target.replaceWith(fresh);
            if (hadFocus) fresh.focus();
            recount();
            var error = fresh.querySelector(".sb-roster-error");
            say(error ? error.textContent : describe(fresh));
          } else {
            target.classList.remove("sb-roster-saving");
            say(fresh ? fresh.textContent.trim() : "");
          }
        })
        .catch(function () {
          target.classList.remove("sb-roster-saving");
          say(root.dataset.offlineText || "The change could not be sent; try again.");
        });
    });
    return queue;
  }

  function setAndAdvance(cell, key) {
    save(cell, key);
    var at = position(cell);
    var next = cellAt(at.row, at.col + 1);
    if (next) focusCell(next);
  }

  function flushBuffer(cell) {
    clearTimeout(bufferTimer);
    var typed = buffer;
    buffer = "";
    if (!typed) return;
    if (keys.indexOf(typed) >= 0) {
      setAndAdvance(cell, typed);
    } else {
      say(typed + ": ?");
    }
  }

  grid.addEventListener("keydown", function (event) {
    var cell = event.target.closest && event.target.closest(".sb-roster-cell");
    if (!cell || !cell.dataset.operator) return;
    var at = position(cell);
    var moves = {
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
    };
    if (moves[event.key] && !event.altKey) {
      event.preventDefault();
      buffer = "";
      var move = moves[event.key];
      focusCell(cellAt(at.row + move[0], at.col + move[1]));
      return;
    }
    if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      var cells = cellsOf(cell.parentElement);
      focusCell(event.key === "Home" ? cells[0] : cells[cells.length - 1]);
      return;
    }
    if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      buffer = "";
      save(cell, "");
      return;
    }
    if ((event.ctrlKey || event.metaKey) && (event.key === "c" || event.key === "C")) {
      event.preventDefault();
      clipboard = cell.dataset.key || "";
      say((clipboard || "·") + " ✓");
      return;
    }
    if ((event.ctrlKey || event.metaKey) && (event.key === "v" || event.key === "V")) {
      event.preventDefault();
      if (clipboard !== null) save(cell, clipboard);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[a-zA-Z]$/.test(event.key)) {
      event.preventDefault();
      buffer += event.key.toUpperCase();
      var longer = keys.filter(function (key) {
        return key.indexOf(buffer) === 0 && key !== buffer;
      });
      clearTimeout(bufferTimer);
      if (!longer.length) {
        flushBuffer(cell);
      } else {
        bufferTimer = setTimeout(function () {
          flushBuffer(cell);
        }, 700);
      }
    }
  });

  grid.addEventListener("click", function (event) {
    var cell = event.target.closest && event.target.closest(".sb-roster-cell");
    if (cell && cell.dataset.operator) focusCell(cell);
  });

  grid.addEventListener("dragstart", function (event) {
    var cell = event.target.closest && event.target.closest(".sb-roster-cell");
    if (!cell || !cell.dataset.operator) return;
    dragged = cell.dataset.key || "";
    event.dataTransfer.effectAllowed = "copy";
    event.dataTransfer.setData("text/plain", dragged);
  });
  grid.addEventListener("dragover", function (event) {
    var cell = event.target.closest && event.target.closest(".sb-roster-cell");
    if (!cell || dragged === null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    cell.classList.add("sb-roster-drop");
  });
  grid.addEventListener("dragleave", function (event) {
    var cell = event.target.closest && event.target.closest(".sb-roster-cell");
    if (cell) cell.classList.remove("sb-roster-drop");
  });
  grid.addEventListener("drop", function (event) {
    var cell = event.target.closest && event.target.closest(".sb-roster-cell");
    if (!cell || dragged === null) return;
    event.preventDefault();
    cell.classList.remove("sb-roster-drop");
    var key = dragged;
    dragged = null;
    focusCell(cell);
    save(cell, key);
  });
  grid.addEventListener("dragend", function () {
    dragged = null;
  });

  // One cell takes part in Tab order: today's first, else the first.
  var start =
    grid.querySelector("tbody .sb-roster-cell[data-date='" + (grid.dataset.today || "") + "']") ||
    grid.querySelector("tbody .sb-roster-cell");
  if (start) start.setAttribute("tabindex", "0");
})();
