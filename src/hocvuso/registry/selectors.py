"""Reads of the registry, always through the actor's scope."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from hocvuso.access.registry import (
    can_merge_people,
    household_q,
    move_destinations_q,
    person_q,
    walk_in_match_q,
)
from hocvuso.access.scope import desk_communes, own_persons, youth_communes
from hocvuso.access.units import commune_q, ensure_commune, is_province_officer
from hocvuso.core import counts
from hocvuso.core.errors import NotFound
from hocvuso.core.fetch import one
from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Province, Village
from hocvuso.geo.selectors import commune_search
from hocvuso.registry import matching
from hocvuso.registry.models import Household, ImportJob, Person, PersonMerge, UnitTransfer

# A join counts every row: a merge's tombstone is no member.
LIVE_MEMBERS = Q(members__merged_into__isnull=True)


def household_keys(
    *, actor: Any, commune: Commune, village: Village | None = None, q: str = ""
) -> QuerySet[Household]:
    """A commune's households with village and head in the same query, searchable by code,
    address, head's name or any member's name, ignoring diacritics and case; no aggregate (the
    list a page is cut from: see :func:`household_rows` and ``core.web.paginate``)."""
    ensure_commune(actor, commune.code)
    qs = Household.objects.filter(household_q(actor), commune=commune).select_related(
        "village", "head"
    )
    if village is not None:
        qs = qs.filter(village=village)
    key = fold(q)
    if key:
        member_hits = Person.objects.filter(commune=commune, search_key__contains=key).values(
            "household_id"
        )
        qs = qs.filter(search_key__contains=key) | qs.filter(pk__in=member_hits)
    # By village name (``village_key``, stored: the index ``household_commune_list`` gives the
    # order), households with no village last.
    return qs.order_by("village_key", "code", "pk")


def household_rows(ids: list[Any]) -> QuerySet[Household]:
    """The households ``ids`` (a page of :func:`household_keys`) as listed, with their
    ``member_count`` (a GROUP BY over these households only)."""
    return (
        Household.objects.filter(pk__in=ids)
        .select_related("village", "head")
        .annotate(member_count=Count("members", filter=LIVE_MEMBERS))
    )


def household_list(
    *, actor: Any, commune: Commune, village: Village | None = None, q: str = ""
) -> QuerySet[Household]:
    """:func:`household_keys` with each household's ``member_count``."""
    keys = household_keys(actor=actor, commune=commune, village=village, q=q)
    return keys.annotate(member_count=Count("members", filter=LIVE_MEMBERS))


def _uuid(value: Any) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError):
        raise NotFound() from None


def household_get(actor: Any, household_id: Any) -> Household:
    """The household if the actor's scope covers it; not-found otherwise (no hint it exists)."""
    qs = Household.objects.select_related("commune__province", "village", "head")
    try:
        household = qs.filter(household_q(actor)).get(pk=_uuid(household_id))
    except Household.DoesNotExist:
        raise NotFound() from None
    return household


def person_get(actor: Any, person_id: Any) -> Person:
    qs = Person.objects.select_related("household__village", "commune__province")
    try:
        person = qs.filter(person_q(actor)).get(pk=_uuid(person_id))
    except Person.DoesNotExist:
        raise NotFound() from None
    return person


def household_members(*, actor: Any, household: Household) -> QuerySet[Person]:
    return household.members.filter(person_q(actor)).order_by("birth_year", "full_name")


def commune_counts(*, actor: Any, commune: Commune) -> dict[str, int]:
    """The commune's villages, and the households and people the actor sees there: from the
    commune's summary row when the actor sees the whole commune (``core.counts``: a count of
    100,000 people costs 90 ms on PostgreSQL), else counted."""
    ensure_commune(actor, commune.code)
    summed = counts.count("registry.commune", actor=actor, commune=commune)
    if summed is None:
        summed = {
            "households": Household.objects.filter(household_q(actor), commune=commune).count(),
            "persons": Person.objects.filter(person_q(actor), commune=commune).count(),
        }
    return {"villages": commune.villages.count(), **summed}


def province_communes_for_flags(*, actor: Any, code: str) -> tuple[Province, list[Commune]]:
    """The province and its communes by name, for its officers to set the area flags."""
    province = Province.objects.filter(code=code).first()
    if province is None or not is_province_officer(actor, province.code):
        raise NotFound()
    return province, list(Commune.objects.filter(province=province).order_by("search_key", "code"))


# The stored file and the sealed rejects: never loaded for a page that does not need them.
IMPORT_JOB_HEAVY = ("data", "rejects_sealed")


def import_job_list(*, actor: Any, commune: Commune) -> QuerySet[ImportJob]:
    """The commune's imports, newest first (its keepers)."""
    ensure_commune(actor, commune.code, write=True)
    return (
        ImportJob.objects.filter(commune=commune).defer(*IMPORT_JOB_HEAVY).order_by("-created_at")
    )


def import_job_get(actor: Any, job_id: Any) -> ImportJob:
    """An import of a commune the actor keeps (without its stored file); not-found otherwise."""
    job = one(
        ImportJob.objects.defer("data").select_related("commune__province", "created_by"), job_id
    )
    ensure_commune(actor, job.commune_id, write=True)
    return job


def people_by_name(*, actor: Any, commune: Commune, q: str, limit: int) -> list[Person]:
    """People of ``commune`` the actor sees whose name matches ``q`` (diacritics and case
    ignored; a 4-digit year in ``q`` narrows to that year of birth), for a picker: at most
    ``limit``, with their household and village to tell namesakes apart."""
    words = (q or "").split()
    years = [int(w) for w in words if w.isdigit() and len(w) == 4]
    key = fold(" ".join(w for w in words if not (w.isdigit() and len(w) == 4)))
    if len(key) < 2:
        return []
    qs = Person.objects.filter(
        person_q(actor), commune=commune, erased_at__isnull=True, search_key__contains=key
    )
    if years:
        qs = qs.filter(birth_year__in=years)
    return list(qs.select_related("household__village").order_by("full_name", "pk")[:limit])


def own_people(*, actor: Any) -> list[Person]:
    """The actor's own registry records (a citizen account linked to them), for their home."""
    ids = own_persons(actor)
    if not ids:
        return []
    return list(
        Person.objects.filter(pk__in=ids, erased_at__isnull=True)
        .select_related("commune", "household__village")
        .order_by("full_name")
    )


def desk_commune_list(*, actor: Any) -> list[Commune]:
    """The communes whose desk the actor staffs (a desk staff's home)."""
    codes = desk_communes(actor)
    return list(Commune.objects.filter(code__in=codes).order_by("name")) if codes else []


def youth_commune_list(*, actor: Any) -> list[Commune]:
    """The communes where the actor organises classes (a youth volunteer's home)."""
    codes = youth_communes(actor)
    return list(Commune.objects.filter(code__in=codes).order_by("name")) if codes else []


def commune_list(*, actor: Any, q: str = "") -> QuerySet[Commune]:
    """The communes the actor may open, searched by name (ignoring diacritics)."""
    return commune_search(q=q).filter(commune_q(actor))


def villages_of(*, commune: Commune) -> QuerySet[Village]:
    """The commune's villages by name (their household counts come from the summaries:
    ``kpi.selectors.village_households``)."""
    return Village.objects.filter(commune=commune).order_by("name")


def walk_in_matches(
    *,
    actor: Any,
    commune: Commune,
    full_name: str,
    birth_year: int | None = None,
    village_id: Any = None,
    household_id: Any = None,
    phone: str = "",
    cccd: str = "",
) -> list[matching.Match]:
    """The commune's people a walk-in may be (``registry.matching``), most telling first: what
    a class's door, the desk, a home visit and the field app offer before creating anyone."""
    probe = matching.Probe.of(
        full_name=full_name,
        birth_year=birth_year,
        village_id=village_id,
        household_id=household_id,
        phone=phone,
        cccd=cccd,
    )
    people = Person.objects.filter(walk_in_match_q(actor, commune.code), commune=commune)
    return matching.candidates(people, probe)


DUPLICATES_SHOWN = 100


def duplicate_pairs(
    *, actor: Any, commune: Commune, limit: int | None = None
) -> list[matching.Pair]:
    """The commune's duplicates worklist: likely pairs with their reasons (its keepers); the
    first ``limit`` by name when given."""
    if not can_merge_people(actor, commune.code):
        raise NotFound()
    return matching.pairs(commune.code, limit=limit)


def duplicate_pair_count(*, actor: Any, commune: Commune) -> int:
    if not can_merge_people(actor, commune.code):
        raise NotFound()
    return matching.pair_count(commune.code)


def merge_list(*, actor: Any, commune: Commune, limit: int = 50) -> list[PersonMerge]:
    """The commune's merges, newest first (its keepers), to undo one found wrong."""
    if not can_merge_people(actor, commune.code):
        raise NotFound()
    return list(
        PersonMerge.objects.filter(commune=commune)
        .select_related("survivor", "duplicate", "merged_by", "split_by")
        .order_by("-created_at")[:limit]
    )


def merge_get(actor: Any, merge_id: Any) -> PersonMerge:
    merge = one(PersonMerge.objects.select_related("survivor", "duplicate"), merge_id)
    if not can_merge_people(actor, merge.commune_id):
        raise NotFound()
    return merge


def merge_pair_get(actor: Any, first_id: Any, second_id: Any) -> tuple[Person, Person]:
    """Two live people of one commune the actor may merge; not-found otherwise."""
    first, second = person_get(actor, first_id), person_get(actor, second_id)
    if first.commune_id != second.commune_id or not can_merge_people(actor, first.commune_id):
        raise NotFound()
    return first, second


def walk_in_person_get(actor: Any, commune: Commune, person_id: Any) -> Person:
    """A person of ``commune`` chosen among the matches offered for a walk-in (anyone who may
    register people there, a youth volunteer at a class's door too); not-found otherwise."""
    qs = Person.objects.select_related("household__village").filter(
        walk_in_match_q(actor, commune.code), commune=commune, erased_at__isnull=True
    )
    try:
        return qs.get(pk=_uuid(person_id))
    except Person.DoesNotExist:
        raise NotFound() from None


def unit_transfer_list(*, actor: Any, commune: Commune) -> list[UnitTransfer]:
    """Moves of a retired unit's registry into or out of ``commune`` (its keepers)."""
    ensure_commune(actor, commune.code, write=True)
    return list(
        UnitTransfer.objects.filter(Q(retired=commune) | Q(successor=commune))
        .select_related("retired", "successor")
        .order_by("-created_at")
    )


def survivor_get(actor: Any, person_id: Any) -> Person:
    """The record a merged record (a tombstone) stands for now, if the actor sees it;
    not-found otherwise (and for an id that is no tombstone)."""
    from hocvuso.registry.services.merges import survivors_of

    pk = _uuid(person_id)
    survivor = survivors_of([pk]).get(pk)
    if survivor is None:
        raise NotFound()
    return person_get(actor, survivor)


#: At most this many communes are offered at once by the move form's picker (type more of the name).
MOVE_PICKS = 20


def move_destinations(*, actor: Any, from_commune: str, q: str) -> list[Commune]:
    """The communes a person or household of ``from_commune`` may move to whose name (diacritics
    and case ignored), province or code matches ``q``: at most :data:`MOVE_PICKS`, by province and
    name; none for an empty ``q`` or an actor who may not move them out."""
    if not q.strip():
        return []
    qs = commune_search(q=q).filter(move_destinations_q(actor, from_commune))
    return list(qs[:MOVE_PICKS])
