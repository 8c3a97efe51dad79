"""Forms of the class pages. They only parse input; the rules live in the
services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7
from hocvuso.registry.models import Sex

_DT = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
}


class ClassForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    branch = forms.CharField(label=_("Youth branch or team"), max_length=150, required=False)
    village = forms.ChoiceField(label=_("Village"), required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    starts_at = forms.DateTimeField(label=_("Date and time"), **_DT)  # type: ignore[arg-type]
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000, initial=30)
    skills = forms.MultipleChoiceField(
        label=_("Topic skills"), widget=forms.CheckboxSelectMultiple, required=False
    )
    volunteers = forms.MultipleChoiceField(
        label=_("Volunteers"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(
        self,
        *args: Any,
        villages: list[tuple[str, str]],
        skills: list[tuple[str, str]],
        volunteers: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("id", uuid7())
        kwargs["initial"].setdefault(
            "starts_at", timezone.localtime().replace(minute=0, second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "—"), *villages]  # type: ignore[attr-defined]
        self.fields["skills"].choices = skills  # type: ignore[attr-defined]
        self.fields["volunteers"].choices = volunteers  # type: ignore[attr-defined]


class RegisterForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput)
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1880, max_value=2100
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    # Shown once the matches were offered (registry.walk_in_check): none of them is the person.
    confirmed_new = forms.BooleanField(
        label=_("None of them: it is someone else, add them"), required=False
    )

    def __init__(self, *args: Any, offered: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("id", uuid7())
        super().__init__(*args, **kwargs)
        if not offered:
            self.fields["confirmed_new"].widget = forms.HiddenInput()
