"""When two records are the same person: the one owner of the matching rule.

A walk-in (a class's door, the desk, a home visit, a field device's newcomer) is looked for in
the commune before anyone is created, and the commune's duplicates worklist pairs the records
already there, by the same reasons:

- ``same_cccd`` — the keyed hash of the CCCD is the same (one CCCD is one person nationwide);
- ``name_year`` — the same name, ignoring diacritics and case, and the same year of birth;
- ``name_phone`` — the same name and the same phone number;
- ``phone_year`` — the same phone number and the same year of birth;
- ``name_village`` — the same name in the same village, one year of birth unknown.

A *strong* match (:func:`is_strong`) is one a field device's newcomer is taken for without
asking: the same CCCD, or the same name and year of birth in the very household the device
added them to, or the same name and phone. Anything weaker is offered to a person to decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hocvuso.core.phones import normalise_phone
from hocvuso.core.text import clean, fold
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.models import NotDuplicate, Person

SAME_CCCD = "same_cccd"
NAME_YEAR = "name_year"
NAME_PHONE = "name_phone"
PHONE_YEAR = "phone_year"
NAME_VILLAGE = "name_village"

REASON_LABELS = {
    SAME_CCCD: _("Same CCCD"),
    NAME_YEAR: _("Same name and year of birth"),
    NAME_PHONE: _("Same name and phone"),
    PHONE_YEAR: _("Same phone and year of birth"),
    NAME_VILLAGE: _("Same name in the same village, one year of birth unknown"),
}
# Most telling first (the order reasons are shown in).
REASON_ORDER = (SAME_CCCD, NAME_YEAR, NAME_PHONE, PHONE_YEAR, NAME_VILLAGE)
MATCH_LIMIT = 10


@dataclass(frozen=True)
class Probe:
    """What is known of someone about to be registered."""

    full_name: str
    birth_year: int | None = None
    village_id: UUID | None = None
    household_id: UUID | None = None
    phone: str = ""
    cccd_hashes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        full_name: str,
        birth_year: int | None = None,
        village_id: UUID | None = None,
        household_id: UUID | None = None,
        phone: str = "",
        cccd: str = "",
    ) -> Probe:
        try:
            phone = normalise_phone(phone) if phone else ""
        except Exception:  # an invalid number is the registration's error to report, not ours
            phone = ""
        hashes = tuple(cccd_lib.lookup_hashes(cccd)) if cccd and cccd.strip() else ()
        return cls(clean(full_name), birth_year, village_id, household_id, phone, hashes)


def reasons(a: Any, b: Any) -> list[str]:
    """Why two people (rows, or a :class:`Probe` and a row) look like the same person, most
    telling first; empty: they do not."""
    found: set[str] = set()
    key_a = fold(a.full_name) if isinstance(a, Probe) else a.search_key
    hashes_a = set(a.cccd_hashes) if isinstance(a, Probe) else {a.cccd_hash} - {None}
    same_name = bool(key_a) and key_a == b.search_key
    year_a, year_b = a.birth_year, b.birth_year
    same_year = year_a is not None and year_a == year_b
    same_phone = bool(a.phone) and a.phone == b.phone
    if b.cccd_hash and b.cccd_hash in hashes_a:
        found.add(SAME_CCCD)
    if same_name and same_year:
        found.add(NAME_YEAR)
    if same_name and same_phone:
        found.add(NAME_PHONE)
    if same_phone and same_year:
        found.add(PHONE_YEAR)
    if same_name and (year_a is None or year_b is None):
        village_a = a.village_id if isinstance(a, Probe) else a.household.village_id
        if village_a is not None and village_a == b.household.village_id:
            found.add(NAME_VILLAGE)
    return [r for r in REASON_ORDER if r in found]


def is_strong(probe: Probe, person: Any, found: Iterable[str]) -> bool:
    """Taken for the same person without asking (a field device's newcomer)."""
    found = set(found)
    if SAME_CCCD in found or NAME_PHONE in found:
        return True
    return NAME_YEAR in found and probe.household_id == person.household_id


@dataclass(frozen=True)
class Match:
    person: Any
    reasons: list[str]

    @property
    def labels(self) -> list[str]:
        return [str(REASON_LABELS[r]) for r in self.reasons]


def candidates(people: QuerySet[Person], probe: Probe, *, limit: int = MATCH_LIMIT) -> list[Match]:
    """The people of ``people`` (already narrowed to a commune and the actor's scope) who look
    like ``probe``, most telling first: one query."""
    key = fold(probe.full_name)
    q = Q(search_key=key) if key else Q(pk__in=[])
    if probe.phone:
        q |= Q(phone=probe.phone)
    if probe.cccd_hashes:
        q |= Q(cccd_hash__in=probe.cccd_hashes)
    rows = people.filter(q, erased_at__isnull=True).select_related("household__village")
    found = [Match(p, r) for p in rows[: limit * 5] if (r := reasons(probe, p))]
    found.sort(key=lambda m: (REASON_ORDER.index(m.reasons[0]), -len(m.reasons), m.person.pk))
    return found[:limit]


@dataclass(frozen=True)
class Pair:
    first: Any
    second: Any
    reasons: list[str]

    @property
    def labels(self) -> list[str]:
        return [str(REASON_LABELS[r]) for r in self.reasons]


def _name_pairs_sql() -> str:
    """Pairs (each once) of live people of one commune with the same folded name whose years of
    birth do not tell them apart: the same year (a join on the (commune, name, year) index), or
    one of them unknown (the unknown one joined to its namesakes). Pairs with the same phone come
    from the shared phone numbers."""
    q = connection.ops.quote_name
    t = q(Person._meta.db_table)
    live = "a.merged_into_id IS NULL AND a.erased_at IS NULL"
    live += " AND b.merged_into_id IS NULL AND b.erased_at IS NULL"
    same_year = (
        f"SELECT a.id AS x, b.id AS y, a.search_key AS k FROM {t} a JOIN {t} b"  # noqa: S608
        " ON b.commune_id = a.commune_id AND b.search_key = a.search_key"
        " AND b.birth_year = a.birth_year AND b.id > a.id"
        f" WHERE a.commune_id = %s AND a.search_key <> '' AND {live}"
    )
    unknown = (
        f"SELECT a.id AS x, b.id AS y, a.search_key AS k FROM {t} a JOIN {t} b"  # noqa: S608
        " ON b.commune_id = a.commune_id AND b.search_key = a.search_key AND b.id <> a.id"
        f" WHERE a.commune_id = %s AND a.search_key <> '' AND a.birth_year IS NULL AND {live}"
        " AND (b.birth_year IS NOT NULL OR b.id > a.id)"
    )
    return f"{same_year} UNION ALL {unknown}"


def pair_count(commune_code: str) -> int:
    """How many pairs by name the commune holds (before dismissals: one COUNT of the join)."""
    with connection.cursor() as cursor:
        sql = f"SELECT COUNT(*) FROM ({_name_pairs_sql()}) p"  # noqa: S608
        cursor.execute(sql, [commune_code, commune_code])
        return int(cursor.fetchone()[0])


def pairs(commune_code: str, *, limit: int | None = None) -> list[Pair]:
    """Likely duplicates among a commune's people: pairs with a reason, minus the pairs an
    officer found to be two people. One self-join finds the pairs by name (the first ``limit``
    by name, when given), one grouped query the shared phone numbers; one query reads those
    people, one the pairs dismissed."""
    sql = f"SELECT x, y FROM ({_name_pairs_sql()}) p"  # noqa: S608
    params: list[Any] = [commune_code, commune_code]
    if limit is not None:
        sql += " ORDER BY k, x, y LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        candidates_ = {tuple(sorted((UUID(str(a)), UUID(str(b))))) for a, b in cursor.fetchall()}
    live = Person.objects.filter(commune_id=commune_code, erased_at__isnull=True)
    phones = list(
        live.exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("phone", flat=True)
        .order_by()
    )
    ids = {i for pair in candidates_ for i in pair}
    rows = {
        p.pk: p
        for p in live.filter(Q(pk__in=ids) | Q(phone__in=phones)).select_related(
            "household__village"
        )
    }
    by_phone: dict[str, list[Any]] = defaultdict(list)
    for p in rows.values():
        if p.phone and p.phone in phones:
            by_phone[p.phone].append(p.pk)
    for group in by_phone.values():
        group.sort()
        candidates_.update((a, b) for i, a in enumerate(group) for b in group[i + 1 :])
    if not candidates_:
        return []
    dismissed = set(
        NotDuplicate.objects.filter(commune_id=commune_code).values_list("first", "second")
    )
    out: list[Pair] = []
    for a, b in candidates_ - dismissed:
        first, second = rows.get(a), rows.get(b)
        if first is None or second is None:
            continue
        found = reasons(first, second)
        if found:
            out.append(Pair(first, second, found))
    out.sort(key=lambda p: (REASON_ORDER.index(p.reasons[0]), p.first.search_key, p.first.pk))
    return out if limit is None else out[:limit]
