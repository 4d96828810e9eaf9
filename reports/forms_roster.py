"""Forms of the roster, swap and attendance pages. They check the shape of
what was sent; the services decide the rules."""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from reports.models import AttendanceStatus, RosterEntry
from reports.models.roster import NOTE_MAX
from reports.selectors_roster import roster_operators
from reports.services.roster import operator_name


class RosterCellForm(forms.Form):
    """One cell of the roster grid: who, which day, which key (empty clears)."""

    operator = forms.ModelChoiceField(queryset=None)
    date = forms.DateField()
    key = forms.CharField(max_length=3, required=False, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = roster_operators()


class CopyWeekForm(forms.Form):
    start = forms.DateField()
    overwrite = forms.BooleanField(required=False)


class ShiftChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entry):
        day = formats.date_format(entry.date, "D j M")
        shift = entry.shift_type
        who = operator_name(entry.operator) + " · " if self.with_operator else ""
        return f"{who}{day} · {shift.name} {shift.starts_at:%H:%M}–{shift.ends_at:%H:%M}"

    def __init__(self, *args, with_operator=False, **kwargs):
        self.with_operator = with_operator
        super().__init__(*args, **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return operator_name(user)


class SwapRequestForm(forms.Form):
    """An operator asks a colleague to take one of their shifts."""

    requester_entry = ShiftChoiceField(
        queryset=RosterEntry.objects.none(), label=_("My shift"), empty_label=_("Choose…")
    )
    colleague = UserChoiceField(queryset=None, label=_("Colleague"), empty_label=_("Choose…"))
    colleague_entry = ShiftChoiceField(
        queryset=RosterEntry.objects.none(),
        label=_("Their shift in exchange"),
        required=False,
        empty_label=_("None: a favour (they are free that day)"),
        with_operator=True,
    )
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args, mine=(), colleagues=(), theirs=(), **kwargs):
        super().__init__(*args, **kwargs)
        ids = [e.pk for e in (*mine, *theirs)]
        entries = RosterEntry.objects.filter(pk__in=ids).select_related("shift_type", "operator")
        self.fields["requester_entry"].queryset = entries.filter(pk__in=[e.pk for e in mine])
        self.fields["colleague_entry"].queryset = entries.filter(pk__in=[e.pk for e in theirs])
        self.fields["colleague"].queryset = roster_operators().filter(
            pk__in=[c.pk for c in colleagues]
        )
        # The choices from the lists already read (no query to render them).
        self.fields["requester_entry"].choices = [("", _("Choose…"))] + [
            (e.pk, self.fields["requester_entry"].label_from_instance(e)) for e in mine
        ]
        self.fields["colleague"].choices = [("", _("Choose…"))] + [
            (c.pk, operator_name(c)) for c in colleagues
        ]
        self.fields["colleague_entry"].choices = [
            ("", _("None: a favour (they are free that day)"))
        ] + [(e.pk, self.fields["colleague_entry"].label_from_instance(e)) for e in theirs]


class SwapDecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)


class CorrectionForm(forms.Form):
    """A supervisor's correction of one operator's day."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in AttendanceStatus if s != AttendanceStatus.SCHEDULED],
    )
    late_minutes = forms.IntegerField(label=_("Minutes late"), min_value=0, max_value=1440)
    early_minutes = forms.IntegerField(label=_("Minutes left early"), min_value=0, max_value=1440)
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
