"""Forms of the privacy pages. Nothing is pre-selected: a consent is a choice the person makes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.geo.models import Province
from hocvuso.privacy.models import (
    BreachKind,
    ConsentMethod,
    ConsentPurpose,
    RequestChannel,
    RequestKind,
)

BLANK = [("", "—")]


def _local_noon(day: dt.date | None) -> dt.datetime | None:
    """A day typed in a form, as an aware time (noon, so no time zone moves it to another day);
    today means now."""
    if day is None or day == timezone.localdate():
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("What the person agrees to"), choices=ConsentPurpose.choices
    )
    method = forms.ChoiceField(
        label=_("How the consent was given"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
    )
    witness = forms.CharField(
        label=_("Witness (for a verbal consent)"), max_length=150, required=False
    )
    given_on = forms.DateField(
        label=_("Date given"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today."),
    )

    def __init__(self, *args: Any, self_service: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A radio group with no initial value and a select that starts on "—": nothing pre-ticked.
        purpose = self.fields["purpose"]
        assert isinstance(purpose, forms.ChoiceField)
        purpose.choices = BLANK + list(ConsentPurpose.choices)
        if self_service:
            for name in ("method", "witness", "given_on"):
                del self.fields[name]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "method": data.get("method", ConsentMethod.APP),
            "witness": data.get("witness", ""),
            "given_at": _local_noon(data.get("given_on")),
        }


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the person asks for"), choices=RequestKind.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("How it was received"), choices=RequestChannel.choices)
    received_on = forms.DateField(
        label=_("Date received"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for today."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, self_service: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = BLANK + [c for c in RequestChannel.choices if c[0] != RequestChannel.APP]
        if self_service:
            for name in ("channel", "received_on"):
                del self.fields[name]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "channel": data.get("channel", RequestChannel.APP),
            "received_at": _local_noon(data.get("received_on")),
            "notes": data.get("notes", ""),
        }


class CompleteForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("The processing the person objects to"), choices=(), required=False
    )
    notes = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == RequestKind.OBJECTION:
            field = self.fields["purpose"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = BLANK + list(ConsentPurpose.choices)
        else:
            del self.fields["purpose"]


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that the name, date of birth, CCCD, phone, ethnicity and special needs "
            "of this person will be erased for good."
        ),
        required=True,
    )


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=64,
        help_text=_("The start is enough: “person.” finds every action on people."),
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BreachForm(forms.Form):
    found_at = forms.DateTimeField(
        label=_("When it was found"), widget=_DT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    kind = forms.ChoiceField(label=_("What happened"), choices=BLANK + list(BreachKind.choices))
    summary = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    data_affected = forms.CharField(
        label=_("Data concerned"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: names and phone numbers; CCCD; ethnicity."),
    )
    persons_affected = forms.IntegerField(
        label=_("Persons concerned (estimate)"), min_value=0, initial=0
    )
    provinces = forms.ModelMultipleChoiceField(
        label=_("Provinces"),
        queryset=Province.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    containment = forms.CharField(
        label=_("Containment and remedy"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NotifyAuthorityForm(forms.Form):
    reference = forms.CharField(
        label=_("The authority's reference"), max_length=100, required=False
    )


class NotifyPersonsForm(forms.Form):
    notice = forms.CharField(
        label=_("What the persons were told"), widget=forms.Textarea(attrs={"rows": 3})
    )
