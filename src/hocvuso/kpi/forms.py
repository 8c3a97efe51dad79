"""The targets form. It only parses input — the unit from the page's own list, an indicator, a
year of the list, an optional month, the value as typed (a Vietnamese decimal comma is read by
the service); who may set which target, and the bounds of a value, are the service's rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.kpi.models import Indicator


def _choice(message: Any) -> dict[str, Any]:
    return {"required": message, "invalid_choice": message}


class TargetForm(forms.Form):
    # "" the nation; "p:<code>" a province; "r:<code>" its remote communes; "c:<code>" a commune.
    unit = forms.ChoiceField(
        required=False, error_messages=_choice(_("Choose a unit from the list."))
    )
    indicator = forms.ChoiceField(error_messages=_choice(_("Choose an indicator.")))
    year = forms.TypedChoiceField(
        coerce=int, error_messages=_choice(_("Choose a year from the list."))
    )
    month = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=_choice(_("A month is 1 to 12.")),
    )
    value = forms.CharField(required=False, max_length=32, strip=True)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        indicators: list[Indicator],
        years: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        # "" (the nation) is a choice only on the nation's page.
        self.fields["unit"].required = "" not in {value for value, _name in units}
        self.fields["indicator"].choices = [(i.code, i.code) for i in indicators]  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]
        self.fields["month"].choices = [("", ""), *((m, m) for m in range(1, 13))]  # type: ignore[attr-defined]

    def errors_by_field(self) -> dict[str, str]:
        """The first message of each field (the page shows one under each input)."""
        return {name: str(errors[0]) for name, errors in self.errors.items()}
