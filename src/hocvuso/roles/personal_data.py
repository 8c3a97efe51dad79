"""What accounts hold about a person: the accounts linked to them as a citizen.

Erasure ends each link; an account that has no other role left is the person's own and goes
with them: its name, phone and e-mail are cleared, its username replaced, its password made
unusable and the account closed (a phone-number username would otherwise name them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.core.export import when
from hocvuso.core.personal_data import Provider, move_rows, register
from hocvuso.roles.services import role_revoke


def export(person: Any) -> dict[str, Any]:
    links = RoleAssignment.objects.filter(person=person).select_related("user")
    return {
        "accounts": [
            {
                "username": a.user.get_username(),
                "role": a.role,
                "since": when(a.created_at),
                "revoked_at": when(a.revoked_at),
            }
            for a in links.order_by("created_at")
        ]
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    links = list(
        RoleAssignment.objects.filter(
            person=person, role=Role.CITIZEN, revoked_at__isnull=True
        ).select_related("user")
    )
    for assignment in links:
        role_revoke(actor=actor, assignment=assignment)
    owners = {a.user_id for a in RoleAssignment.objects.filter(person=person, role=Role.CITIZEN)}
    still_serving = set(
        RoleAssignment.objects.filter(user_id__in=owners, revoked_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    closed = 0
    for user in User.objects.filter(pk__in=owners - still_serving).exclude(
        username__startswith="xoa-"
    ):
        user.username = f"xoa-{user.pk}"
        user.display_name = user.first_name = user.last_name = user.email = user.phone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        closed += 1
    return {"accounts_unlinked": len(links), "accounts_closed": closed}


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """A citizen's account linked to the duplicate is linked to the survivor."""
    return move_rows(
        "accounts.roleassignment", "person", source, target, rows, extra=Q(role=Role.CITIZEN)
    )


register(
    Provider(
        app="roles",
        models=("accounts.roleassignment",),
        export=export,
        erase=erase,
        reassign=reassign,
    )
)
