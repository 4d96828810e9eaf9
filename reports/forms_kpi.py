"""Forms of the KPI sheet: the sign-off and its withdrawal."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models.kpi import NOTE_MAX


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: what was agreed at the review."),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)
