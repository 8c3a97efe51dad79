"""Reads of the outreach models: the three worklists and a household's family status.

Every worklist is set-based: the filters, the priority and the columns shown are computed by the
database, and each row's village and digital status come with it (``select_related``), so the
number of queries does not grow with the list. A page of a worklist is three queries whatever
the commune's size (``core.web.paginate`` with ``rows``): the count on the bare filtered query,
the page's ids in a narrow ordered query, then the rows for those ids (the family worklist's
member counts over the page's households only).

**Age.** The one rule of :mod:`hocvuso.registry.ages`: aged N+ in a year when that year minus the
year of birth is at least N — the same people the dashboards count. People of unknown year of
birth are left out of age-based lists.

**Family worklist priority** (:func:`family_worklist`): the rule of
:mod:`hocvuso.registry.priority` (remote / ethnic-minority area, elderly only, special needs, the
rest); ties are broken by village name (none last), household code, then id. Households with no
(non-erased) member are not listed (nobody to train).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hocvuso.access.registry import household_q, person_q
from hocvuso.access.units import ensure_commune
from hocvuso.core import counts
from hocvuso.core.errors import DomainError
from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Village
from hocvuso.outreach.errors import OutreachError
from hocvuso.outreach.models import FamilyGuide
from hocvuso.registry.ages import AGE_16, age_in, aged_q, birth_year_of
from hocvuso.registry.models import Household, Person
from hocvuso.registry.purposes import PHONE_FACTS, PhoneFacts, contact_phone, unrestricted_q
from hocvuso.skills.facts import T4_ALL, T4_CODES, T4_OCCUPATIONS, t4_held
from hocvuso.skills.models import PersonSkillStatus

# The identity worklists: which need, and the milestone that meets it.
NEEDS = {"vneid": "vneid.level2", "bank": "bank.account"}
# The four T of "Chợ số – Nông thôn số", in order.


def age_of(person: Person, today: dt.date) -> int | None:
    """The age the list shows: the one the figures count (:mod:`hocvuso.registry.ages`)."""
    return age_from(person.birth_year, person.birth_date, today)


def age_from(birth_year: int | None, birth_date: dt.date | None, today: dt.date) -> int | None:
    """:func:`age_of` from the two columns (a row read as values)."""
    return age_in(today.year, birth_year_of(birth_year, birth_date))


def _today() -> dt.date:
    return timezone.localdate()


def _people(actor: Any, commune: Commune, village: Village | None, q: str) -> QuerySet[Person]:
    ensure_commune(actor, commune.code)
    # Erased and restricted people are never on a worklist (registry.purposes).
    qs = Person.objects.filter(person_q(actor), unrestricted_q(), commune=commune)
    if village is not None:
        qs = qs.filter(household__village=village)
    key = fold(q)
    if key:
        qs = qs.filter(search_key__contains=key)
    # By village name, none last (the household's stored ``village_key``: no join to villages
    # to order the list), household code, name.
    return qs.select_related("household__village", "skill_status").order_by(
        "household__village_key", "household__code", "search_key", "pk"
    )


def _lacking(qs: QuerySet[Person], need: str, year: int) -> QuerySet[Person]:
    """People of ``qs`` aged 16+ in ``year`` who still lack ``need``."""
    if need == "vneid":
        lacking = Q(skill_status__isnull=True) | Q(skill_status__vneid_level__lt=2)
    elif need == "bank":
        lacking = Q(skill_status__isnull=True) | Q(skill_status__has_bank_account=False)
    else:
        raise DomainError(OutreachError.UNKNOWN_NEED, "Unknown need.", "need")
    return qs.filter(aged_q(AGE_16, year)).filter(lacking)


def _missing_t4(qs: QuerySet[Person], missing: str) -> QuerySet[Person]:
    """Traders and farmers of ``qs`` lacking ``missing`` (see :func:`t4_worklist`)."""
    qs = qs.filter(occupation__in=T4_OCCUPATIONS).annotate(
        t4=Coalesce(F("skill_status__t4_mask"), Value(0))
    )
    if missing == "any":
        qs = qs.exclude(t4=T4_ALL)
    elif missing in T4_CODES:
        bit = 1 << T4_CODES.index(missing)
        qs = qs.annotate(t4_bit=F("t4").bitand(bit)).filter(t4_bit=0)
    elif missing:
        raise DomainError(OutreachError.UNKNOWN_NEED, "Unknown T.", "missing")
    return qs


def identity_worklist(
    *,
    actor: Any,
    commune: Commune,
    need: str,
    village: Village | None = None,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Person]:
    """People aged 16+ the actor sees in ``commune`` who still lack ``need``: ``"vneid"`` (VNeID
    level 2 not activated) or ``"bank"`` (no digital bank account). No status row yet = lacking."""
    today = today or _today()
    return _lacking(_people(actor, commune, village, q), need, today.year)


def t4_worklist(
    *,
    actor: Any,
    commune: Commune,
    missing: str = "",
    village: Village | None = None,
    q: str = "",
) -> QuerySet[Person]:
    """Traders and farmers the actor sees in ``commune``. ``missing``: empty — all of them;
    ``"any"`` — those lacking at least one of the four T; a T code — those lacking that T. Held
    is read from the status row's mask (``skills.facts``), as the dashboards count it."""
    return _missing_t4(_people(actor, commune, village, q), missing)


def _kept_off(commune: Commune, village: Village | None) -> QuerySet[Person]:
    """The commune's live people no worklist shows (erased or restricted: ``registry.purposes``)
    — those the dashboards still count — through the index ``person_kept_off``."""
    qs = Person.objects.filter(commune=commune).filter(
        Q(erased_at__isnull=False) | Q(restricted_at__isnull=False)
    )
    return qs.filter(household__village=village) if village is not None else qs


def identity_kept_off(
    *, commune: Commune, need: str, village: Village | None, today: dt.date
) -> int:
    """How many people the dashboards count as lacking ``need`` that the identity worklist
    leaves off (for a count from the summaries)."""
    return _lacking(_kept_off(commune, village), need, today.year).count()


def t4_kept_off(*, commune: Commune, missing: str, village: Village | None) -> int:
    """As :func:`identity_kept_off`, for the 4T worklist."""
    return _missing_t4(_kept_off(commune, village), missing).count()


def identity_count(
    *,
    actor: Any,
    commune: Commune,
    need: str,
    village: Village | None = None,
    q: str = "",
    today: dt.date | None = None,
) -> int | None:
    """The length of :func:`identity_worklist` from the summaries when they can tell it
    (``core.counts``: no search term, an actor who sees the whole commune), else ``None``."""
    return counts.count(
        "outreach.identity",
        actor=actor,
        commune=commune,
        need=need,
        village=village,
        q=q,
        today=today or _today(),
    )


def t4_count(
    *, actor: Any, commune: Commune, missing: str = "", village: Village | None = None, q: str = ""
) -> int | None:
    """The length of :func:`t4_worklist` from the summaries when they can tell it, else
    ``None`` (as :func:`identity_count`)."""
    return counts.count(
        "outreach.t4", actor=actor, commune=commune, missing=missing, village=village, q=q
    )


def person_rows(ids: list[Any]) -> QuerySet[Person]:
    """The people ``ids`` (a page of a person worklist) as listed, with their village and
    status row: for ``core.web.paginate(..., rows=person_rows)``, which selects the page's ids
    in a narrow ordered query first."""
    return Person.objects.filter(pk__in=ids).select_related("household__village", "skill_status")


@dataclass(frozen=True, slots=True)
class PersonValues:
    """A person row of the worklists' API, named as its rows (``outreach.api.PersonRow``,
    ``T4Row``): the age the list shows, their village's name, the phone a helper may call
    (``registry.purposes.contact_phone``), their status flags (``0`` / ``False`` before their
    first skill)."""

    id: Any
    full_name: str
    age: int | None
    village: str | None
    household_id: Any
    occupation: str
    phone: str
    vneid_level: int
    has_bank_account: bool
    t4_mask: int

    @property
    def pk(self) -> Any:
        return self.id

    @property
    def t4(self) -> dict[str, bool]:
        """Each T with whether the person holds it."""
        return dict(t4_held(self.t4_mask))


def person_values(ids: list[Any], *, today: dt.date) -> list[PersonValues]:
    """The people ``ids`` (a page of a person worklist) as the API lists them, in one query of
    values (for ``core.web.paginate(..., rows=partial(person_values, today=...))``): a page of
    500 costs what its rows' columns cost, not four model instances a row."""
    rows = Person.objects.filter(pk__in=ids).values_list(
        "id",
        "full_name",
        "birth_year",
        "birth_date",
        "household__village__name",
        "household_id",
        "occupation",
        "skill_status__vneid_level",
        "skill_status__has_bank_account",
        "skill_status__t4_mask",
        *PHONE_FACTS,
    )
    out = []
    for row in rows:
        pk, name, year, born, village, household, job, level, bank, mask = row[:10]
        out.append(
            PersonValues(
                pk,
                name,
                age_from(year, born, today),
                village,
                household,
                job,
                contact_phone(PhoneFacts(*row[10:])),
                level or 0,
                bool(bank),
                mask or 0,
            )
        )
    return out


def status_of(person: Person) -> PersonSkillStatus | None:
    """The person's status row fetched with the list (``select_related``: no query); ``None``
    before their first skill event."""
    try:
        status: PersonSkillStatus = person.skill_status
    except PersonSkillStatus.DoesNotExist:
        return None
    return status


def t4_progress(person: Person) -> list[tuple[str, bool]]:
    """Each T with whether the person holds it (the status row's mask, fetched with the list)."""
    status = status_of(person)
    return t4_held(status.t4_mask if status is not None else 0)


def family_worklist(
    *,
    actor: Any,
    commune: Commune,
    village: Village | None = None,
    q: str = "",
) -> QuerySet[Household]:
    """Households the actor sees in ``commune`` with at least one member and no member holding
    the basic skill set, by priority (see the module docstring): the facts stored on each
    household (``members_live``, ``members_trained``, ``priority``, ``village_key`` — by
    village name, none last —, kept by the summaries' write path), so the list is cut through
    the index ``household_family_list`` and never aggregates the commune's members. The stored
    priority is this year's (re-derived when the year changes)."""
    ensure_commune(actor, commune.code)
    qs = Household.objects.filter(
        household_q(actor), commune=commune, members_live__gt=0, members_trained=0
    )
    if village is not None:
        qs = qs.filter(village=village)
    key = fold(q)
    if key:
        member_hits = Person.objects.filter(commune=commune, search_key__contains=key).values(
            "household_id"
        )
        qs = qs.filter(Q(search_key__contains=key) | Q(pk__in=member_hits))
    return qs.select_related("village", "head").order_by("priority", "village_key", "code", "pk")


def families_kept_off(*, commune: Commune, village: Village | None) -> int:
    """The village summaries count a household as a family to guide when it has no member
    holding the basic set (``households`` less ``households_trained``). The family worklist
    differs from that in two ways, counted here (for a count from the summaries):

    - it leaves off a household with no live member (everyone erased, merged away or moved
      out): minus those, through the index ``household_empty``;
    - it shows a household whose only trained members were erased (the dashboards still count
      them as trained): plus those, found from the commune's erased people (``person_kept_off``).

    A household in both cases is subtracted and added back, as it should: the summaries left it
    out, and so does the list."""
    households = Household.objects.filter(commune=commune)
    if village is not None:
        households = households.filter(village=village)
    erased_trained = (
        _kept_off(commune, village)
        .filter(erased_at__isnull=False, skill_status__basic_complete=True)
        .values("household_id")
    )
    empty = households.filter(members_live=0).count()
    return empty - households.filter(members_trained=0, pk__in=erased_trained).count()


def family_count(
    *, actor: Any, commune: Commune, village: Village | None = None, q: str = ""
) -> int | None:
    """The length of :func:`family_worklist` from the summaries when they can tell it, else
    ``None`` (as :func:`identity_count`)."""
    return counts.count("outreach.families", actor=actor, commune=commune, village=village, q=q)


@dataclass(frozen=True, slots=True)
class FamilyValues:
    """A household row of the family worklist's API, named as its row
    (``outreach.api.HouseholdRow``)."""

    id: Any
    code: str
    village: str | None
    head: str | None
    member_count: int
    priority: int

    @property
    def pk(self) -> Any:
        return self.id


def family_values(ids: list[Any]) -> list[FamilyValues]:
    """The households ``ids`` (a page of :func:`family_worklist`) as the API lists them: one
    query of values."""
    rows = Household.objects.filter(pk__in=ids).values_list(
        "id", "code", "village__name", "head__full_name", "members_live", "priority"
    )
    return [FamilyValues(*row) for row in rows]


def family_rows(ids: list[Any]) -> QuerySet[Household]:
    """The households ``ids`` (a page of :func:`family_worklist`) as listed, with their
    village and head (``members_live`` and ``priority`` are stored on the row)."""
    return Household.objects.filter(pk__in=ids).select_related("village", "head")


@dataclass
class FamilyStatus:
    """A household's Digital Family status: its members (each with their status row, ``None``
    before their first skill), who holds the basic set, and the current guide."""

    household: Household
    members: list[Person]
    trained: list[Person]
    guide: FamilyGuide | None
    history: list[FamilyGuide]

    @property
    def has_trained_member(self) -> bool:
        return bool(self.trained)


def family_status(*, actor: Any, household: Household) -> FamilyStatus:
    """Three queries: the members with their status, the guides (current first, then history)."""
    members = list(
        household.members.filter(person_q(actor), erased_at__isnull=True)
        .select_related("skill_status")
        .order_by("birth_year", "full_name", "pk")
    )
    trained = [p for p in members if (s := status_of(p)) is not None and s.basic_complete]
    guides = list(
        FamilyGuide.objects.filter(household=household)
        .select_related("person", "designated_by")
        .order_by("-created_at", "-pk")
    )
    current = next((g for g in guides if g.ended_at is None), None)
    return FamilyStatus(
        household=household, members=members, trained=trained, guide=current, history=guides
    )
