"""The handover note form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models.recap import TEXT_MAX


class HandoverForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the next shift"),
        required=False,
        max_length=TEXT_MAX,
        help_text=_("What the next shift must know: callers to ring back, lines down, visitors."),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )

    def add_error(self, field, error):
        super().add_error(field, error)
        if "note" in self.errors:
            self.fields["note"].widget.attrs["class"] = "form-control is-invalid"
