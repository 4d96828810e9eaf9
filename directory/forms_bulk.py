from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from directory.importing import MAX_ROWS, MAX_UPLOAD_BYTES
from directory.models import Department, ImportKind


class ImportForm(forms.Form):
    """Upload a directory file; the import service does every check of its content."""

    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy(
            _("CSV (UTF-8) or XLSX, at most {mb} MB and {rows} rows."),
            mb=MAX_UPLOAD_BYTES // (1024 * 1024),
            rows=lazy(lambda: number_format(MAX_ROWS, force_grouping=True), str)(),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class ConfirmImportForm(forms.Form):
    """Confirm a previewed import. A file that moves extensions from one person
    or department to another needs the box ticked; `moves` carries how many the
    admin was shown, and import_confirm refuses any other number."""

    accept_moves = forms.BooleanField(required=False)
    moves = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, move_count: int = 0, **kwargs):
        super().__init__(*args, initial={"moves": move_count}, **kwargs)
        self.move_count = move_count
        self.fields["accept_moves"].label = ngettext(
            "I accept that %(count)d extension moves to someone else, as listed.",
            "I accept that these %(count)d extensions move to someone else, as listed.",
            move_count,
        ) % {"count": move_count}

    def accepted_moves(self) -> int:
        """How many moves the admin accepted: what they were shown, if ticked."""
        if not self.is_valid() or not self.cleaned_data["accept_moves"]:
            return 0
        return self.cleaned_data["moves"] or 0


class PhoneListFilterForm(forms.Form):
    """Which part of the company to print; the choices come from the page's one
    query for departments, never from a query of their own."""

    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, departments: list[tuple[Department, int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [
            ("", _("Whole company")),
            *[(d.pk, "\u2003" * depth + d.name) for d, depth in departments],
        ]
