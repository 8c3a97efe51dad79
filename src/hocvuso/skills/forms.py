"""Forms of the skill pages. They only parse input; the rules live in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7
from hocvuso.skills.models import Channel, CheckOutcome, SkillArea


def skill_choices(areas: list[SkillArea]) -> list[tuple[str, Any]]:
    """Skills grouped by area (an <optgroup> each), for a pick in a few taps."""
    return [
        (str(area), [(s.code, s.name) for s in area.skills.all()])
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


# --- Back-checks ------------------------------------------------------------------------------

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class SampleForm(forms.Form):
    """How much to draw: the id of the round (made when the form is shown), the share and the
    seed. A programme app's page draws over its own events with this form alone."""

    id = forms.UUIDField(widget=forms.HiddenInput)
    percent = forms.DecimalField(
        label=_("Sample size (%)"), min_value=0.01, max_value=100, decimal_places=2, initial=5
    )
    seed = forms.IntegerField(
        label=_("Seed (empty: a new random one)"),
        required=False,
        min_value=0,
        max_value=2**62,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("id", uuid7())
        super().__init__(*args, **kwargs)


class DrawForm(SampleForm):
    """A commune-wide round: the period, and optionally one channel or one helper."""

    period_from = forms.DateField(label=_("From"), **_DATE)  # type: ignore[arg-type]
    period_to = forms.DateField(label=_("To"), **_DATE)  # type: ignore[arg-type]
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    # The helper's username, not a list of them: a commune's helpers (volunteers, team members,
    # mentors, desk staff) run to thousands, too many options for a phone's page.
    helper = forms.CharField(
        label=_("Helped by (username)"),
        required=False,
        max_length=150,
        help_text=_("Leave empty to draw over every helper's reports."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )

    field_order = ["id", "period_from", "period_to", "percent", "seed", "channel", "helper"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("period_to", today)
        kwargs["initial"].setdefault("period_from", today - dt.timedelta(days=30))
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "—"), *Channel.choices]  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in CheckOutcome.choices if c[0] != CheckOutcome.PENDING],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
