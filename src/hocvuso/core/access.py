"""Who may see and change what. Every read and write goes through these checks.

Until roles with an administrative scope arrive (the accounts issue), the rule is: an active staff
user may work on every commune; anybody else on none. Selectors call :func:`communes_visible_to`
and access helpers call :func:`ensure_commune`, so the later, finer rule changes only this module.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.core.errors import NotFound


class SystemActor:
    """The machine operator running a management command or a scheduled job: every scope.

    Audit rows written on its behalf have no user (``actor`` is empty).
    """

    pk = None
    is_authenticated = True
    is_active = True
    is_staff = True
    is_superuser = True
    username = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_officer(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active and actor.is_staff)


def commune_filter(actor: Any, field: str = "commune") -> Q:
    """A filter restricting a queryset to the communes ``actor`` covers (``field`` → commune)."""
    if is_officer(actor):
        return Q()
    return Q(pk__in=[])


def can_access_commune(actor: Any, commune_code: str) -> bool:
    return is_officer(actor)


def ensure_commune(actor: Any, commune_code: str) -> None:
    """Raise not-found (never "forbidden": no hint that it exists) when out of scope."""
    if not can_access_commune(actor, commune_code):
        raise NotFound()


def can_see_sensitive(actor: Any, commune_code: str) -> bool:
    """Ethnicity and special-needs notes: commune officers and above only."""
    return can_access_commune(actor, commune_code)


def can_reveal_cccd(actor: Any, commune_code: str) -> bool:
    """Showing a full CCCD: commune officers and above, and every reveal is audited."""
    return can_access_commune(actor, commune_code)
