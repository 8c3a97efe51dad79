"""Granting and revoking roles (inside the granter's own scope only), linking citizens.

A team role (leader, member) is always given *for a team*: the assignment names the team and
carries its villages, and the teams app makes or ends the membership that goes with it — the
two cannot drift apart (``core.hooks.role_revoked`` ends the membership of a revoked role; the
teams services revoke the role of a membership they end).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.roles import (
    can_grant,
    can_link_citizen,
    can_revoke,
    may_be_linked_as_citizen,
)
from hocvuso.access.scope import forget_scope
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.accounts.selectors import active_roles
from hocvuso.core import hooks
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.phones import normalise_phone
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Province, Village
from hocvuso.registry.models import Person
from hocvuso.registry.purposes import Purpose, processing_check
from hocvuso.roles.errors import RolesError

# Which scope each role needs.
ROLE_SCOPE = {
    Role.NATIONAL_ADMIN: None,
    Role.PROVINCE_OFFICER: "province",
    Role.COMMUNE_OFFICER: "commune",
    Role.DESK_STAFF: "commune",
    Role.TEAM_LEADER: "team",
    Role.TEAM_MEMBER: "team",
    Role.YOUTH_VOLUNTEER: "commune",
    Role.MENTOR: "commune",
    Role.CITIZEN: "person",
    Role.CONTENT_EDITOR: None,
}


def _network_communes(assignment: RoleAssignment) -> list[str | None]:
    """Desk staff are a network figure of their commune."""
    return [assignment.commune_id if assignment.role == Role.DESK_STAFF else None]


@transaction.atomic
def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    province: Province | None = None,
    commune: Commune | None = None,
    team: Any = None,
    villages: Iterable[Village] = (),
    person: Person | None = None,
) -> RoleAssignment:
    """Give ``user`` a role over a scope. Refused (not found) outside the actor's own scope or for
    a role as wide as the actor's; an identical active assignment is returned unchanged. A team
    role needs ``team`` (a ``teams.Team``) and its ``villages``."""
    if role not in Role.values:
        raise DomainError(CoreError.INVALID, _("Unknown role."), "role")
    villages = list(villages)
    needs = ROLE_SCOPE[Role(role)]
    if needs == "province" and province is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the province."), "province")
    if needs == "commune" and commune is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the commune."), "commune")
    if needs == "team":
        if team is None:
            raise DomainError(
                RolesError.TEAM_REQUIRED, _("A team role is given from the team's page."), "role"
            )
        commune = team.commune
        if not villages:
            raise DomainError(CoreError.REQUIRED, _("Choose the team's villages."), "villages")
    else:
        team, villages = None, []
    if needs == "person" and person is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the person."), "person")
    if any(v.commune_id != commune.code for v in villages if commune is not None):
        raise DomainError(
            GeoError.VILLAGE_OTHER_COMMUNE, _("All villages must be in one commune."), "villages"
        )
    if person is not None and commune is None:
        commune = person.commune
    if not can_grant(
        actor,
        role,
        province=province.code if province else None,
        commune=commune.code if commune else None,
    ):
        raise NotFound()
    existing = (
        RoleAssignment.objects.filter(
            user=user,
            role=role,
            province=province,
            commune=commune,
            person=person,
            revoked_at__isnull=True,
        )
        .filter(team=team)
        .first()
    )
    if existing is not None and set(existing.villages.all()) == set(villages):
        return existing
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        province=province,
        commune=commune,
        team_id=team.pk if team is not None else None,
        person=person,
        granted_by=user_or_none(actor),
    )
    if villages:
        assignment.villages.set(villages)
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_GRANT,
        obj=assignment,
        changes={
            "user": str(user.pk),
            "role": role,
            "province": province.code if province else None,
            "commune": commune.code if commune else None,
            "team": str(team.pk) if team is not None else None,
            "villages": sorted(str(v.pk) for v in villages),
        },
    )
    forget_scope(user)
    hooks.network_changed.send(communes=_network_communes(assignment))
    if role == Role.CITIZEN and person is not None:
        hooks.citizen_linked.send(actor=actor, user=user, person=person)
    return assignment


@transaction.atomic
def role_villages_set(
    *, actor: Any, assignment: RoleAssignment, villages: Iterable[Village]
) -> None:
    """A team's villages changed: its members' assignments follow (audited)."""
    if not can_revoke(actor, assignment) and not can_grant(
        actor, assignment.role, commune=assignment.commune_id
    ):
        raise NotFound()
    villages = list(villages)
    before = sorted(str(pk) for pk in assignment.villages.values_list("pk", flat=True))
    after = sorted(str(v.pk) for v in villages)
    if before == after:
        return
    assignment.villages.set(villages)
    audit_record(
        actor=actor,
        action=AuditAction.ROLE_UPDATE,
        obj=assignment,
        changes={"villages": [before, after]},
    )
    forget_scope(assignment.user)


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    """End an assignment (idempotent). Nobody ends their own role; whatever the role opened in
    other apps (a team membership) ends with it."""
    if getattr(actor, "pk", None) is not None and assignment.user_id == actor.pk:
        raise DomainError(RolesError.OWN_ROLE, _("You cannot revoke your own role."))
    if not can_revoke(actor, assignment):
        raise NotFound()
    if assignment.revoked_at is None:
        assignment.revoked_at = timezone.now()
        assignment.revoked_by = user_or_none(actor)
        assignment.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit_record(actor=actor, action=AuditAction.ROLE_REVOKE, obj=assignment, changes={})
        forget_scope(assignment.user)
        hooks.role_revoked.send(actor=actor, assignment=assignment)
    hooks.network_changed.send(communes=_network_communes(assignment))
    return assignment


def _account(login: str) -> User:
    login = login.strip()
    user = User.objects.filter(username=login, is_active=True).first() if login else None
    if user is None and login:
        try:
            phone = normalise_phone(login)
        except DomainError:
            phone = ""
        if phone:
            user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        raise DomainError(
            CoreError.NOT_FOUND, _("No account has this username or phone number."), "login"
        )
    return user


@transaction.atomic
def citizen_link(*, actor: Any, person: Person, login: str) -> RoleAssignment:
    """Link a citizen's account (found by username or phone) to their person in the registry,
    so they see their own record and their own data. Done by the keepers of the person's
    commune, only for an account that holds no other role."""
    if not can_link_citizen(actor, person):
        raise NotFound()
    processing_check(person, Purpose.REGISTRY)
    user = _account(login)
    if not may_be_linked_as_citizen(active_roles(user)):
        raise DomainError(
            RolesError.ACCOUNT_HAS_ROLES,
            _("This account holds another role: only a citizen's own account can be linked."),
            "login",
        )
    elsewhere = RoleAssignment.objects.filter(
        user=user, role=Role.CITIZEN, revoked_at__isnull=True
    ).exclude(person=person)
    if elsewhere.exists():
        raise DomainError(
            RolesError.ALREADY_LINKED,
            _("This account is already linked to another person."),
            "login",
        )
    return role_grant(actor=actor, user=user, role=Role.CITIZEN, person=person)


def citizen_link_by_cccd(*, user: User, cccd: str) -> RoleAssignment | None:
    """Link an account that signed in with VNeID to the registry person whose keyed CCCD hash
    matches the provider's CCCD claim (the number itself is only hashed, never stored or
    logged). Nothing happens if the number matches no one, the account already has a role, or
    the person may not be processed; the account then stays a plain citizen account."""
    from hocvuso.core.actors import SYSTEM
    from hocvuso.registry import cccd as cccd_rules

    try:
        hashes = cccd_rules.lookup_hashes(cccd)
    except (DomainError, ValueError):
        return None
    person = Person.objects.filter(cccd_hash__in=hashes, erased_at__isnull=True).first()
    if person is None or active_roles(user):
        return None
    try:
        return citizen_link(actor=SYSTEM, person=person, login=user.username)
    except DomainError:
        return None
