from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Presence


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(
        label=_("Presence"),
        choices=Presence.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    back_at = forms.DateTimeField(
        label=_("Back at"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control form-control-sm"},
            format="%Y-%m-%dT%H:%M",
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def mark_errors(self) -> None:
        """Give each field at fault Bootstrap's is-invalid class and point it at
        its message (the board row shows it next to the field). Call after every
        error is added, including the service's."""
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            if self.auto_id:
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"
