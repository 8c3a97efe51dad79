"""Template filters of the web pages: numbers, phones, dates of birth."""

from __future__ import annotations

from typing import Any

from django import template

from hocvuso.core.numbers import grouped
from hocvuso.core.phones import format_phone
from hocvuso.registry import purposes

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """A whole number grouped by thousands in the active language: 3.321 (vi), 3,321 (en)
    (``core.numbers``)."""
    if value is None or value == "":
        return ""
    return grouped(value)


@register.filter
def phone(value: str) -> str:
    """+84912345678 → 0912 345 678."""
    return format_phone(value or "")


@register.filter
def contact_phone(person: Any) -> str:
    """The number a helper may call the person on: empty without their consent to be contacted
    by phone (registry.purposes)."""
    return purposes.contact_phone(person)


@register.filter
def birth(person: Any) -> str:
    """A person's date of birth as dd/mm/yyyy, or the year alone when only the year is known."""
    if getattr(person, "birth_date", None):
        return str(person.birth_date.strftime("%d/%m/%Y"))
    if getattr(person, "birth_year", None):
        return str(person.birth_year)
    return ""
