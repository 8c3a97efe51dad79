"""Forms of the team pages (the rules are in the services; these only parse)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.teams.models import MemberRole, Organisation, VisitIssue


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=150)
    villages = forms.MultipleChoiceField(
        label=_("Villages covered"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, villages: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["villages"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(v.pk), v.name) for v in villages]


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role in the team"), choices=MemberRole.choices)
    organisation = forms.ChoiceField(label=_("Organisation"), choices=Organisation.choices)


class VisitForm(forms.Form):
    """The visit form: the per-person fields (``present``, ``guided_<id>``, ``gained_<id>``) are
    read from the POST by the view, for the household's members."""

    id = forms.UUIDField(widget=forms.HiddenInput)
    visited_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    issues = forms.MultipleChoiceField(
        label=_("Issues found"),
        choices=VisitIssue.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    issues_note = forms.CharField(label=_("Other issue"), max_length=255, required=False)
    follow_up_on = forms.DateField(
        label=_("Follow-up date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
