"""Granting and revoking roles (inside the granter's own scope only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.core import hooks
from hocvuso.core.access import can_grant, forget_scope
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Commune, Province, Village
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.models import Person

# Which scope each role needs.
ROLE_SCOPE = {
    Role.NATIONAL_ADMIN: None,
    Role.PROVINCE_OFFICER: "province",
    Role.COMMUNE_OFFICER: "commune",
    Role.DESK_STAFF: "commune",
    Role.TEAM_LEADER: "villages",
    Role.TEAM_MEMBER: "villages",
    Role.YOUTH_VOLUNTEER: "commune",
    Role.MENTOR: "commune",
    Role.CITIZEN: "person",
}


@transaction.atomic
def role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    province: Province | None = None,
    commune: Commune | None = None,
    villages: Iterable[Village] = (),
    person: Person | None = None,
) -> RoleAssignment:
    """Give ``user`` a role over a scope. Refused (not found) outside the actor's own scope or for
    a role wider than the actor's; an identical active assignment is returned unchanged."""
    if role not in Role.values:
        raise DomainError(CoreError.INVALID, _("Unknown role."), "role")
    villages = list(villages)
    needs = ROLE_SCOPE[Role(role)]
    if needs == "province" and province is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the province."), "province")
    if needs == "commune" and commune is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the commune."), "commune")
    if needs == "villages" and not villages:
        raise DomainError(CoreError.REQUIRED, _("Choose the team's villages."), "villages")
    if needs == "person" and person is None:
        raise DomainError(CoreError.REQUIRED, _("Choose the person."), "person")
    if needs == "villages" and commune is None:
        commune = villages[0].commune
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
    existing = RoleAssignment.objects.filter(
        user=user,
        role=role,
        province=province,
        commune=commune,
        person=person,
        revoked_at__isnull=True,
    ).first()
    if existing is not None and set(existing.villages.all()) == set(villages):
        return existing
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        province=province,
        commune=commune,
        person=person,
        granted_by=user_or_none(actor),
    )
    if villages:
        assignment.villages.set(villages)
    audit_record(
        actor=actor,
        action="role.grant",
        obj=assignment,
        changes={
            "user": str(user.pk),
            "role": role,
            "province": province.code if province else None,
            "commune": commune.code if commune else None,
            "villages": sorted(str(v.pk) for v in villages),
        },
    )
    forget_scope(user)
    hooks.network_changed.send(
        communes=[assignment.commune_id if role == Role.DESK_STAFF else None]
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    if not can_grant(
        actor,
        assignment.role,
        province=assignment.province_id,
        commune=assignment.commune_id,
    ):
        raise NotFound()
    if assignment.revoked_at is None:
        assignment.revoked_at = timezone.now()
        assignment.revoked_by = user_or_none(actor)
        assignment.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit_record(actor=actor, action="role.revoke", obj=assignment, changes={})
        forget_scope(assignment.user)
    hooks.network_changed.send(
        communes=[assignment.commune_id if assignment.role == Role.DESK_STAFF else None]
    )
    return assignment


@transaction.atomic
def citizen_link(*, actor: Any, person: Person, login: str) -> RoleAssignment:
    """Link a citizen's account (found by username or phone) to their person in the registry,
    so they see their own record and their own data. Done by the commune's keepers."""
    from hocvuso.core.access import ensure_commune
    from hocvuso.core.phones import normalise_phone

    ensure_commune(actor, person.commune_id, write=True)
    if person.erased_at is not None:
        raise DomainError(RegistryError.PERSON_ERASED, _("This person's data was erased."))
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
    elsewhere = RoleAssignment.objects.filter(
        user=user, role=Role.CITIZEN, revoked_at__isnull=True
    ).exclude(person=person)
    if elsewhere.exists():
        raise DomainError(
            CoreError.INVALID, _("This account is already linked to another person."), "login"
        )
    return role_grant(actor=actor, user=user, role=Role.CITIZEN, person=person)
