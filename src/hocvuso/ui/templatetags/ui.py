"""Template filters of the web pages: numbers, phones, dates of birth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from hocvuso.access.registry import can_see_household
from hocvuso.access.units import can_access_commune
from hocvuso.core.audit import AuditAction
from hocvuso.core.export import label
from hocvuso.core.numbers import grouped
from hocvuso.core.phones import format_phone
from hocvuso.registry import purposes
from hocvuso.skills import selectors as skills_selectors

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
def opens_commune(user: Any, code: str) -> bool:
    """Whether the user may open the commune's page (a breadcrumb links only where it opens)."""
    return can_access_commune(user, code)


@register.filter
def opens_household(user: Any, household: Any) -> bool:
    """Whether the user may open the household's page."""
    return can_see_household(user, household)


@register.filter
def year(value: Any) -> str:
    """A year as written, never grouped by thousands ("1977", not "1.977"); "" for none."""
    return "" if value in (None, "") else str(value)


@register.filter
def day(value: Any) -> str:
    """A date or an ISO date/datetime string (as exports hold them) as dd/mm/yyyy, in local
    time; "" for none."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return str(value.strftime("%d/%m/%Y"))


@register.filter
def skill_names(codes: Any) -> list[str]:
    """Skill codes as the names a reader reads."""
    names = skills_selectors.skill_names()
    return [names.get(code, code) for code in codes or ()]


@register.filter
def audit_label(action: str) -> str:
    """An audit action in the reader's language ("person.register" → its label)."""
    return label(AuditAction, action)


@register.filter
def audit_changes(changes: Any) -> str:
    """An audit row's changes as a reader reads them: "field: old → new; …" (values already
    masked when sensitive), not a Python literal."""
    if not isinstance(changes, dict):
        return "" if changes in (None, "") else str(changes)
    parts = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
            old, new = ("—" if v in (None, "") else v for v in value)
            parts.append(f"{key}: {old} → {new}")
        elif isinstance(value, list):
            parts.append(f"{key}: {', '.join(str(v) for v in value) or '—'}")
        elif isinstance(value, dict):
            parts.append(f"{key}: {audit_changes(value)}")
        else:
            parts.append(f"{key}: {'—' if value in (None, '') else value}")
    return "; ".join(parts)


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
