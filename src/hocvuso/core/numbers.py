"""Numbers grouped by thousands in the active language: 3.321 and 85,3 (vi), 3,321 and 85.3
(en). Presentation only.

Django's Vietnamese format module sets the separators but no grouping, so ``intcomma`` and
``{{ n }}`` would print 3321: the grouping is forced here. A dashboard or a list formats
hundreds of values a page: the separators are resolved once per language (not two
``get_format`` calls a value), and a whole number is grouped by Python's own formatting rather
than ``numberformat.format``'s string walk (the same text: the tests pin both)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language

_SEPARATORS: dict[str | None, tuple[str, str]] = {}


def separators() -> tuple[str, str]:
    """(decimal separator, thousands separator) of the active language."""
    lang = get_language()
    seps = _SEPARATORS.get(lang)
    if seps is None:
        seps = (str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR")))
        _SEPARATORS[lang] = seps
    return seps


def grouped(value: Any, places: int | None = None) -> str:
    """``value`` grouped by thousands, with ``places`` decimals (cut, as Django cuts them) when
    given; a whole number's decimals only when ``places`` asks for them."""
    decimal_sep, thousand_sep = separators()
    whole: int | None = None
    if type(value) is int:
        whole = value
    elif (
        isinstance(value, Decimal)
        and value.is_finite()
        and not value.is_signed()  # -0 and the negatives: Django's own path ("-0" stays)
        and value == value.to_integral_value()
        # Django prints the decimals a Decimal carries ("1.000") when no places are asked
        and (places == 0 or int(value.as_tuple().exponent) >= 0)
    ):
        whole = int(value)
    if whole is not None and not places:
        return f"{whole:,}".replace(",", thousand_sep)
    return str(
        numberformat.format(
            value,
            decimal_sep,
            decimal_pos=places,
            grouping=3,
            thousand_sep=thousand_sep,
            force_grouping=True,
        )
    )
