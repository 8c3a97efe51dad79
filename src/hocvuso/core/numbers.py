"""Numbers grouped by thousands in the active language: 3.321 and 85,3 (vi), 3,321 and 85.3
(en). Presentation only.

Django's Vietnamese format module sets the separators but no grouping, so ``intcomma`` and
``{{ n }}`` would print 3321: the grouping is forced here. A dashboard or a list formats
hundreds of values a page: the separators are resolved once per language (not two
``get_format`` calls a value), and whole numbers and decimals with their places are grouped by
Python's own formatting rather than ``numberformat.format``'s string walk (the same text: the
tests pin both; a national dashboard formats about 190 percentages a request, and the walk took
a fifth of the page's Python)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.translation import get_language

_SEPARATORS: dict[str | None, tuple[str, str]] = {}
_TABLES: dict[tuple[str, str], dict[int, str]] = {}
# Decimal's own ``{:,f}`` prints at most this many digits before Django switches to scientific
# notation (its cut-off is 200 digits): plain numbers only take the fast path.
_PLAIN_DIGITS = 60


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
    if places and (type(value) is int or (isinstance(value, Decimal) and value.is_finite())):
        fast = _with_places(Decimal(value), places, decimal_sep, thousand_sep)
        if fast is not None:
            return fast
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


def _with_places(value: Decimal, places: int, decimal_sep: str, thousand_sep: str) -> str | None:
    """What ``numberformat.format`` prints for a finite Decimal with ``places`` decimals: a
    value too small to show is 0 (unsigned), the decimals are cut (not rounded), the sign kept;
    ``None`` for what it prints otherwise (very long numbers)."""
    _sign, digits, exponent = value.as_tuple()
    if abs(int(exponent)) + len(digits) > _PLAIN_DIGITS:
        return None
    step = Decimal(1).scaleb(-places)
    if abs(value) < step:
        value = Decimal(0)
    try:
        cut = value.quantize(step, rounding=ROUND_DOWN)
    except InvalidOperation:  # more digits than the context's precision
        return None
    table = _TABLES.get((decimal_sep, thousand_sep))
    if table is None:
        table = _TABLES[decimal_sep, thousand_sep] = str.maketrans(
            {",": thousand_sep, ".": decimal_sep}
        )
    return f"{cut:,f}".translate(table)
