"""Forms of the skill pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7
from hocvuso.skills.models import Channel, SkillArea


def skill_choices(areas: list[SkillArea]) -> list[tuple[str, Any]]:
    """Skills grouped by area (an <optgroup> each), for a pick in a few taps."""
    return [
        (str(area), [(s.code, f"{s.code} · {s.name}") for s in area.skills.all()])
        for area in areas
        if area.skills.all()
    ]


class SkillEventForm(forms.Form):
    # Made when the form is shown: sending the form twice records the event once.
    id = forms.UUIDField(widget=forms.HiddenInput)
    skill = forms.ChoiceField(label=_("Skill"))
    channel = forms.ChoiceField(
        label=_("How"), choices=Channel.choices, widget=forms.RadioSelect, initial="home_visit"
    )
    happened_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    helped = forms.BooleanField(label=_("I helped"), required=False, initial=True)
    note = forms.CharField(
        label=_("Evidence (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, areas: list[SkillArea], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("id", uuid7())
        kwargs["initial"].setdefault("happened_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        skill = self.fields["skill"]
        assert isinstance(skill, forms.ChoiceField)
        skill.choices = [("", "—"), *skill_choices(areas)]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why is this record wrong?"), max_length=300)
