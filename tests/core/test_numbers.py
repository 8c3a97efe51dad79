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
    Decimal("-1.25"), Decimal("-0.15"), Decimal("-0.10"), Decimal("0.05"), Decimal("0.099"),
    Decimal("1E+3"), Decimal("-1234567.891"), Decimal("100.0"), Decimal("33.33333333333333333"),
    Decimal("1E-30"), Decimal("12345678901234567890123456789.5"), Decimal("1E+80"),
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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_percentages_print_what_numberformat_prints(lang):
    """Every percentage with one decimal and ratio with two a dashboard can show, signs too."""
    seps = {"vi": (",", "."), "en": (".", ",")}[lang]
    with translation.override(lang):
        for hundredths in range(-20_000, 20_001, 7):
            for value in (Decimal(hundredths) / 100, Decimal(hundredths) / 3):
                for places in (1, 2):
                    want = numberformat.format(
                        value, seps[0], decimal_pos=places, grouping=3,
                        thousand_sep=seps[1], force_grouping=True,
                    )  # fmt: skip
                    assert grouped(value, places) == want, (value, places)
