/* The scorecard form (review, calibration, dispute decision), keyboard first.

   Each item is a radio group: 1 = Yes, 2 = No, 3 = not applicable (where the
   item allows it), or the arrow keys; after 1/2/3 the next item gets the
   focus. The score preview repeats reports/scoring.py in exact fractions
   (BigInt), rounded half up to two decimals: a section scores the weight of
   its passed items over the weight of its applicable ones; the review, the
   sections' scores weighted by the sections' weights over the sections with
   something applicable; a failed "fails the whole review" item makes it 0.
   The server computes the score that is saved. */
(function () {
  "use strict";

  var KEYS = { "1": "pass", "2": "fail", "3": "na" };

  function gcd(a, b) {
    while (b) { var t = b; b = a % b; a = t; }
    return a < 0n ? -a : a;
  }

  var decimal = ".";

  function hundredths(num, den) {
    // round half up of num/den * 100, as a string with two decimals (the
    // page's decimal separator, as the server writes its figures)
    var scaled = (num * 10000n * 2n + den) / (2n * den);
    var whole = scaled / 100n;
    var cents = scaled % 100n;
    return whole.toString() + decimal + (cents < 10n ? "0" : "") + cents.toString();
  }

  function compute(card) {
    var sections = [];
    var autoFail = false;
    card.querySelectorAll("fieldset[data-section]").forEach(function (sectionEl) {
      var passed = 0n, applicable = 0n;
      sectionEl.querySelectorAll("fieldset[data-item]").forEach(function (itemEl) {
        var checked = itemEl.querySelector("input[type=radio]:checked");
        var answer = checked ? checked.value : "";
        if (answer !== "pass" && answer !== "fail") return;
        var weight = BigInt(parseInt(itemEl.dataset.weight, 10) || 0);
        applicable += weight;
        if (answer === "pass") passed += weight;
        else if (itemEl.dataset.fails === "1") autoFail = true;
      });
      var badge = sectionEl.querySelector("[data-section-score]");
      if (badge) badge.textContent = applicable ? hundredths(passed, applicable) : "";
      sections.push({
        weight: BigInt(parseInt(sectionEl.dataset.sectionWeight, 10) || 0),
        passed: passed,
        applicable: applicable,
      });
    });
    if (autoFail) return { score: "0" + decimal + "00", autoFail: true };
    var num = 0n, den = 1n, totalWeight = 0n;
    sections.forEach(function (s) {
      if (!s.applicable || !s.weight) return;
      // num/den += weight * passed / applicable
      num = num * s.applicable + s.weight * s.passed * den;
      den = den * s.applicable;
      var g = gcd(num, den) || 1n;
      num /= g; den /= g;
      totalWeight += s.weight;
    });
    if (!totalWeight) return { score: null, autoFail: false };
    return { score: hundredths(num, den * totalWeight), autoFail: false };
  }

  function refresh(form) {
    var card = form.querySelector("[data-scorecard]");
    if (!card) return;
    decimal = card.dataset.decimal === "," ? "," : ".";
    var result = compute(card);
    var out = form.querySelector("[data-score-preview]");
    if (out) out.textContent = result.score === null ? "—" : result.score;
    var flag = form.querySelector("[data-autofail-preview]");
    if (flag) flag.classList.toggle("d-none", !result.autoFail);
  }

  function focusItem(itemEl) {
    if (!itemEl) return;
    var target = itemEl.querySelector("input[type=radio]:checked") ||
      itemEl.querySelector("input[type=radio]");
    if (target) target.focus();
  }

  function toggleAmend(form) {
    var amend = form.querySelector("[data-amend]");
    if (!amend) return;
    var chosen = form.querySelector("input[name=decision]:checked");
    amend.classList.toggle("d-none", !(chosen && chosen.value === "amended"));
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("fieldset[data-item] input[type=radio]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var value = KEYS[event.key];
    if (!value) return;
    var itemEl = input.closest("fieldset[data-item]");
    var radio = itemEl.querySelector('input[type=radio][value="' + value + '"]');
    event.preventDefault();
    if (!radio) return; // N/A is not offered for an item that always applies
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    var items = Array.prototype.slice.call(
      itemEl.closest("[data-scorecard]").querySelectorAll("fieldset[data-item]"));
    var next = items[items.indexOf(itemEl) + 1];
    if (next) focusItem(next);
    else {
      var form = itemEl.closest("form");
      var after = form && form.querySelector("textarea, button[type=submit]");
      if (after) after.focus();
    }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-review-form]");
    if (!form) return;
    refresh(form);
    toggleAmend(form);
  });

  function init() {
    document.querySelectorAll("form[data-review-form]").forEach(function (form) {
      refresh(form);
      toggleAmend(form);
      var error = form.querySelector("[data-error-for]");
      if (error) {
        var field = form.querySelector('[name="' + error.dataset.errorFor + '"]');
        if (field) field.focus();
      } else if (form.hasAttribute("data-focus-first")) {
        focusItem(form.querySelector("fieldset[data-item]"));
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
