"""Reads of accounts, filtered by the actor's scope (out of scope → not found)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from hocvuso.accounts.models import (
    DeviceToken,
    Invitation,
    PhoneVerification,
    RoleAssignment,
    User,
)
from hocvuso.core.access import can_grant, is_officer
from hocvuso.core.errors import NotFound
from hocvuso.geo.models import Commune


def _ensure_officer(actor: Any, commune: Commune) -> None:
    if not is_officer(actor, commune.code):
        raise NotFound()


def assignment_list(*, actor: Any, commune: Commune) -> QuerySet[RoleAssignment]:
    """The active roles held in ``commune`` (commune officers and above of that commune)."""
    _ensure_officer(actor, commune)
    return (
        RoleAssignment.objects.filter(commune=commune, revoked_at__isnull=True)
        .select_related("user", "granted_by")
        .prefetch_related("villages")
        .order_by("role", "user__username")
    )


def invitation_list(*, actor: Any, commune: Commune) -> QuerySet[Invitation]:
    """The invitations of ``commune`` still waiting to be accepted."""
    _ensure_officer(actor, commune)
    return (
        Invitation.objects.filter(
            commune=commune,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .prefetch_related("villages")
        .order_by("-created_at")
    )


def access_assignment(actor: Any, assignment_id: UUID) -> RoleAssignment:
    assignment = RoleAssignment.objects.select_related("user").filter(pk=assignment_id).first()
    if assignment is None or not can_grant(
        actor, assignment.role, province=assignment.province_id, commune=assignment.commune_id
    ):
        raise NotFound()
    return assignment


def access_invitation(actor: Any, invitation_id: UUID) -> Invitation:
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not can_grant(
        actor, invitation.role, province=invitation.province_id, commune=invitation.commune_id
    ):
        raise NotFound()
    return invitation


def token_list(*, actor: User) -> QuerySet[DeviceToken]:
    """The actor's own tokens, active first."""
    return DeviceToken.objects.filter(user=actor).order_by("revoked_at", "-created_at")


def access_token(actor: User, token_id: UUID) -> DeviceToken:
    token = DeviceToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound()
    return token


def phone_verification_ready(*, verification_id: UUID) -> bool:
    """The code was right and the account is not made yet: the password step may open."""
    return PhoneVerification.objects.filter(
        pk=verification_id, verified_at__isnull=False, used_at__isnull=True
    ).exists()
