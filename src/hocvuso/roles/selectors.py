"""Reads of appointments, filtered by the actor's scope (out of scope → not found)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from hocvuso.access.roles import can_grant, can_revoke, can_see_assignments
from hocvuso.accounts.models import Invitation, RoleAssignment
from hocvuso.core.errors import NotFound
from hocvuso.geo.models import Commune


def _ensure_officer(actor: Any, commune: Commune) -> None:
    if not can_see_assignments(actor, commune.code):
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


def assignment_get(actor: Any, assignment_id: UUID) -> RoleAssignment:
    assignment = RoleAssignment.objects.select_related("user").filter(pk=assignment_id).first()
    if assignment is None or not can_revoke(actor, assignment):
        raise NotFound()
    return assignment


def invitation_get(actor: Any, invitation_id: UUID) -> Invitation:
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not can_grant(
        actor, invitation.role, province=invitation.province_id, commune=invitation.commune_id
    ):
        raise NotFound()
    return invitation
