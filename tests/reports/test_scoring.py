"""The scorecard's arithmetic (reports.scoring), against examples worked by hand.

The scorecard used throughout (section weight; item weights):
    Opening  (2): greeting 1, own name 1 (always applies)
    Handling (3): need 2, transfer 2, dead air 1
    Closing  (1): thanked 1, offered help 1
    Auto-fail (0): rude 1 (fails the whole review, always applies)
"""

from decimal import Decimal
from fractions import Fraction

import pytest

from reports.scoring import Item, answer_errors, score, to_decimal

OPENING, HANDLING, CLOSING, AUTOFAIL = 1, 2, 3, 4
ITEMS = [
    Item(id=1, section_id=OPENING, section_weight=2, weight=1),
    Item(id=2, section_id=OPENING, section_weight=2, weight=1, allows_na=False),
    Item(id=3, section_id=HANDLING, section_weight=3, weight=2),
    Item(id=4, section_id=HANDLING, section_weight=3, weight=2),
    Item(id=5, section_id=HANDLING, section_weight=3, weight=1),
    Item(id=6, section_id=CLOSING, section_weight=1, weight=1),
    Item(id=7, section_id=CLOSING, section_weight=1, weight=1),
    Item(id=8, section_id=AUTOFAIL, section_weight=0, weight=1, fails_review=True, allows_na=False),
]


def answers(**by_id):
    return {int(k[1:]): v for k, v in by_id.items()}


def test_everything_passed_scores_100():
    """Every section 1/1: (2*1 + 3*1 + 1*1) / 6 = 100.00."""
    result = score(ITEMS, {i.id: "pass" for i in ITEMS})
    assert result.score == Decimal("100.00")
    assert result.auto_failed is False


def test_section_weights_and_item_weights():
    """Opening: greeting pass, own name fail -> 1/2 = 0.5.
    Handling: need pass (2), transfer fail (2), dead air pass (1) -> 3/5 = 0.6.
    Closing: thanked pass, offered help N/A -> 1/1 = 1.
    Review: (2*0.5 + 3*0.6 + 1*1) / (2+3+1) = 3.8 / 6 = 0.63333... -> 63.33."""
    result = score(
        ITEMS,
        answers(
            i1="pass", i2="fail", i3="pass", i4="fail", i5="pass", i6="pass", i7="na", i8="pass"
        ),
    )
    assert result.score == Decimal("63.33")
    assert result.section_scores == {
        OPENING: Decimal("50.00"),
        HANDLING: Decimal("60.00"),
        CLOSING: Decimal("100.00"),
        AUTOFAIL: Decimal("100.00"),
    }


def test_a_section_with_nothing_applicable_drops_out():
    """Closing all N/A: it drops out of the weighting.
    Opening 2/2 = 1; Handling: need fail (2), transfer pass (2), dead air pass (1) -> 3/5.
    Review: (2*1 + 3*0.6) / (2+3) = 3.8 / 5 = 0.76 -> 76.00."""
    result = score(
        ITEMS,
        answers(i1="pass", i2="pass", i3="fail", i4="pass", i5="pass", i6="na", i7="na", i8="pass"),
    )
    assert result.score == Decimal("76.00")
    assert result.section_scores[CLOSING] is None


def test_not_applicable_items_leave_the_denominator():
    """Handling: need N/A, transfer pass (2), dead air fail (1) -> 2/3.
    Opening 1, Closing 1: (2*1 + 3*(2/3) + 1*1) / 6 = 5/6 = 0.8333... -> 83.33."""
    result = score(
        ITEMS,
        answers(
            i1="pass", i2="pass", i3="na", i4="pass", i5="fail", i6="pass", i7="pass", i8="pass"
        ),
    )
    assert result.score == Decimal("83.33")


def test_rounding_to_two_decimals():
    """Opening 2/2, Handling: dead air fail -> 4/5, Closing 1/2:
    (2*1 + 3*0.8 + 1*0.5) / 6 = 4.9 / 6 = 0.81666... -> 81.67."""
    result = score(
        ITEMS,
        answers(
            i1="pass", i2="pass", i3="pass", i4="pass", i5="fail", i6="pass", i7="fail", i8="pass"
        ),
    )
    assert result.score == Decimal("81.67")


def test_a_half_hundredth_rounds_up():
    """1/32 = 3.125 % -> 3.13 (half up, not to even)."""
    assert to_decimal(Fraction(1, 32)) == Decimal("3.13")


def test_a_failed_auto_fail_item_makes_the_score_zero():
    """Everything else passed (100 before), rude = fail -> 0.00, auto-fail."""
    result = score(ITEMS, {**{i.id: "pass" for i in ITEMS}, 8: "fail"})
    assert result.score == Decimal("0.00")
    assert result.auto_failed is True


def test_the_auto_fail_section_adds_nothing_when_passed():
    """Section weight 0: (2*1 + 3*0.6 + 1*1)/6 = 4.8/6 = 80.00 whether 'rude' passes or not."""
    base = answers(i1="pass", i2="pass", i3="pass", i4="fail", i5="pass", i6="pass", i7="pass")
    assert score(ITEMS, {**base, 8: "pass"}).score == Decimal("80.00")


def test_nothing_applicable_gives_no_score():
    result = score(ITEMS, {})
    assert result.score is None
    assert result.auto_failed is False


def test_na_on_an_item_that_always_applies_is_refused():
    errors = answer_errors(ITEMS, {2: "na"}, complete=False)
    assert set(errors) == {2}
    assert "always applies" in errors[2]


def test_every_item_must_be_answered_to_submit():
    given = {i.id: "pass" for i in ITEMS if i.id != 5}
    assert answer_errors(ITEMS, given, complete=False) == {}
    errors = answer_errors(ITEMS, given, complete=True)
    assert set(errors) == {5}


@pytest.mark.parametrize("bad", ["maybe", "PASS", "1"])
def test_an_unknown_answer_is_refused(bad):
    assert set(answer_errors(ITEMS, {1: bad}, complete=False)) == {1}


def test_answers_for_items_not_on_the_scorecard_are_refused():
    assert 0 in answer_errors(ITEMS, {99: "pass"}, complete=False)
