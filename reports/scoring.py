"""The arithmetic of a call quality review, with no database: from a
scorecard's weights and a reviewer's answers to a score 0–100 (two decimals)
and whether the review is an auto-fail. The rule is the one in
reports.models.quality's docstring:

- an item is answered pass, fail or not applicable; a section's score is the
  weight of its passed items over the weight of its applicable items;
- the review's score is the sections' scores weighted by the sections'
  weights, over the sections that have an applicable item (with weight);
- a failed item that "fails the whole review" makes the score 0.

Everything is computed in exact fractions and rounded once, half up, to two
decimals; static/js/review.js repeats this for the live preview, and the
server's figure is the one saved.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "na"
ANSWERS = (PASS, FAIL, NOT_APPLICABLE)
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Item:
    """What scoring needs of a scorecard item."""

    id: int
    section_id: int
    section_weight: int
    weight: int
    fails_review: bool = False
    allows_na: bool = True


@dataclass(frozen=True)
class Result:
    score: Decimal | None  # None: nothing applicable was answered yet
    auto_failed: bool
    section_scores: dict[int, Decimal | None]


def to_decimal(value: Fraction) -> Decimal:
    """A fraction 0..1 as a score 0–100 with two decimals, rounded half up."""
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return exact.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def answer_errors(
    items: Iterable[Item], answers: Mapping[int, str], *, complete: bool
) -> dict[int, str]:
    """{item id: message} for each answer that may not stand: not one of the
    three, N/A on an item that always applies, and (when `complete`, i.e.
    on submitting) an item left unanswered. Answers to items not on the
    scorecard are refused too (key 0)."""
    errors: dict[int, str] = {}
    known = set()
    for item in items:
        known.add(item.id)
        answer = answers.get(item.id)
        if not answer:
            if complete:
                errors[item.id] = str(_("Answer this item before submitting."))
        elif answer not in ANSWERS:
            errors[item.id] = str(_("Answer Yes, No or Not applicable."))
        elif answer == NOT_APPLICABLE and not item.allows_na:
            errors[item.id] = str(
                _("This item always applies: answer it Yes or No, not “not applicable”.")
            )
    if set(answers) - known:
        errors[0] = str(_("Some answers are for items that are not on this scorecard."))
    return errors


def score(items: Iterable[Item], answers: Mapping[int, str]) -> Result:
    """The review's score from the answers given so far (unanswered items
    count as not applicable here; answer_errors refuses them on submit)."""
    passed: dict[int, int] = {}
    applicable: dict[int, int] = {}
    weights: dict[int, int] = {}
    auto_failed = False
    for item in items:
        weights[item.section_id] = item.section_weight
        passed.setdefault(item.section_id, 0)
        applicable.setdefault(item.section_id, 0)
        answer = answers.get(item.id)
        if answer not in (PASS, FAIL):
            continue
        applicable[item.section_id] += item.weight
        if answer == PASS:
            passed[item.section_id] += item.weight
        elif item.fails_review:
            auto_failed = True
    section_scores: dict[int, Decimal | None] = {}
    total = Fraction(0)
    total_weight = 0
    for section_id, weight in weights.items():
        if not applicable[section_id]:
            section_scores[section_id] = None
            continue
        fraction = Fraction(passed[section_id], applicable[section_id])
        section_scores[section_id] = to_decimal(fraction)
        if weight:
            total += weight * fraction
            total_weight += weight
    if auto_failed:
        return Result(Decimal("0.00"), True, section_scores)
    if not total_weight:
        return Result(None, False, section_scores)
    return Result(to_decimal(total / total_weight), False, section_scores)
