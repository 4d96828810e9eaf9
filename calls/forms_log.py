"""Forms of the call log: correcting a call, and the reason for deleting one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from calls.services import EDITABLE_FIELDS

# Foreign keys to big tables are typed as ids (like the admin's raw_id_fields):
# a select of 20,000 staff would make the page unusable.
ID_INPUT_FIELDS = ("asked_for_staff", "transferred_to", "requested_by", "info_entry")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


class CallCorrectionForm(forms.ModelForm):
    """The fields an operator may correct; saved by the view through call_update."""

    class Meta:
        model = Call
        fields = EDITABLE_FIELDS
        widgets = {
            "started_at": forms.DateTimeInput(
                attrs={"type": "datetime-local", "step": "1"}, format=DATETIME_FORMAT
            ),
            "ended_at": forms.DateTimeInput(
                attrs={"type": "datetime-local", "step": "1"}, format=DATETIME_FORMAT
            ),
            "notes": forms.Textarea(attrs={"rows": 3}),
            **{name: forms.NumberInput(attrs={"min": "1"}) for name in ID_INPUT_FIELDS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        for name in ID_INPUT_FIELDS:
            field = self.fields[name]
            field.help_text = _("Id number; leave empty for none.")
            current = getattr(instance, name) if getattr(instance, f"{name}_id") else None
            if current is not None:
                field.help_text = _("Id number. Now: %(name)s (id %(id)s).") % {
                    "name": current,
                    "id": current.pk,
                }
            field.error_messages["invalid_choice"] = _("No record has this id.")
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"
        self.fields["asked_for_department"].queryset = self.fields[
            "asked_for_department"
        ].queryset.order_by("name")


class CallDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this call deleted?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
