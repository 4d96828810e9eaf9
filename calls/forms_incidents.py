"""Forms of the phone-line incident pages: log or correct an incident, close
one, and the list's filter (state and month). The services validate; the
forms only read what was typed."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import PhoneLineIncident
from calls.services_incidents import EDITABLE_FIELDS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class InvalidMarksMixin:
    """Fields with an error get Bootstrap's is-invalid, whoever added it (the
    form's own cleaning or the service's ValidationError)."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    widget.attrs["class"] = f"{css} is-invalid".strip()


def _moment(**attrs):
    return forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format=DATETIME_FORMAT)


class IncidentForm(InvalidMarksMixin, forms.ModelForm):
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = PhoneLineIncident
        fields = EDITABLE_FIELDS
        widgets = {
            "started_at": _moment(),
            "ended_at": _moment(),
            "description": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"ended_at": _("Leave empty while the line is still down.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("started_at", "ended_at"):
            self.fields[name].input_formats = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S"]
        self.fields["line"].widget.attrs["autofocus"] = True
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _post_clean(self):
        # The service runs full_clean on the whole incident (and names who
        # logged it); the form only converts what was typed.
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class CloseForm(InvalidMarksMixin, forms.Form):
    ended_at = forms.DateTimeField(
        label=_("Line back at"),
        widget=_moment(**{"class": "form-control", "autofocus": True}),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S"],
    )
    notes = forms.CharField(
        label=_("Note (what fixed it)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


def parse_month(value) -> date | None:
    match = MONTH.match(str(value or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)
