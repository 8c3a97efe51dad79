"""Provinces, communes and villages: who opens a commune's pages, who keeps its registry, who is
an officer over it, who sets its remote / ethnic-minority flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from hocvuso.access.scope import nothing_q, scope_of
from hocvuso.core.errors import NotFound
from hocvuso.core.fetch import one
from hocvuso.geo.models import Commune, Village


def commune_q(actor: Any, prefix: str = "") -> Q:
    """Communes the actor may open (``prefix`` is the path to the commune, e.g. ``"commune__"``)."""
    s = scope_of(actor)
    if s.national:
        return Q()
    codes = s.communes | s.desk_communes | s.village_communes
    q = nothing_q()
    if s.provinces:
        q |= Q(**{f"{prefix}province_id__in": s.provinces})
    if codes:
        q |= Q(**{f"{prefix}code__in": codes})
    return q


def province_of(commune_code: str) -> str | None:
    return Commune.objects.filter(code=commune_code).values_list("province_id", flat=True).first()


def can_access_commune(actor: Any, commune_code: str) -> bool:
    """May open the commune's pages (what is listed there is filtered further)."""
    s = scope_of(actor)
    if s.national:
        return True
    if commune_code in s.communes | s.desk_communes | s.village_communes:
        return True
    return bool(s.provinces) and province_of(commune_code) in s.provinces


def can_edit_commune(actor: Any, commune_code: str) -> bool:
    """May keep the commune's registry (villages, households, people, imports, teams, mentors)."""
    s = scope_of(actor)
    return s.national or commune_code in s.communes


def is_officer(actor: Any, commune_code: str | None = None) -> bool:
    """A commune officer or above (over ``commune_code`` when given)."""
    s = scope_of(actor)
    if s.national:
        return True
    if commune_code is None:
        return bool(s.provinces or s.communes)
    return commune_code in s.communes or (
        bool(s.provinces) and province_of(commune_code) in s.provinces
    )


def is_province_officer(actor: Any, province_code: str) -> bool:
    """A province officer of ``province_code``, or a national admin."""
    s = scope_of(actor)
    return s.national or province_code in s.provinces


def can_set_unit_flags(actor: Any, commune: Commune) -> bool:
    """May mark a commune or its villages remote / difficult or ethnic-minority: the province
    (these flags steer targets and priorities, which the level above sets)."""
    return is_province_officer(actor, commune.province_id)


def ensure_commune(actor: Any, commune_code: str, *, write: bool = False) -> None:
    """Raise not-found (never "forbidden": no hint that it exists) when out of scope."""
    allowed = can_edit_commune if write else can_access_commune
    if not allowed(actor, commune_code):
        raise NotFound()


def access_commune(
    actor: Any,
    code: str,
    *,
    write: bool = False,
    allowed: Callable[[Any, str], bool] | None = None,
) -> Commune:
    """The commune if the actor may open it (``write``: may keep it; ``allowed``: a domain's own
    rule, such as :func:`hocvuso.access.classes.can_read_classes`); not-found otherwise — the one
    check every commune page and endpoint makes."""
    if not code or not code.isdigit():
        raise NotFound()
    commune = Commune.objects.select_related("province").filter(code=code).first()
    if commune is None:
        raise NotFound()
    check = allowed or (can_edit_commune if write else can_access_commune)
    if not check(actor, commune.code):
        raise NotFound()
    return commune


def access_village(actor: Any, commune: Commune, village_id: Any) -> Village:
    """A village of ``commune`` (already checked); not-found for another commune's."""
    return one(Village.objects.filter(commune=commune), village_id)
