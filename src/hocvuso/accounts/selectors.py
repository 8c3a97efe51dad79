"""Reads of accounts, filtered by the actor's scope (out of scope → not found)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from hocvuso.accounts.models import (
    OFFICER_ROLES,
    DeviceToken,
    PhoneVerification,
    Role,
    RoleAssignment,
    User,
)
from hocvuso.core.errors import NotFound


def token_list(*, actor: User) -> QuerySet[DeviceToken]:
    """The actor's own tokens, active first."""
    return DeviceToken.objects.filter(user=actor).order_by("revoked_at", "-created_at")


def token_get(actor: User, token_id: UUID) -> DeviceToken:
    token = DeviceToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound()
    return token


def phone_verification_ready(*, verification_id: UUID) -> bool:
    """The code was right and the account is not made yet: the password step may open."""
    return PhoneVerification.objects.filter(
        pk=verification_id, verified_at__isnull=False, used_at__isnull=True
    ).exists()


def active_roles(user: Any) -> frozenset[str]:
    """The roles ``user`` holds now (one query, cached on the user for the request)."""
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_hocvuso_roles", None)
    if cached is None:
        cached = frozenset(
            RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).values_list(
                "role", flat=True
            )
        )
        user._hocvuso_roles = cached
    return cached


def requires_two_factor(user: Any) -> bool:
    """Officers (and the national content editors) sign in with a second factor."""
    return bool(active_roles(user) & (OFFICER_ROLES | {Role.CONTENT_EDITOR}))


def active_user(*, username: str) -> User | None:
    """The active account with this username (an officer naming someone to appoint), or
    ``None``: the caller says "no such account" on its form."""
    username = (username or "").strip()
    if not username:
        return None
    return User.objects.filter(username=username, is_active=True).first()


def active_user_by_id(user_id: Any) -> User | None:
    """The active account with this id (the sign-in steps carry it in the session), or ``None``."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def own_role_assignments(user: User) -> QuerySet[RoleAssignment]:
    """The user's own active roles (their account page)."""
    return (
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("commune", "province")
        .order_by("role")
    )


def active_token_count(*, actor: User) -> int:
    """How many of the actor's own device tokens still work."""
    return (
        token_list(actor=actor)
        .filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        .count()
    )
