"""Forms of call quality: the scorecard form a reviewer fills (one Yes / No /
N/A choice per item, a comment, coaching notes), the operator's dispute, the
supervisor's decision, a calibration round, the sample proposal and the
review list's filters. Forms only read input; the services decide and write."""

import re
from datetime import date

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import AnswerChoice, DisputeDecision, Review, ReviewStatus
from reports.models.quality import TEXT_MAX
from reports.selectors_quality import operators, supervisors
from reports.services.quality import field_name

MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
ANSWER_CHOICES = [
    (AnswerChoice.PASS, _("Yes")),
    (AnswerChoice.FAIL, _("No")),
    (AnswerChoice.NOT_APPLICABLE, _("N/A")),
]


def parse_month(value: str | None) -> date | None:
    """'2026-11' as date(2026, 11, 1); None for anything else."""
    match = MONTH_RE.fullmatch((value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 9998 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        month = parse_month(value)
        if month is None:
            raise ValidationError(_("Give a month as YYYY-MM."), code="month")
        return month


def put_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form's fields (else the form's)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class AnswersMixin:
    """One radio choice per scorecard item (`sections` from
    selectors_quality.scorecard_sections), named item_<id>. Every choice is
    accepted here; the service refuses N/A where an item always applies and
    a missing answer on submit, with the message next to the item."""

    def add_item_fields(self, sections, initial_answers=None):
        initial_answers = initial_answers or {}
        self.sections = []
        for entry in sections:
            rows = []
            for item in entry["items"]:
                name = field_name(item.pk)
                self.fields[name] = forms.ChoiceField(
                    label=item.text,
                    choices=ANSWER_CHOICES,
                    required=False,
                    widget=forms.RadioSelect,
                    initial=initial_answers.get(item.pk),
                )
                rows.append((item, name))
            self.sections.append((entry["section"], rows))

    def answers(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data.get(name)
            for _section, rows in self.sections
            for item, name in rows
            if self.cleaned_data.get(name)
        }

    def bound_sections(self):
        """[(section, [(item, bound field)])] for the template."""
        return [
            (section, [(item, self[name]) for item, name in rows])
            for section, rows in self.sections
        ]


class ReviewForm(AnswersMixin, forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    coaching_notes = forms.CharField(
        label=_("Coaching notes"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, sections, review=None, with_coaching=True, **kwargs):
        initial = kwargs.setdefault("initial", {})
        answers = {}
        if review is not None:
            initial.setdefault("comment", review.comment)
            initial.setdefault("coaching_notes", review.coaching_notes)
            answers = {a.item_id: a.answer for a in review.answers.all()}
        super().__init__(*args, **kwargs)
        if not with_coaching:
            del self.fields["coaching_notes"]
        self.add_item_fields(sections, answers)


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you dispute this review?"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Say why you dispute this review.")},
    )


class DecisionForm(AnswersMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=DisputeDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the review stands or the score is amended.")},
    )
    note = forms.CharField(
        label=_("Note for the operator"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": _("Write a note for the operator about your decision.")},
    )

    def __init__(self, *args, sections, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_item_fields(sections, {a.item_id: a.answer for a in review.answers.all()})


def person_label(user) -> str:
    return user.get_full_name() or user.get_username()


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class CalibrationForm(forms.Form):
    call = forms.IntegerField(
        label=_("Call number"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.NumberInput(attrs={"class": "form-control", "autofocus": True}),
        help_text=_("The call's number, as in the call log (#1234)."),
    )
    reviewers = PersonMultipleChoiceField(
        label=_("Reviewers"),
        queryset=supervisors(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class SampleProposeForm(forms.Form):
    month = MonthField(label=_("Month"))
    per_operator = forms.IntegerField(
        label=_("Calls per operator"),
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "month": f"{timezone.localdate():%Y-%m}",
                "per_operator": settings.QA_SAMPLE_PER_OPERATOR,
            },
        )
        super().__init__(*args, **kwargs)


class MonthFilter(django_filters.Filter):
    field_class = MonthField


YES_NO = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


class ReviewFilter(django_filters.FilterSet):
    """The review list's filters: operator, month, status, auto-fail, reviewer."""

    operator = django_filters.ModelChoiceFilter(
        label=_("Operator"),
        queryset=operators(),
        empty_label=_("Any"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    month = MonthFilter(label=_("Month"), method="filter_month")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=ReviewStatus.choices,
        empty_label=_("Any"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    auto_failed = django_filters.ChoiceFilter(
        label=_("Auto-fail"),
        choices=YES_NO[1:],
        empty_label=_("Any"),
        method="filter_auto_failed",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    reviewer = django_filters.ModelChoiceFilter(
        label=_("Reviewer"),
        queryset=supervisors(),
        empty_label=_("Any"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    class Meta:
        model = Review
        fields = ["operator", "month", "status", "auto_failed", "reviewer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("operator", "reviewer"):
            self.form.fields[name].label_from_instance = person_label

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        from reports.services.quality import next_month

        return queryset.filter(call_date__gte=value, call_date__lt=next_month(value))

    def filter_auto_failed(self, queryset, name, value):
        if value in ("0", "1"):
            return queryset.filter(auto_failed=value == "1")
        return queryset
