"""Back-checks of reported results (re-checking a sample of skill events of every channel).

Commune officers (and national admins) draw rounds, assign checks and record outcomes; province
officers read. A check goes only to a helper who may check in the commune — someone holding a
helper role there (:mod:`hocvuso.access.helpers`: never a citizen's own account, nor an officer
of the level above) — and never to the helper whose report it checks (who helped, or who
recorded it). The helper a check is assigned to records its outcome while they still hold such
a role."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.helpers import helper_q
from hocvuso.access.scope import scope_of
from hocvuso.access.units import can_edit_commune, is_officer
from hocvuso.core.errors import NotFound


def can_draw_checks(actor: Any, commune_code: str) -> bool:
    return can_edit_commune(actor, commune_code)


def can_read_checks(actor: Any, commune_code: str) -> bool:
    return is_officer(actor, commune_code)


def ensure_checks(actor: Any, commune_code: str, *, write: bool = False) -> None:
    allowed = can_draw_checks if write else can_read_checks
    if not allowed(actor, commune_code):
        raise NotFound()


def checker_q(commune_code: str) -> Q:
    """Users who may be given checks in the commune: its helpers
    (:func:`hocvuso.access.helpers.helper_q`)."""
    return helper_q(commune_code)


def may_check_in(actor: Any, commune_code: str) -> bool:
    """The actor holds a helper role in the commune (the scope's view of :func:`checker_q`)."""
    s = scope_of(actor)
    return commune_code in (
        s.communes | s.desk_communes | s.village_communes | s.youth_communes | s.mentor_communes
    )


def can_be_checker(user_id: Any, check: Any) -> bool:
    """Never the helper whose own report is checked: who helped (``check.helper_id``) or who
    recorded the event (``check.event.recorded_by_id``)."""
    if user_id is None:
        return False
    return user_id not in {check.helper_id, check.event.recorded_by_id}


def is_assignee(actor: Any, check: Any) -> bool:
    pk = getattr(actor, "pk", None)
    return pk is not None and check.assigned_to_id == pk


def can_record_outcome(actor: Any, check: Any) -> bool:
    """The commune's keepers, and the helper the check is assigned to while they may check in
    the commune and it is not their own report (``check.round`` and ``check.event`` loaded)."""
    commune = check.round.commune_id
    if can_draw_checks(actor, commune):
        return True
    return (
        is_assignee(actor, check)
        and may_check_in(actor, commune)
        and can_be_checker(getattr(actor, "pk", None), check)
    )


def may_reverse_at_check(actor: Any, check: Any) -> bool:
    """A "not confirmed" outcome withdraws the event it checked, in the name of whoever recorded
    the outcome: the policy lets whoever may record the outcome do that."""
    return can_record_outcome(actor, check)
