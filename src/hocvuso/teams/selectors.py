"""Reads of the community tech teams: access to a team, its door-to-door plan, coverage.

**Who sees a team**: commune officers and above over its commune (province officers oversee),
and the team's active members. Managing it (name, villages, members) is for the commune's
keepers (commune officers, national admins). Anyone else gets not-found.

**The plan** (:func:`team_plan`) lists the households of the team's villages that the actor sees
and that have at least one (non-erased) member, in this order, deterministic:

1. never visited before visited;
2. then the Digital Family priority (``outreach.selectors``): 0 the village or commune is remote
   or ethnic-minority; 1 every member is aged 60+; 2 a member has a special-needs note; 3 the rest;
3. then, among visited households, the longest since the last visit first;
4. then village name, household code, id.

Each row carries its last visit, number of visits, members lacking the basic set, members aged
16+ without VNeID level 2, and the open claim (who took it, when). A claim is open while it is not
released and younger than :func:`claim_days` days. One query for the page (+ the paginator's
count), whatever its length: every figure is a correlated subquery.

**Coverage** (:func:`coverage`): per village, households (with a member) visited at least once
by any team, and people (non-erased) guided at a visit (present and guided on or gaining at least
one skill); per team, the sum over its villages. Two grouped queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hocvuso.core.access import (
    can_edit_commune,
    ensure_commune,
    household_q,
    is_officer,
    person_q,
    scope_of,
)
from hocvuso.core.errors import NotFound
from hocvuso.geo.models import Commune, Village
from hocvuso.outreach.selectors import (
    ADULT_AGE,
    ELDERLY_AGE,
    PRIORITY_AREA,
    PRIORITY_ELDERLY,
    PRIORITY_OTHER,
    PRIORITY_SPECIAL_NEEDS,
    aged_q,
)
from hocvuso.registry.models import Household, Person
from hocvuso.teams.models import Claim, Team, TeamMember, Visit, VisitPerson

CLAIM_DAYS = 3  # a household taken and not visited goes back to the list after this many days


def claim_days() -> int:
    return int(getattr(settings, "HOCVUSO_TEAM_CLAIM_DAYS", CLAIM_DAYS))


def claim_cutoff(now: dt.datetime) -> dt.datetime:
    """Claims made at or before this moment have expired."""
    return now - dt.timedelta(days=claim_days())


def membership(actor: Any, team: Team) -> TeamMember | None:
    if not getattr(actor, "pk", None):
        return None
    return TeamMember.objects.filter(team=team, user=actor, removed_at__isnull=True).first()


def may_read_team(actor: Any, team: Team) -> bool:
    return is_officer(actor, team.commune_id) or membership(actor, team) is not None


def may_work(actor: Any, team: Team) -> bool:
    """May take households and record visits for the team: its members and the keepers."""
    return can_edit_commune(actor, team.commune_id) or membership(actor, team) is not None


def access_team(actor: Any, team_id: Any, *, manage: bool = False, work: bool = False) -> Team:
    """The team if the actor may see it (``manage``: keep it; ``work``: take and visit)."""
    try:
        team = Team.objects.select_related("commune").get(pk=UUID(str(team_id)))
    except (ValueError, Team.DoesNotExist):
        raise NotFound() from None
    if manage:
        allowed = can_edit_commune(actor, team.commune_id)
    elif work:
        allowed = may_work(actor, team)
    else:
        allowed = may_read_team(actor, team)
    if not allowed:
        raise NotFound()
    return team


def ensure_team_reader(actor: Any, commune: Commune) -> None:
    """Officers over the commune, and members of one of its teams; else not-found."""
    ensure_commune(actor, commune.code)
    if is_officer(actor, commune.code):
        return
    if (
        getattr(actor, "pk", None)
        and TeamMember.objects.filter(
            user=actor, team__commune=commune, removed_at__isnull=True
        ).exists()
    ):
        return
    raise NotFound()


def team_list(*, actor: Any, commune: Commune) -> QuerySet[Team]:
    """The commune's teams (officers) or the actor's own teams there (members)."""
    ensure_team_reader(actor, commune)
    qs = Team.objects.filter(commune=commune)
    if not is_officer(actor, commune.code):
        qs = qs.filter(members__user=actor, members__removed_at__isnull=True)
    return qs.prefetch_related("villages").annotate(
        member_count=Count("members", filter=Q(members__removed_at__isnull=True), distinct=True)
    )


def team_members(team: Team) -> list[TeamMember]:
    return list(
        team.members.filter(removed_at__isnull=True)
        .select_related("user")
        .order_by(
            Case(
                When(role="leader", then=Value(0)),
                When(role="deputy", then=Value(1)),
                default=Value(2),
            ),
            "user__username",
        )
    )


def _count(qs: QuerySet[Any], key: str) -> Coalesce:
    return Coalesce(
        Subquery(qs.order_by().values(key).annotate(c=Count("pk")).values("c")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def team_plan(
    *,
    actor: Any,
    team: Team,
    village: Village | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Household]:
    """The team's door-to-door plan (see the module docstring for the order and the figures)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    members = Person.objects.filter(household=OuterRef("pk"), erased_at__isnull=True)
    visits = Visit.objects.filter(household=OuterRef("pk"))
    claims = Claim.objects.filter(
        household=OuterRef("pk"), released_at__isnull=True, claimed_at__gt=claim_cutoff(now)
    )
    village_ids = team.villages.values("pk")
    qs = (
        Household.objects.filter(household_q(actor), commune_id=team.commune_id)
        .filter(village__in=village_ids)
        .filter(Exists(members))
    )
    if village is not None:
        qs = qs.filter(village=village)
    area = (
        Q(village__is_remote=True)
        | Q(village__is_ethnic_minority=True)
        | Q(commune__is_remote=True)
        | Q(commune__is_ethnic_minority=True)
    )
    priority = Case(
        When(area, then=Value(PRIORITY_AREA)),
        When(~Exists(members.exclude(aged_q(ELDERLY_AGE, today))), then=Value(PRIORITY_ELDERLY)),
        When(Exists(members.exclude(special_needs="")), then=Value(PRIORITY_SPECIAL_NEEDS)),
        default=Value(PRIORITY_OTHER),
        output_field=IntegerField(),
    )
    lacking_basic = members.filter(
        Q(skill_status__isnull=True) | Q(skill_status__basic_complete=False)
    )
    lacking_identity = members.filter(aged_q(ADULT_AGE, today)).filter(
        Q(skill_status__isnull=True) | Q(skill_status__vneid_level__lt=2)
    )
    return (
        qs.select_related("village", "head")
        .annotate(
            last_visit_at=Subquery(visits.order_by("-visited_at").values("visited_at")[:1]),
            visit_count=_count(visits, "household"),
            member_count=_count(members, "household"),
            lacking_basic=_count(lacking_basic, "household"),
            lacking_identity=_count(lacking_identity, "household"),
            claim_id=Subquery(claims.values("pk")[:1]),
            claim_user_id=Subquery(claims.values("claimed_by_id")[:1]),
            claim_user_name=Subquery(claims.values("claimed_by__display_name")[:1]),
            claim_username=Subquery(claims.values("claimed_by__username")[:1]),
            claimed_at=Subquery(claims.values("claimed_at")[:1]),
            priority=priority,
        )
        .annotate(
            visited=Case(
                When(last_visit_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by(
            "visited",
            "priority",
            F("last_visit_at").asc(nulls_first=True),
            F("village__name").asc(nulls_last=True),
            "code",
            "pk",
        )
    )


def access_plan_household(actor: Any, team: Team, household_id: Any) -> Household:
    """A household of the team's villages that the actor sees; else not-found."""
    try:
        pk = UUID(str(household_id))
    except ValueError:
        raise NotFound() from None
    household = (
        Household.objects.filter(household_q(actor), commune_id=team.commune_id, pk=pk)
        .filter(village__in=team.villages.values("pk"))
        .select_related("village", "commune")
        .first()
    )
    if household is None:
        raise NotFound()
    return household


def household_people(actor: Any, household: Household) -> list[Person]:
    return list(
        household.members.filter(person_q(actor), erased_at__isnull=True)
        .select_related("skill_status")
        .order_by("birth_year", "full_name", "pk")
    )


def access_visit(actor: Any, visit_id: Any) -> Visit:
    try:
        visit = Visit.objects.select_related("team__commune", "household", "visited_by").get(
            pk=UUID(str(visit_id))
        )
    except (ValueError, Visit.DoesNotExist):
        raise NotFound() from None
    if (
        not may_read_team(actor, visit.team)
        or not Household.objects.filter(household_q(actor), pk=visit.household_id).exists()
    ):
        raise NotFound()
    return visit


def visit_people(visit: Visit) -> list[VisitPerson]:
    return list(visit.present.select_related("person").order_by("person__full_name", "pk"))


def access_claim(actor: Any, claim_id: Any) -> Claim:
    try:
        claim = Claim.objects.select_related("team", "household").get(pk=UUID(str(claim_id)))
    except (ValueError, Claim.DoesNotExist):
        raise NotFound() from None
    if not may_work(actor, claim.team):
        raise NotFound()
    return claim


@dataclass
class CoverageRow:
    """Every house, every person: households (with a member) and people (non-erased)."""

    name: str
    households: int = 0
    visited: int = 0
    persons: int = 0
    guided: int = 0
    key: Any = None
    villages: list[str] = field(default_factory=list)

    @property
    def households_pct(self) -> int:
        return round(100 * self.visited / self.households) if self.households else 0

    @property
    def persons_pct(self) -> int:
        return round(100 * self.guided / self.persons) if self.persons else 0


@dataclass
class Coverage:
    villages: list[CoverageRow]
    teams: list[CoverageRow]
    total: CoverageRow


def coverage(*, actor: Any, commune: Commune) -> Coverage:
    """Coverage per village (those the actor sees) and per team (see the module docstring)."""
    ensure_team_reader(actor, commune)
    villages = Village.objects.filter(commune=commune)
    s = scope_of(actor)
    if not (s.national or is_officer(actor, commune.code)):
        villages = villages.filter(pk__in=s.villages)
    village_list = list(villages.order_by("name", "pk"))
    ids = [v.pk for v in village_list]
    members = Person.objects.filter(household=OuterRef("pk"), erased_at__isnull=True)
    hh = (
        Household.objects.filter(household_q(actor), commune=commune, village__in=ids)
        .filter(Exists(members))
        .annotate(v=Exists(Visit.objects.filter(household=OuterRef("pk"))))
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"), visited=Count("pk", filter=Q(v=True)))
    )
    people = (
        Person.objects.filter(
            person_q(actor), commune=commune, erased_at__isnull=True, household__village__in=ids
        )
        .annotate(g=Exists(VisitPerson.objects.filter(person=OuterRef("pk"), was_guided=True)))
        .order_by()
        .values("household__village_id")
        .annotate(n=Count("pk"), guided=Count("pk", filter=Q(g=True)))
    )
    rows = {v.pk: CoverageRow(name=v.name, key=v.pk) for v in village_list}
    for r in hh:
        rows[r["village_id"]].households = r["n"]
        rows[r["village_id"]].visited = r["visited"]
    for r in people:
        rows[r["household__village_id"]].persons = r["n"]
        rows[r["household__village_id"]].guided = r["guided"]
    teams = []
    for team in team_list(actor=actor, commune=commune).order_by("name", "pk"):
        row = CoverageRow(name=team.name, key=team.pk)
        for v in team.villages.all():
            if v.pk in rows:
                vr = rows[v.pk]
                row.villages.append(v.name)
                row.households += vr.households
                row.visited += vr.visited
                row.persons += vr.persons
                row.guided += vr.guided
        teams.append(row)
    total = CoverageRow(name="")
    for vr in rows.values():
        total.households += vr.households
        total.visited += vr.visited
        total.persons += vr.persons
        total.guided += vr.guided
    return Coverage(villages=list(rows.values()), teams=teams, total=total)
