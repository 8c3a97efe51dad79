"""Forms of the mentoring pages. They only parse input; the rules live in the services."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.registry.ethnicity import ETHNIC_GROUPS


class MentorForm(forms.Form):
    """The person is found by name (the "Find" button lists the matches) and chosen in the
    list, never typed as an identifier."""

    q = forms.CharField(label=_("Name of the person (and year of birth)"), required=False)
    person = forms.UUIDField(
        label=_("Person"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Find the person by name and choose them in the list."),
            "invalid": _("Find the person by name and choose them in the list."),
        },
    )
    username = forms.CharField(label=_("User account"), max_length=150)
    capacity = forms.IntegerField(
        label=_("Capacity (mentees)"), min_value=1, max_value=50, initial=5
    )
    languages = forms.MultipleChoiceField(
        label=_("Ethnic languages spoken"), choices=ETHNIC_GROUPS, required=False
    )


class SessionForm(forms.Form):
    """A few taps: who, when (today by default), what was practised, what they can do now. The
    UUID v7 is made when the form is shown, so a resent form records once."""

    id = forms.UUIDField(widget=forms.HiddenInput)
    mentee = forms.ChoiceField(label=_("Mentee"), widget=forms.RadioSelect)
    happened_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date.today
    )
    practised = forms.MultipleChoiceField(
        label=_("Skills practised"), required=False, widget=forms.CheckboxSelectMultiple
    )
    gained = forms.MultipleChoiceField(
        label=_("Skills gained (can now do alone)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: object,
        mentees: list[tuple[str, str]],
        skills: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["mentee"]).choices = mentees
        cast(forms.ChoiceField, self.fields["practised"]).choices = skills
        cast(forms.ChoiceField, self.fields["gained"]).choices = skills
        self.fields["happened_on"].initial = timezone.localdate
