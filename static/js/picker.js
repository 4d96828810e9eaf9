/* Type-ahead pickers (calls.forms_log.PickerInput), keyboard first.
   Type: the directory is searched (GET /api/directory/search?q=) and the matches
   are listed.  ↓/↑: move through them.  Enter: take the highlighted one (or the
   first); pressed before the matches arrive, it takes the first when they do.
   Esc: close the list.  Emptying the box clears the choice.  The choice goes into
   the hidden input next to the box; the box shows names and numbers, never ids.
   For an extension, digits typed into the box are the choice as they stand.
   Every text is set with textContent: nothing from the server becomes markup. */
(function () {
  "use strict";

  var SEP = " · ";
  var DEBOUNCE_MS = 120;
  var EXTENSION = /^\d{2,8}$/;

  function join(parts) {
    return parts.filter(function (p) { return p; }).join(SEP);
  }

  // What each kind of picker offers from the search results: {value, label}.
  var OPTIONS = {
    staff: function (results) {
      return results.filter(function (r) { return r.kind === "staff"; }).map(function (r) {
        return { value: String(r.id), label: join([r.name, r.department, r.extension]) };
      });
    },
    info: function (results) {
      return results.filter(function (r) { return r.kind === "info"; }).map(function (r) {
        return { value: String(r.id), label: r.name, note: r.disclosure_label };
      });
    },
    extension: function (results, query) {
      var seen = {};
      var options = [];
      function add(number, label) {
        if (!number || seen[number]) return;
        seen[number] = true;
        options.push({ value: number, label: label });
      }
      results.forEach(function (r) {
        var numbers = (r.extensions && r.extensions.length) ? r.extensions : [r.extension];
        numbers.forEach(function (number) {
          if (r.kind === "staff") add(number, join([number, r.name, r.department]));
          else if (r.kind === "department") add(number, join([number, r.name]));
          else if (r.kind === "extension") add(number, join([number, r.name, r.department]));
        });
      });
      // The number typed first when it is one of them; for digits typed, the
      // numbers that start with them next, in number order; the rest as found.
      var digits = /^\d+$/.test(query);
      function rank(option) {
        if (option.value === query) return 0;
        return digits && option.value.indexOf(query) === 0 ? 1 : 2;
      }
      options.forEach(function (option, i) { option.found = i; });
      options.sort(function (a, b) {
        var ra = rank(a), rb = rank(b);
        if (ra !== rb) return ra - rb;
        if (ra === 1) return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
        return a.found - b.found;
      });
      return options;
    }
  };

  function Picker(root) {
    this.root = root;
    this.kind = root.dataset.pickerKind;
    this.url = root.dataset.pickerUrl;
    this.box = root.querySelector("[data-picker-box]");
    this.hidden = root.querySelector("[data-picker-value]");
    this.list = root.querySelector("[role=listbox]");
    this.status = root.querySelector("[data-picker-status]");
    this.options = [];
    this.active = -1;
    this.timer = null;
    this.sequence = 0; // the latest search sent; older answers are ignored
    this.pending = false; // a search is waiting to be sent or answered
    this.chooseOnArrival = false;
    this.bind();
  }

  Picker.prototype.text = function (name) {
    return this.root.dataset[name] || "";
  };

  Picker.prototype.say = function (message) {
    if (this.status) this.status.textContent = message;
  };

  Picker.prototype.isOpen = function () {
    return !this.list.hidden;
  };

  Picker.prototype.open = function () {
    if (!this.options.length) return;
    this.list.hidden = false;
    this.box.setAttribute("aria-expanded", "true");
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.box.setAttribute("aria-expanded", "false");
    this.box.removeAttribute("aria-activedescendant");
    this.active = -1;
    this.list.querySelectorAll("[aria-selected=true]").forEach(function (el) {
      el.setAttribute("aria-selected", "false");
      el.classList.remove("active");
    });
  };

  Picker.prototype.highlight = function (index) {
    var items = this.list.children;
    if (!items.length) return;
    index = (index + items.length) % items.length;
    if (this.active >= 0 && items[this.active]) {
      items[this.active].setAttribute("aria-selected", "false");
      items[this.active].classList.remove("active");
    }
    this.active = index;
    var item = items[index];
    item.setAttribute("aria-selected", "true");
    item.classList.add("active");
    this.box.setAttribute("aria-activedescendant", item.id);
    item.scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.choose = function (index) {
    var option = this.options[index];
    if (!option) return;
    this.box.value = option.label;
    this.hidden.value = option.value;
    this.close();
    this.say(this.text("pickerChosen") + " " + option.label);
    this.hidden.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Picker.prototype.render = function (options) {
    var self = this;
    this.options = options;
    this.list.textContent = "";
    this.active = -1;
    options.forEach(function (option, i) {
      var item = document.createElement("li");
      item.id = self.list.id + "-" + i;
      item.className = "list-group-item sb-picker-option";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = option.label;
      if (option.note) {
        var note = document.createElement("span");
        note.className = "text-muted small ms-2";
        note.textContent = option.note;
        item.appendChild(note);
      }
      item.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box
        self.choose(i);
      });
      self.list.appendChild(item);
    });
    if (options.length) {
      this.open();
      this.say(this.text("pickerCount").replace("%(count)s", options.length));
    } else {
      this.close();
      this.say(this.text("pickerNone"));
    }
  };

  Picker.prototype.search = function () {
    var self = this;
    var query = this.box.value.trim();
    var sequence = ++this.sequence;
    if (!query) {
      this.pending = false;
      this.render([]);
      return;
    }
    fetch(this.url + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (sequence !== self.sequence) return;
        self.pending = false;
        self.render(OPTIONS[self.kind](data.results || [], query));
        if (self.chooseOnArrival) {
          self.chooseOnArrival = false;
          if (self.options.length) self.choose(0);
        }
      })
      .catch(function () {
        if (sequence !== self.sequence) return;
        self.pending = false;
        self.chooseOnArrival = false;
        self.render([]);
        self.say(self.text("pickerFailed"));
      });
  };

  Picker.prototype.onInput = function () {
    var self = this;
    var value = this.box.value.trim();
    // What is typed is no longer the choice; an extension number typed is one.
    this.hidden.value = this.kind === "extension" && EXTENSION.test(value) ? value : "";
    this.chooseOnArrival = false;
    clearTimeout(this.timer);
    if (!value) {
      this.pending = false;
      this.sequence++;
      this.render([]);
      this.say(this.text("pickerCleared"));
      return;
    }
    this.pending = true;
    this.timer = setTimeout(function () { self.search(); }, DEBOUNCE_MS);
  };

  Picker.prototype.onKeydown = function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!this.isOpen()) this.open();
        this.highlight(this.active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!this.isOpen()) this.open();
        this.highlight(this.active < 0 ? -1 : this.active - 1);
        break;
      case "Enter":
        if (this.pending) {
          event.preventDefault(); // the matches are on their way: take the first
          this.chooseOnArrival = true;
        } else if (this.isOpen() && this.options.length) {
          event.preventDefault();
          this.choose(this.active >= 0 ? this.active : 0);
        }
        break;
      case "Escape":
        if (this.isOpen()) {
          event.preventDefault();
          event.stopPropagation();
          this.close();
        }
        break;
      case "Tab":
        this.close();
        break;
    }
  };

  Picker.prototype.bind = function () {
    var self = this;
    this.box.addEventListener("input", function () { self.onInput(); });
    this.box.addEventListener("keydown", function (event) { self.onKeydown(event); });
    this.box.addEventListener("blur", function () {
      setTimeout(function () { self.close(); }, 150);
    });
  };

  function start(scope) {
    (scope || document).querySelectorAll("[data-picker]").forEach(function (root) {
      if (!root.dataset.pickerReady) {
        root.dataset.pickerReady = "1";
        new Picker(root);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(); });
  } else {
    start();
  }
})();
