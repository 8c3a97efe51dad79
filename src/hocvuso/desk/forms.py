"""Forms of the desk pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7
from hocvuso.core.web import NoEchoTextInput
from hocvuso.desk.models import Outcome
from hocvuso.desk.procedures import procedure_choices
from hocvuso.registry.models import Sex

NEW_HOUSEHOLD = "new"


class VisitForm(forms.Form):
    # Made when the form is shown: sending it twice logs the visit once.
    id = forms.UUIDField(widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Find the person: name, phone or CCCD"),
        required=False,
        max_length=100,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    # One of the people found (rendered as radio buttons by the template).
    person = forms.UUIDField(required=False)
    new_full_name = forms.CharField(label=_("Full name"), required=False, max_length=150)
    new_sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    new_birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1880, max_value=2100
    )
    new_phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    # Shown once the matches were offered (registry.walk_in_check): none of them is the person.
    confirmed_new = forms.BooleanField(
        label=_("None of them: it is someone else, add them"), required=False
    )
    # "new" or one of the households of the people found (radio buttons in the template).
    household = forms.CharField(required=False, max_length=40)
    procedure = forms.ChoiceField(label=_("Procedure"))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        initial=Outcome.DONE_WITH_HELP,
    )
    can_do_alone = forms.BooleanField(
        label=_("Can do it alone next time"), required=False, initial=False
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    happened_at = forms.DateTimeField(
        label=_("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("id", uuid7())
        kwargs["initial"].setdefault(
            "happened_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        kwargs["initial"].setdefault("household", NEW_HOUSEHOLD)
        super().__init__(*args, **kwargs)
        procedure = self.fields["procedure"]
        assert isinstance(procedure, forms.ChoiceField)
        procedure.choices = [("", "—"), *procedure_choices()]
