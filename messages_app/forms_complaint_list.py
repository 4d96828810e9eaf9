"""The complaint list's one form of its own: saving its filter under a name
(the rules are messages_app.services.saved_filters')."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    shared = forms.BooleanField(
        label=_("Share it with everyone who sees the complaint list"), required=False
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)
