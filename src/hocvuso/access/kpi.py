"""Dashboards and targets.

- the nation: national admins; a province: its officers; a commune: its province's officers and
  its commune officers; a village: those, and the team members whose villages include it;
- targets are set by the level above: national admins for the nation and each province, a
  province's officers for all its remote / ethnic-minority communes and for each commune.
"""

from __future__ import annotations

from typing import Any

from hocvuso.access.scope import scope_of


def can_see_nation(actor: Any) -> bool:
    return scope_of(actor).national


def can_see_province(actor: Any, province_code: str) -> bool:
    s = scope_of(actor)
    return s.national or province_code in s.provinces


def steered_provinces(actor: Any) -> frozenset[str]:
    """The provinces the actor oversees as a province officer (their home's dashboards)."""
    return scope_of(actor).provinces


def can_see_commune_dashboard(actor: Any, commune: Any) -> bool:
    """Dashboards of a commune: national, its province's officers, its commune officers."""
    s = scope_of(actor)
    return s.national or commune.province_id in s.provinces or commune.code in s.communes


def can_see_village_dashboard(actor: Any, village: Any) -> bool:
    """``village.commune`` loaded."""
    return (
        can_see_commune_dashboard(actor, village.commune) or village.pk in scope_of(actor).villages
    )


def home_unit(actor: Any) -> tuple[str, str] | None:
    """The widest dashboard the actor may open (level, code), or None."""
    s = scope_of(actor)
    if s.national:
        return ("national", "")
    if s.provinces:
        return ("province", sorted(s.provinces)[0])
    if s.communes:
        return ("commune", sorted(s.communes)[0])
    if s.villages:
        return ("village", str(sorted(s.villages, key=str)[0]))
    return None


def can_open_targets(actor: Any, province_code: str | None) -> bool:
    """The targets page of the nation (``None``) or of this province."""
    s = scope_of(actor)
    return s.national if province_code is None else s.national or province_code in s.provinces


def can_set_target(
    actor: Any, *, province: Any | None, commune: Any | None, remote_only: bool
) -> bool:
    s = scope_of(actor)
    if commune is not None:
        return s.national or commune.province_id in s.provinces
    if province is not None and remote_only:
        return s.national or province.code in s.provinces
    return s.national  # the nation's own target, or a province's
