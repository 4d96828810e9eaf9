"""Forms of message slips. They convert what was sent; the rules (whom a slip
may be for, who gets it, numbers, texts) are messages_app.services.slips', whose
ValidationErrors the views put back on these fields.

- SlipForm: a slip on its own (a walk-in visitor, a message relayed by a colleague).
- ConsoleSlipForm: the console's "message taken" section (calls.extensions); the
  message itself is the call's "Purpose / message", the addressee and the caller
  are the call's.
- RerouteForm, NoteForm: the desk's board and the slip page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.forms_log import StaffPickerField
from directory.models import Department, Staff
from messages_app.models import TEXT_MAX, Mood, Urgency
from messages_app.services.slips import SendTo
from switchboard.widgets import FastSelect

NUMBER_MAX = 40


def _style(form: forms.Form, *, small: bool = False) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
            continue
        if isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DepartmentChoiceField(forms.ModelChoiceField):
    widget = FastSelect  # every department, on the board's page each time

    def label_from_instance(self, obj):
        return obj.name


def _department_field(label):
    return DepartmentChoiceField(
        label=label,
        required=False,
        queryset=Department.objects.active().only("pk", "name").order_by("name"),
        empty_label=_("— no department —"),
    )


class SlipForm(forms.Form):
    """A slip on its own: whom it is for (a person, chosen with the type-ahead
    picker, or a department), from whom, and the message."""

    for_staff = StaffPickerField(
        label=_("For (person)"),
        required=False,
        queryset=Staff.objects.filter(active=True).select_related("department", "cover"),
    )
    for_department = _department_field(_("Or for a department"))
    send_to = forms.ChoiceField(
        label=_("Who gets it, when the person is away"),
        choices=SendTo.choices,
        initial=SendTo.PERSON,
        help_text=_("Their cover, or both, only if the person has a cover."),
    )
    caller_name = forms.CharField(label=_("From (name)"), required=False, max_length=150)
    caller_company = forms.CharField(label=_("Company"), required=False, max_length=150)
    caller_number = forms.CharField(
        label=_("Their number"),
        required=False,
        max_length=NUMBER_MAX,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    mood = forms.ChoiceField(label=_("Caller's mood"), choices=Mood.choices, initial=Mood.CALM)
    callback_number = forms.CharField(
        label=_("Call-back number"),
        required=False,
        max_length=NUMBER_MAX,
        help_text=_("Blank: their number."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    callback_time = forms.CharField(
        label=_("Best time to call back"), required=False, max_length=100
    )

    picker_names = ("for_staff",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["for_staff"].widget.list_label = _("People")

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ConsoleSlipForm(forms.Form):
    """The console's message section (prefix "message"): what the call itself
    does not hold. Built by calls.extensions with the call's form and the user.
    A choice left out of the POST (a script posting the call alone) is its
    usual value."""

    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, required=False
    )
    mood = forms.ChoiceField(
        label=_("Caller's mood"), choices=Mood.choices, initial=Mood.CALM, required=False
    )
    callback_number = forms.CharField(
        label=_("Call-back number"),
        required=False,
        max_length=NUMBER_MAX,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    callback_time = forms.CharField(
        label=_("Best time to call back"), required=False, max_length=100
    )
    send_to = forms.ChoiceField(
        label=_("Who gets it"), choices=SendTo.choices, initial=SendTo.PERSON, required=False
    )

    def __init__(self, *args, call_form=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call_form, self.user = call_form, user
        _style(self, small=True)

    def away(self) -> dict | None:
        """The person the call asks for, when they are away: {"cover": name or
        ""}. Read from the call's checked form, so a section that comes back
        with the call refused still names the cover and offers the choice
        (console_slip.js does the same as the operator picks someone)."""
        cleaned = getattr(self.call_form, "cleaned_data", None) or {}
        staff = cleaned.get("asked_for_staff")
        if not isinstance(staff, Staff) or staff.is_available:
            return None
        return {"cover": staff.cover.full_name if staff.cover_id else ""}

    def clean(self):
        data = super().clean()
        for name in ("urgency", "mood", "send_to"):
            if not data.get(name) and name not in self.errors:
                data[name] = self.fields[name].initial
        return data


class RerouteForm(forms.Form):
    for_staff = StaffPickerField(
        label=_("To (person)"),
        required=False,
        queryset=Staff.objects.filter(active=True).select_related("department", "cover"),
    )
    for_department = _department_field(_("Or to a department"))
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    picker_names = ("for_staff",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["for_staff"].widget.list_label = _("People")


class NoteForm(forms.Form):
    """Acknowledge, done, re-send: an optional note and the version seen."""

    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
