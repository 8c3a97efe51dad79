"""Fetching one object for a selector: a missing object, a malformed id and an object out of the
actor's scope are the same not-found."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet

from hocvuso.core.errors import NotFound

M = TypeVar("M", bound=Model)


def as_uuid(value: Any) -> UUID:
    """``value`` as a UUID; not-found for anything that is not one."""
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise NotFound() from None


def one(queryset: QuerySet[M], pk: Any) -> M:
    """The object of ``queryset`` (already filtered by the policy) with this UUID key."""
    obj = queryset.filter(pk=as_uuid(pk)).first()
    if obj is None:
        raise NotFound()
    return obj
