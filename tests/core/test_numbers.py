"""Numbers grouped by thousands (core.numbers): the fast path for whole numbers prints what
Django's ``numberformat.format`` prints, in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import numberformat, translation

from hocvuso.core.numbers import grouped

VALUES = [
    0, 7, 999, 1000, -1000, 3321, 1234567, -98765432, 10**12,
    Decimal(0), Decimal("-0"), Decimal(1234567), Decimal("1234567.000"), Decimal(-4321),
    Decimal("85.3"), Decimal("4.25"), Decimal("1234.5678"), Decimal("-0.04"), Decimal("999.99"),
    12.5, "4321",
]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("vi", ["3.321", "1.234.567", "-98.765.432", "85,3", "4,25", "1.234,56"]),
        ("en", ["3,321", "1,234,567", "-98,765,432", "85.3", "4.25", "1,234.56"]),
    ],
)
def test_grouped_pinned(lang, want):
    with translation.override(lang):
        got = [
            grouped(3321),
            grouped(Decimal(1234567)),
            grouped(-98765432),
            grouped(Decimal("85.3"), 1),
            grouped(Decimal("4.25"), 2),
            grouped(Decimal("1234.5678"), 2),  # cut, as Django cuts
        ]
    assert got == want


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("places", [None, 0, 1, 2])
def test_grouped_prints_what_numberformat_prints(lang, places):
    seps = {"vi": (",", "."), "en": (".", ",")}[lang]
    with translation.override(lang):
        for value in VALUES:
            want = numberformat.format(
                value,
                seps[0],
                decimal_pos=places,
                grouping=3,
                thousand_sep=seps[1],
                force_grouping=True,
            )
            assert grouped(value, places) == want, (value, places)
