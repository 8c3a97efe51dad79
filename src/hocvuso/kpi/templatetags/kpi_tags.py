"""Template filters of the dashboards."""

from __future__ import annotations

from typing import Any

from django import template

from hocvuso.access.kpi import home_unit
from hocvuso.kpi.present import fmt_value

register = template.Library()


@register.filter
def kval(cell: Any) -> str:
    """A cell's value in its unit: 85,3% · 4,25 · 1.234."""
    return fmt_value(cell.value, cell.indicator.unit)


@register.filter
def ktarget(cell: Any) -> str:
    if cell.target is None:
        return ""
    return fmt_value(cell.target, cell.indicator.unit)


@register.simple_tag
def dashboard_url(user: Any) -> str:
    """The user's widest dashboard, or "" when they have none."""
    from django.urls import reverse

    if not getattr(user, "is_authenticated", False) or home_unit(user) is None:
        return ""
    return reverse("kpi:home")
