"""Forms of the recap pages: the comment, the review steps (a version
only), the rebuild with its reason, and the list's month and status."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import RecapStatus
from reports.models.recap import TEXT_MAX
from reports.services.recap import REASON_MAX


class VersionForm(forms.Form):
    """Mark reviewed, sign off: the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CommentForm(VersionForm):
    comment = forms.CharField(
        label=_("Supervisor's comment"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class RebuildForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rebuild"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
        help_text=_("Needed to rebuild a signed-off recap: it is kept in the history."),
    )


class RecapListForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(
            format="%Y-%m", attrs={"type": "month", "class": "form-control form-control-sm"}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *RecapStatus.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
