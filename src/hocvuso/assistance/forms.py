"""Forms of the help pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.assistance.models import Contact
from hocvuso.assistance.services import ANSWER_MAX, NEED_MAX
from hocvuso.core.ids import uuid7
from hocvuso.skills.models import Skill


class AskForm(forms.Form):
    # Made when the form is shown: sending it twice asks once.
    id = forms.UUIDField(widget=forms.HiddenInput)
    skill = forms.ChoiceField(label=_("What do you need help with?"), required=False)
    need = forms.CharField(
        label=_("Or say it in your own words"),
        required=False,
        max_length=NEED_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “I want to pay my electricity bill on my phone.”"),
    )
    contact = forms.ChoiceField(
        label=_("How should a helper reach you?"),
        choices=Contact.choices,
        widget=forms.RadioSelect,
        initial=Contact.VISIT,
    )

    def __init__(self, *args: Any, skills: list[Skill], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("id", uuid7())
        super().__init__(*args, **kwargs)
        self.skills = {s.code: s for s in skills}
        field = self.fields["skill"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((s.code, s.name) for s in skills)]


class StepForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("take", "take"), ("answer", "answer"), ("close", "close")],
        widget=forms.HiddenInput,
    )
    answer = forms.CharField(
        label=_("Your answer to the citizen"),
        required=False,
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you did or advised. The citizen reads it on their home page."),
    )
