"""Forms of the complaint pages and of the console's complaint section. They
check and convert what was sent; the rules are the services' (a form never
decides where a complaint goes or which step it may take)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from directory.models import Department, Staff
from messages_app.models import TEXT_MAX, ComplaintCategory, Product, Severity, Visibility
from switchboard.phones import parse_phone

MAX_ID_DIGITS = 18  # fits a 64-bit key; longer "ids" never reach the database


class IdModelChoiceField(forms.ModelChoiceField):
    """A choice sent as an id: anything but a short run of ASCII digits naming
    a row of the queryset is the field's own "invalid choice" error, never a
    database error (an id too large for the column, text, NUL)."""

    default_error_messages = {
        "invalid_choice": _("This choice no longer exists; choose again."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(int(text))


def current_language() -> str:
    """The desk's language now, as one of settings.LANGUAGES."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _style(form: forms.Form, *, small: bool = False) -> None:
    """Bootstrap classes on every visible widget."""
    for bound in form.visible_fields():
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.RadioSelect):
            continue
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select" + (" form-select-sm" if small else ""))
        else:
            widget.attrs.setdefault("class", "form-control" + (" form-control-sm" if small else ""))


class _ComplaintFields(forms.Form):
    """What the console's section and the page of its own both ask."""

    category = IdModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=ComplaintCategory.objects.filter(active=True),
        empty_label=_("— none —"),
    )
    product = IdModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.filter(active=True),
        empty_label=_("— none —"),
    )
    # Not sent (a form posted without the section): medium, the desk's language.
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM, required=False
    )
    customer_email = forms.EmailField(
        label=_("Customer's e-mail (optional)"), required=False, max_length=254
    )
    language = forms.ChoiceField(
        label=_("Customer's language"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The acknowledgement and the sentence to read out are in this language."),
    )
    department = IdModelChoiceField(
        label=_("Send to another department"),
        required=False,
        queryset=Department.objects.active(),
        empty_label=_("— as the rule says —"),
    )
    override_reason = forms.CharField(
        label=_("Why another department"), required=False, max_length=300
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = current_language()

    def clean_severity(self):
        return self.cleaned_data.get("severity") or Severity.MEDIUM

    def clean_language(self):
        return self.cleaned_data.get("language") or current_language()


class ConsoleComplaintForm(_ComplaintFields):
    """The console's complaint section (prefix "complaint"). The customer's
    name, company and number are the call's, and the description defaults to
    the call's purpose: nothing is typed twice."""

    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Filled in from the purpose; add what the caller said."),
    )
    field_order = [
        "description",
        "category",
        "product",
        "severity",
        "customer_email",
        "language",
        "department",
        "override_reason",
    ]

    def __init__(self, *args, call_form=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call_form, self.user = call_form, user
        _style(self, small=True)
        self.fields["category"].widget.attrs["data-extension-focus"] = ""


class ComplaintForm(_ComplaintFields):
    """A complaint on its own page (a letter, a walk-in customer, a colleague
    passing one on)."""

    customer_name = forms.CharField(label=_("Customer name"), max_length=150)
    customer_number = forms.CharField(
        label=_("Customer's number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "0812-3456-7890"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    field_order = [
        "customer_name",
        "customer_number",
        "customer_email",
        "language",
        "category",
        "product",
        "severity",
        "description",
        "department",
        "override_reason",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["customer_name"].widget.attrs["autofocus"] = ""

    def clean_customer_number(self):
        raw = self.cleaned_data.get("customer_number", "").strip()
        return parse_phone(raw).e164 if raw else ""


# Working on a complaint -------------------------------------------------------


class _Versioned(forms.Form):
    # The version the page showed: a change made on a stale page is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)


STEPS = {
    "acknowledge": "acknowledged",
    "start": "in_progress",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "reopened",
}


class StatusForm(_Versioned):
    step = forms.ChoiceField(choices=[(step, step) for step in STEPS], widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    email_customer = forms.BooleanField(label=_("Also e-mail it to the customer"), required=False)


class AssignForm(_Versioned):
    staff = IdModelChoiceField(
        label=_("Assign to"),
        required=False,
        queryset=Staff.objects.none(),
        empty_label=_("— nobody —"),
    )

    def __init__(self, *args, department_staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        if department_staff is not None:
            self.fields["staff"].queryset = department_staff
        _style(self, small=True)
        attrs = {"data-shortcut": "g", "aria-keyshortcuts": "Alt+G"}
        self.fields["staff"].widget.attrs.update(attrs)


class RerouteForm(_Versioned):
    department = IdModelChoiceField(
        label=_("Department"), queryset=Department.objects.active(), empty_label=_("— choose —")
    )
    reason = forms.CharField(label=_("Why"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self, small=True)
        attrs = {"data-shortcut": "t", "aria-keyshortcuts": "Alt+T"}
        self.fields["department"].widget.attrs.update(attrs)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Kind"),
        choices=Visibility.choices,
        initial=Visibility.INTERNAL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    email_customer = forms.BooleanField(label=_("Also e-mail it to the customer"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self, small=True)


class RuleTestForm(forms.Form):
    """The admin's rule tester: a sample complaint."""

    category = IdModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=ComplaintCategory.objects.all(),
        empty_label=_("— none —"),
    )
    product = IdModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.all(),
        empty_label=_("— none —"),
    )
    text = forms.CharField(
        label=_("Sample text"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM, required=False
    )
