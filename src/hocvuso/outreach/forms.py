"""Forms of the outreach pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from django import forms


class MarkForm(forms.Form):
    """A two-tap button: the UUID v7 is made when the list is shown, so a double tap records
    once."""

    id = forms.UUIDField(widget=forms.HiddenInput)
    need = forms.ChoiceField(choices=[("vneid", "vneid"), ("bank", "bank")])
    next = forms.CharField(required=False, max_length=500)


class GuideForm(forms.Form):
    person = forms.UUIDField()
