"""Invitations: an officer appoints a volunteer, mentor, desk staff or team member by a one-time
link. The link's secret is shown once; only its SHA-256 is stored. On acceptance the role is
granted by the inviter (``role_grant(actor=inviter)``), so it is checked against the inviter's
scope at that moment too. A team role is invited *for a team* (``team``, from the team's page):
on acceptance ``core.hooks.invitation_accepted`` lets the teams app make the membership."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.roles import can_grant
from hocvuso.accounts.errors import AccountsError
from hocvuso.accounts.models import Invitation, Role, User
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.geo.models import Commune, Province, Village
from hocvuso.roles.errors import RolesError
from hocvuso.roles.services.grants import ROLE_SCOPE, role_grant

# Roles given by invitation (a citizen is linked to their person record by an officer instead).
INVITABLE_ROLES = [r for r in Role.values if r != Role.CITIZEN]


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _invalid() -> DomainError:
    return DomainError(
        RolesError.INVITATION_INVALID,
        _(
            "This invitation link can no longer be used: it was already accepted, withdrawn, "
            "or it has expired. Ask the officer who invited you for a new one."
        ),
    )


def _check_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise DomainError(CoreError.REQUIRED, _("Choose a username."), "username")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise DomainError(CoreError.INVALID, " ".join(exc.messages), "username") from None
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(AccountsError.USERNAME_TAKEN, _("This username is taken."), "username")
    return username


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    role: str,
    commune: Commune | None = None,
    province: Province | None = None,
    team: Any = None,
    details: dict[str, str] | None = None,
    username: str = "",
    display_name: str = "",
    days: int | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its secret (to put in the link; never stored, shown once)."""
    if role not in INVITABLE_ROLES:
        raise DomainError(CoreError.INVALID, _("This role cannot be given by invitation."), "role")
    needs = ROLE_SCOPE[Role(role)]
    villages: list[Village] = []
    if needs == "province" and province is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the province."), "province")
    if needs == "team":
        if team is None:
            raise DomainError(
                RolesError.TEAM_REQUIRED, _("A team role is given from the team's page."), "role"
            )
        commune = team.commune
        villages = list(team.villages.all())
    elif needs == "commune" and commune is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the commune."), "commune")
    if needs == "province":
        commune = None
    if not can_grant(
        actor,
        role,
        province=province.code if province else None,
        commune=commune.code if commune else None,
    ):
        raise NotFound()
    if username.strip():
        username = _check_username(username)
    lifetime = days if days is not None else int(settings.HOCVUSO_INVITATION_DAYS)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=secret_hash(secret),
        role=role,
        province=province,
        commune=commune,
        username=username.strip(),
        display_name=display_name.strip()[:150],
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=lifetime),
        team_id=team.pk if team is not None else None,
        details=dict(details or {}),
    )
    if villages:
        invitation.villages.set(villages)
    audit_record(
        actor=actor,
        action=AuditAction.INVITATION_CREATE,
        obj=invitation,
        changes={
            "role": role,
            "province": province.code if province else None,
            "commune": commune.code if commune else None,
            "team": str(team.pk) if team is not None else None,
            "villages": sorted(str(v.pk) for v in villages),
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation, secret


def invitation_pending(*, secret: str) -> Invitation:
    """The invitation behind a link, if it can still be accepted (else one clear refusal)."""
    invitation = (
        Invitation.objects.select_related("invited_by", "commune", "province")
        .filter(token_hash=secret_hash(secret or ""))
        .first()
    )
    if invitation is None or not invitation.is_pending(timezone.now()):
        raise _invalid()
    return invitation


@transaction.atomic
def invitation_accept(*, secret: str, username: str, password: str, display_name: str = "") -> User:
    """Create the invitee's account and give them the role, once."""
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=secret_hash(secret or "")).first()
    )
    if invitation is None or not invitation.is_pending(timezone.now()):
        raise _invalid()
    username = _check_username(invitation.username or username)
    user = User(username=username, display_name=(display_name or invitation.display_name)[:150])
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(CoreError.INVALID, " ".join(exc.messages), "password1") from None
    user.set_password(password)
    user.save()
    try:
        assignment = role_grant(
            actor=invitation.invited_by,
            user=user,
            role=invitation.role,
            province=invitation.province,
            commune=invitation.commune,
            team=invitation.team,
            villages=list(invitation.villages.all()),
        )
    except NotFound:
        # The inviter no longer holds that scope: the invitation died with it.
        raise _invalid() from None
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user", "updated_at"])
    audit_record(
        actor=user,
        action=AuditAction.INVITATION_ACCEPT,
        obj=invitation,
        changes={"user": str(user.pk)},
    )
    hooks.invitation_accepted.send(invitation=invitation, user=user, assignment=assignment)
    return user


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation (the inviter, or anyone who could have made it)."""
    if not can_grant(
        actor, invitation.role, province=invitation.province_id, commune=invitation.commune_id
    ):
        raise NotFound()
    if invitation.accepted_at is not None:
        raise DomainError(
            RolesError.INVITATION_INVALID,
            _("This invitation was already accepted: revoke the role instead."),
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = user_or_none(actor)
        invitation.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit_record(actor=actor, action=AuditAction.INVITATION_REVOKE, obj=invitation, changes={})
    return invitation
