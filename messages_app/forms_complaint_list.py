"""The complaint list's one form of its own: saving its filter under a name
(the rules are messages_app.services.saved_filters')."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SavedFilterForm(forms.Form):
    # Required and unique: the service says so (saved_filter_create).
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    shared = forms.BooleanField(
        label=_("Share it with everyone who sees the complaint list"), required=False
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)
