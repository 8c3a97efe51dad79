"""Back-checks of reported results (re-checking a sample of skill events of every channel).

Commune officers (and national admins) draw rounds, assign checks and record outcomes; province
officers read; a helper a check is assigned to records its outcome. A check is never assigned to
the helper whose report it checks, nor to someone who may not record skills in the commune."""

from __future__ import annotations

from typing import Any

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


def is_assignee(actor: Any, check: Any) -> bool:
    pk = getattr(actor, "pk", None)
    return pk is not None and check.assigned_to_id == pk


def can_record_outcome(actor: Any, check: Any) -> bool:
    """The commune's keepers, and the helper the check is assigned to (``check.round`` loaded)."""
    return can_draw_checks(actor, check.round.commune_id) or is_assignee(actor, check)


def may_open_check(actor: Any, check: Any) -> bool:
    return can_record_outcome(actor, check)


def may_reverse_at_check(actor: Any, check: Any) -> bool:
    """A "not confirmed" outcome withdraws the event it checked, in the name of whoever recorded
    the outcome: the policy lets whoever may record the outcome do that."""
    return can_record_outcome(actor, check)


def can_be_checker(user_id: Any, check_helper_id: Any) -> bool:
    """Never the helper whose own report is being checked."""
    return user_id is not None and user_id != check_helper_id
