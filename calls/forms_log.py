"""Forms of the call log: correcting a call, and the reason for deleting one.

The people, the extension and the answer of a call are chosen with type-ahead
pickers (static/js/picker.js, the directory search's JSON API): the visible box
shows "Budi Santoso · Keuangan · 2104", never an id, and the choice travels in a
hidden input (an id; for the extension, its number). The forms only convert
what was sent; calls.services.call_update tidies and validates the call.
"""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from calls.services import EDITABLE_FIELDS
from directory.models import EXTENSION_NUMBER_RE, Extension, InfoEntry, Staff

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
MAX_ID_DIGITS = 18  # fits a 64-bit primary key; longer text never reaches the database
TEXT_SUFFIX = "_text"  # the visible box of a picker is posted as <name>_text
SEPARATOR = " · "
EXTENSION_NUMBER = re.compile(EXTENSION_NUMBER_RE, re.ASCII)


def _label(*parts) -> str:
    return SEPARATOR.join(str(part) for part in parts if part)


def staff_label(staff: Staff, extension: str = "") -> str:
    """ "Budi Santoso · Keuangan · 2104" (picker.js writes the same)."""
    department = staff.department.name if staff.department_id else ""
    return _label(staff.full_name, department, extension)


def extension_label(extension: Extension) -> str:
    """ "2104 · Budi Santoso · Keuangan", "2000 · Keuangan" or "2900 · Ruang Rapat"."""
    if extension.staff_id:
        staff = extension.staff
        department = staff.department.name if staff.department_id else ""
        return _label(extension.number, staff.full_name, department)
    if extension.department_id:
        return _label(extension.number, extension.department.name)
    return _label(extension.number, extension.label or extension.get_kind_display())


@dataclass(frozen=True)
class Picked:
    """What a picker sent: the hidden value, and the visible text (None when the
    visible box was not posted at all, e.g. a script posting ids)."""

    value: str
    text: str | None


class PickerInput(forms.Widget):
    """A combobox (ARIA 1.2): a text box that searches, a listbox of matches and
    the hidden input the choice fills. Written with format_html, so every
    label is escaped; picker.js does the rest."""

    kinds = {
        "staff": _("Type a name, then choose with ↓ and Enter."),
        "extension": _("Type an extension number, or a name and choose its extension."),
        "info": _("Type a few words of the answer, then choose with ↓ and Enter."),
    }

    def __init__(self, *, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.label = ""  # the text shown for the initial value (set by the form)
        self.list_label = ""  # what the list of matches is called (the field's label)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.kind, result.label, result.list_label = self.kind, self.label, self.list_label
        return result

    def value_from_datadict(self, data, files, name):
        return Picked(value=str(data.get(name, "") or ""), text=data.get(name + TEXT_SUFFIX))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + TEXT_SUFFIX not in data

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        box_id = attrs.pop("id", f"id_{name}")
        classes = attrs.pop("class", "form-control")
        if isinstance(value, Picked):  # sent back with an error: show what was sent
            hidden, text = value.value, value.text if value.text is not None else self.label
        else:
            hidden, text = ("" if value is None else str(value)), self.label
        # BoundField points aria-describedby at "<id>_helptext" (the picker's hint).
        described = attrs.pop("aria-describedby", f"{box_id}_helptext")
        invalid = attrs.pop("aria-invalid", None)
        return format_html(
            '<div class="sb-picker" data-picker data-picker-kind="{kind}" data-picker-url="{url}"'
            ' data-picker-chosen="{chosen}" data-picker-count="{count}"'
            ' data-picker-none="{none}" data-picker-cleared="{cleared}"'
            ' data-picker-failed="{failed}">'
            '<input type="text" id="{id}" name="{name}{suffix}" value="{text}" class="{classes}"'
            ' role="combobox" aria-autocomplete="list" aria-expanded="false"'
            ' aria-controls="{id}_listbox" aria-describedby="{described}"{invalid}'
            ' autocomplete="off" spellcheck="false" data-picker-box>'
            '<input type="hidden" name="{name}" value="{hidden}" data-picker-value>'
            '<ul class="sb-picker-list list-group" id="{id}_listbox" role="listbox"'
            ' aria-label="{hint}" hidden></ul>'
            '<div class="visually-hidden" role="status" aria-live="polite" data-picker-status>'
            "</div></div>",
            kind=self.kind,
            url=reverse("directory-api:search"),
            id=box_id,
            name=name,
            suffix=TEXT_SUFFIX,
            text=text,
            classes=classes,
            described=described,
            invalid=format_html(' aria-invalid="{}"', invalid) if invalid else "",
            hidden=hidden,
            hint=self.list_label or self.kinds[self.kind],
            chosen=_("Chosen:"),
            count=_("%(count)s matches; ↓ and Enter to choose."),
            none=_("No matches."),
            cleared=_("Choice cleared."),
            failed=_("The search did not answer; try again."),
        )


class PickerField(forms.Field):
    """A foreign key chosen with a picker. Cleans to the row or None:

    - the visible box emptied: None (clearing the box clears the choice);
    - a hidden value: the row it names, or a field error if there is none
      (stale, or typed by hand), never a database error;
    - text typed but nothing chosen: a field error saying to choose, except
      for an extension, where the text is read as its number.
    """

    widget = PickerInput
    kind = "staff"
    default_error_messages = {
        "invalid_choice": _("This choice no longer exists; search again and choose."),
        "not_chosen": _("Choose from the list: type a few letters, then ↓ and Enter."),
    }

    def __init__(self, *, queryset, initial_ok=None, **kwargs):
        kwargs.setdefault("widget", PickerInput(kind=self.kind))
        super().__init__(**kwargs)
        self.queryset = queryset
        # Rows accepted although the queryset leaves them out: the call's
        # current choice stays valid when, say, that person has since left.
        self.initial_ok = initial_ok
        self._resolved = {}

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._resolved = {}
        return result

    def key(self, raw: str) -> dict:
        """The lookup for a hidden value, or a ValidationError."""
        if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return {"pk": int(raw)}

    def value_key(self, obj) -> str:
        """What the hidden input holds for a row (and the initial value is)."""
        return "" if obj is None else str(obj.pk)

    def missing(self, lookup: dict):
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def lookup(self, raw: str):
        """The row for a hidden value: one query per value and form."""
        lookup = self.key(raw)
        frozen = tuple(sorted(lookup.items()))
        if frozen not in self._resolved:
            found = self.queryset.filter(**lookup).first()
            if found is None and self.initial_ok is not None:
                if all(getattr(self.initial_ok, k) == v for k, v in lookup.items()):
                    found = self.initial_ok
            self._resolved[frozen] = found
        found = self._resolved[frozen]
        return found if found is not None else self.missing(lookup)

    def from_text(self, text: str):
        raise ValidationError(self.error_messages["not_chosen"], code="not_chosen")

    def to_python(self, value):
        if not isinstance(value, Picked):  # an initial value
            value = Picked(value="" if value is None else str(value), text=None)
        text = None if value.text is None else value.text.strip()
        if text == "":
            return None
        raw = value.value.strip()
        if not raw:
            return None if text is None else self.from_text(text)
        return self.lookup(raw)

    def has_changed(self, initial, data):
        try:
            chosen = self.to_python(data)
        except ValidationError:
            return True
        return self.value_key(chosen) != ("" if initial is None else str(initial))


class StaffPickerField(PickerField):
    kind = "staff"


class InfoPickerField(PickerField):
    kind = "info"


class ExtensionPickerField(PickerField):
    """The extension a call went to, by its number (never an id): chosen from
    the person's or department's extensions, or typed."""

    kind = "extension"
    default_error_messages = {
        "invalid_choice": _("There is no extension %(number)s."),
        "not_chosen": _("Type an extension number (2 to 8 digits) or choose one from the list."),
    }

    def key(self, raw: str) -> dict:
        if not EXTENSION_NUMBER.fullmatch(raw):
            raise ValidationError(self.error_messages["not_chosen"], code="not_chosen")
        return {"number": raw}

    def value_key(self, obj) -> str:
        return "" if obj is None else obj.number

    def missing(self, lookup: dict):
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"number": lookup["number"]},
        )

    def from_text(self, text: str):
        return self.lookup(text)


PICKER_FIELDS = ("asked_for_staff", "transferred_to", "info_entry", "requested_by")


class CallCorrectionForm(forms.ModelForm):
    """The fields an operator may correct; saved by the view through call_update,
    whose errors the view puts back on these fields (the form itself runs no
    model validation: one place decides, see _post_clean).

    `instance` should come from Call.objects.for_correction(), which loads what
    the pickers show for the current choices in the one query."""

    asked_for_staff = StaffPickerField(
        label=_("Asked for"), required=False, queryset=Staff.objects.all()
    )
    transferred_to = ExtensionPickerField(
        label=_("Transferred to"), required=False, queryset=Extension.objects.all()
    )
    info_entry = InfoPickerField(
        label=_("Answer given"), required=False, queryset=InfoEntry.objects.filter(active=True)
    )
    requested_by = StaffPickerField(
        label=_("Requested by"), required=False, queryset=Staff.objects.filter(active=True)
    )

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
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.instance
        labels = {
            "asked_for_staff": lambda s: staff_label(
                s, getattr(call, "asked_for_staff_extension", "") or ""
            ),
            "requested_by": lambda s: staff_label(
                s, getattr(call, "requested_by_extension", "") or ""
            ),
            "transferred_to": extension_label,
            "info_entry": str,
        }
        for name in PICKER_FIELDS:
            field = self.fields[name]
            current = getattr(call, name) if getattr(call, f"{name}_id") else None
            field.widget.label = labels[name](current) if current is not None else ""
            field.widget.list_label = field.label
            field.initial_ok = current
            # Help texts are fixed text: never a related object's (stored markup
            # once ran as script through one).
            field.help_text = PickerInput.kinds[field.kind]
        if call.transferred_to_id:
            self.initial["transferred_to"] = call.transferred_to.number
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

    def _post_clean(self):
        # No ModelForm validation of a copy of the call: call_update validates
        # the changes (tidied, with the operator's same-day rule) in one place.
        pass

    def changes(self) -> dict:
        """The changed fields as call_update keyword arguments."""
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def picker_fields(self):
        return [self[name] for name in PICKER_FIELDS]


class CallDeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this call deleted?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
