"""Forms of the composing pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CommuneSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Commune name or code"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
