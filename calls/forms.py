"""Forms of the calls app. The console form only checks and converts what the
operator sent; `calls.services.call_log` tidies and validates the call itself
(the rules are in calls.models.Call.clean) and writes it."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import NAME_MAX, NOTES_MAX, CallCategory, CallerKind, Direction, Outcome
from directory.models import Department, Extension, InfoEntry, Staff
from switchboard.phones import (
    parse_phone,
    parse_phone_number,  # noqa: F401  kept here for old imports
)
from switchboard.widgets import FastHiddenInput, FastSelect, FastTextarea, FastTextInput

NUMBER_MAX = 40
MAX_CALL_LENGTH = timedelta(hours=12)  # a timer older than this was left running
MAX_ID_DIGITS = 18  # fits a 64-bit primary key; longer strings never reach the database


def _id_from(field: forms.Field, value) -> int | None:
    """The id sent for a choice field: None when empty; the field's own
    "invalid_choice" error for anything but a short run of ASCII digits, so
    odd text never reaches the database."""
    if value in field.empty_values:
        return None
    value = str(value).strip()
    if not value.isascii() or not value.isdigit() or len(value) > MAX_ID_DIGITS:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")
    return int(value)


class IdChoiceField(forms.ModelChoiceField):
    """A foreign key sent as a hidden id set by the console search. Anything that
    is not the id of an existing row is a field error, never a database error."""

    widget = FastHiddenInput
    default_error_messages = {
        "invalid_choice": _("This choice no longer exists; search again."),
    }

    def to_python(self, value):
        pk = _id_from(self, value)
        return None if pk is None else super().to_python(pk)


class CategorySelect(FastSelect):
    """Each option says which department the category usually goes to, so the
    console can pre-fill it."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        category = getattr(value, "instance", None)
        if category is not None and category.default_department_id:
            option["attrs"]["data-department-id"] = category.default_department_id
            option["attrs"]["data-department-name"] = category.default_department.name
        return option


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices from the field's list of rows, loaded once, not a query per render."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.objects():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.objects()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.objects())


class CategoryChoiceField(forms.ModelChoiceField):
    """The active categories, read once: rendering the options and checking the
    id sent share one query (or none, when the view hands the list in)."""

    widget = CategorySelect
    iterator = ListedModelChoiceIterator

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._objects = None

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._objects = None
        return result

    def set_objects(self, objects):
        self._objects = list(objects)

    def objects(self) -> list:
        if self._objects is None:
            self._objects = list(self.queryset)
        return self._objects

    def to_python(self, value):
        pk = _id_from(self, value)
        if pk is None:
            return None
        for obj in self.objects():
            if obj.pk == pk:
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": str(value).strip()},
        )


def active_categories() -> list:
    """The categories the console offers, with their usual departments."""
    return list(CallCategory.objects.filter(active=True).select_related("default_department"))


class ConsoleCallForm(forms.Form):
    """One call as the console sends it: the timer's start, the caller, who or
    what they asked for (hidden ids chosen in the search), and the outcome
    (the button the operator pressed).

    The form converts; it decides nothing about the call. Which outcome fits
    which direction, what each outcome needs and what is cleared on the way
    are call_log's (Call.clean and calls.services._normalise), so the console,
    the correction page and the admin give the same answer; the console view
    puts those errors back on these fields."""

    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Direction.choices,
        initial=Direction.INCOMING,
        widget=FastSelect,
    )
    started_at = forms.DateTimeField(label=_("Started"), required=False, widget=FastHiddenInput)
    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=NUMBER_MAX,
        widget=FastTextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "0812-3456-7890"}
        ),
    )
    withheld = forms.BooleanField(label=_("Number withheld"), required=False)
    caller_name = forms.CharField(
        label=_("Name"), required=False, max_length=NAME_MAX, widget=FastTextInput
    )
    caller_company = forms.CharField(
        label=_("Company"), required=False, max_length=NAME_MAX, widget=FastTextInput
    )
    caller_kind = forms.ChoiceField(
        label=_("Caller kind"),
        choices=CallerKind.choices,
        initial=CallerKind.UNKNOWN,
        widget=FastSelect,
    )
    category = CategoryChoiceField(
        label=_("Category"),
        required=False,
        queryset=CallCategory.objects.filter(active=True).select_related("default_department"),
    )
    asked_for_staff = IdChoiceField(
        label=_("Asked for"), required=False, queryset=Staff.objects.select_related("department")
    )
    asked_for_department = IdChoiceField(
        label=_("Department"), required=False, queryset=Department.objects
    )
    transferred_to = IdChoiceField(
        label=_("Transfer to"), required=False, queryset=Extension.objects
    )
    info_entry = IdChoiceField(
        label=_("Answer given"), required=False, queryset=InfoEntry.objects.filter(active=True)
    )
    requested_by = IdChoiceField(
        label=_("Requested by"), required=False, queryset=Staff.objects.filter(active=True)
    )
    # What the search chose, as the operator saw it. Shown again when the form
    # comes back with an error; never stored.
    asked_for_label = forms.CharField(required=False, max_length=300, widget=FastHiddenInput)
    transfer_label = forms.CharField(required=False, max_length=300, widget=FastHiddenInput)
    requested_by_label = forms.CharField(required=False, max_length=300, widget=FastHiddenInput)
    info_label = forms.CharField(required=False, max_length=300, widget=FastHiddenInput)
    purpose = forms.CharField(
        label=_("Purpose / message"), required=False, max_length=300, widget=FastTextInput
    )
    is_personal = forms.BooleanField(label=_("Personal call"), required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX,
        widget=FastTextarea(attrs={"rows": 2}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=FastSelect,
        error_messages={"required": _("Choose an outcome.")},
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:
            self.fields["category"].set_objects(categories)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else css

    def clean_started_at(self):
        started = self.cleaned_data.get("started_at")
        if started and started < timezone.now() - MAX_CALL_LENGTH:
            raise ValidationError(
                _("The call timer started too long ago; start a new call."), code="too_old"
            )
        return started

    def clean_number(self):
        self.caller_extension = ""
        raw = self.cleaned_data.get("number", "").strip()
        if not raw or self.data.get("withheld") in ("on", "true", "1", "True"):
            return ""
        phone = parse_phone(raw)  # "021-5551234 ext 12": the number and its extension
        self.caller_extension = phone.extension
        return phone.e164

    def clean(self):
        data = super().clean()
        if data.get("withheld"):
            data["number"] = ""
            self.caller_extension = ""
        return data

    def call_fields(self) -> dict:
        """The cleaned data as `call_log` keyword arguments."""
        data = self.cleaned_data
        fields = {
            name: data.get(name)
            for name in (
                "direction",
                "caller_name",
                "caller_company",
                "caller_kind",
                "category",
                "asked_for_staff",
                "asked_for_department",
                "transferred_to",
                "info_entry",
                "requested_by",
                "purpose",
                "is_personal",
                "notes",
                "outcome",
            )
        }
        fields["caller_extension"] = getattr(self, "caller_extension", "")
        if data.get("started_at"):
            fields["started_at"] = data["started_at"]
        return fields
