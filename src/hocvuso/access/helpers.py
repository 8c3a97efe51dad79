"""Who helps citizens in a commune: the people a programme may give work to there (back-checks
to do, a class to volunteer at). A helper holds an active helper role in the commune — never a
citizen's own account, nor an officer of the level above (they oversee, they are not handed
tasks)."""

from __future__ import annotations

from django.db.models import Q

from hocvuso.accounts.models import Role

HELPER_ROLES = frozenset(
    {
        Role.COMMUNE_OFFICER,
        Role.DESK_STAFF,
        Role.TEAM_LEADER,
        Role.TEAM_MEMBER,
        Role.YOUTH_VOLUNTEER,
        Role.MENTOR,
    }
)


def helper_q(commune_code: str) -> Q:
    """Users who help in the commune: active, with an active helper role there (the conditions
    bear on one assignment: use the filter in a single ``filter()`` call)."""
    return Q(
        is_active=True,
        role_assignments__commune_id=commune_code,
        role_assignments__role__in=HELPER_ROLES,
        role_assignments__revoked_at__isnull=True,
    )
