"""The complaint list's forms: saving its filter under a name (the rules are
messages_app.services.saved_filters'), and the bulk bar's fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from switchboard.widgets import FlatSelect


class SavedFilterForm(forms.Form):
    # Required and unique: the service says so (saved_filter_create).
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    shared = forms.BooleanField(
        label=_("Share it with everyone who sees the complaint list"), required=False
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)


class BulkActionForm(forms.Form):
    """The fields of the list's bulk bar, named as messages_app:complaint-bulk
    reads them (the endpoint and complaint_bulk check what is sent): the
    action, whom to assign to (the people of the department filtered by),
    where to re-route to, and the reason."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("assign", _("Assign to")), ("route", _("Re-route to")), ("close", _("Close"))],
        widget=FlatSelect(attrs={"data-bulk-action": True}),
    )
    staff = forms.ChoiceField(label=_("Person"), required=False, widget=FlatSelect)
    department = forms.ChoiceField(label=_("Department"), required=False, widget=FlatSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *, people, departments):
        super().__init__(auto_id="complaint-bulk-%s")
        staff = self.fields["staff"]
        staff.choices = [("", "—" if people else _("Filter by one department first")), *people]
        staff.disabled = not people
        self.fields["department"].choices = [("", "—"), *departments]
        for name, field in self.fields.items():
            css = "form-control" if name == "reason" else "form-select"
            field.widget.attrs["class"] = f"{css} {css}-sm"
