"""Reads of the community tech teams: access to a team, its door-to-door plan, coverage.

**Who sees a team**: commune officers and above over its commune (province officers oversee),
and the team's active members. Managing it (name, villages, members) is for the commune's
keepers (commune officers, national admins). Anyone else gets not-found.

**The plan** (:func:`team_plan`) lists the households of the team's villages that the actor sees
and that have at least one (non-erased) member, in this order, deterministic:

1. never visited before visited;
2. then the Digital Family priority (``registry.priority``): 0 the village or commune is remote
   or ethnic-minority; 1 every member is aged 60+; 2 a member has a special-needs note; 3 the rest;
3. then, among visited households, the longest since the last visit first;
4. then village name, household code, id.

Each row carries its last visit, number of visits, members lacking the basic set, members aged
16+ without VNeID level 2, and the open claim (who took it, when). A claim is open while it is not
released and younger than :func:`claim_days` days. One query for the page (+ the paginator's
count), whatever its length: every figure is a correlated subquery.

**Coverage** (:func:`coverage`): per village, households visited at least once
by any team, and people guided at a visit (present and guided on or gaining at least
one skill) — the dashboards' own definitions (``teams.figures``); per team, the sum over its
villages. Two grouped queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
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

from hocvuso.access.registry import household_q, person_q
from hocvuso.access.scope import own_teams
from hocvuso.access.teams import (
    can_read_teams,
    coverage_village_q,
    may_read_team,
    may_see_team,
    may_work_team,
    team_q,
)
from hocvuso.core.errors import ensure
from hocvuso.core.fetch import one
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.ages import AGE_16, aged_q
from hocvuso.registry.models import VISITED, Household, Person
from hocvuso.registry.priority import members_of_outer
from hocvuso.skills.facts import BANK_ACCOUNT, BASIC_SET, VNEID_INSTALLED, VNEID_LEVEL2
from hocvuso.skills.models import Skill, SkillSet
from hocvuso.teams import figures
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


def team_get(actor: Any, team_id: Any, *, manage: bool = False, work: bool = False) -> Team:
    """The team if the actor may see it (``manage``: keep it; ``work``: take and visit)."""
    team = one(Team.objects.select_related("commune"), team_id)
    ensure(may_see_team(actor, team, manage=manage, work=work))
    return team


def own_team_list(*, actor: Any) -> list[Team]:
    """The teams the actor belongs to (a team member's home: their door-to-door plan)."""
    ids = own_teams(actor)
    return list(Team.objects.filter(pk__in=ids).order_by("name")) if ids else []


def team_list(*, actor: Any, commune: Commune) -> QuerySet[Team]:
    """The commune's teams (officers) or the actor's own teams there (members)."""
    ensure(can_read_teams(actor, commune.code))
    qs = Team.objects.filter(team_q(actor), commune=commune)
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


def _plan_order(qs: QuerySet[Household]) -> QuerySet[Household]:
    """What the plan is ordered by: ``visited`` (0/1) from the household's stored last visit
    (``Household.last_visit_at``, kept by the summaries' write path like its other list facts:
    no subquery a household), and ``priority``, stored too (``registry.priority``)."""
    return qs.annotate(visited=VISITED)


def _plan_figures(qs: QuerySet[Household], today: dt.date, now: dt.datetime) -> QuerySet[Household]:
    """The figures each row of the plan shows (visits, members, who lacks what, the claim):
    subqueries per household."""
    members = members_of_outer()
    visits = Visit.objects.filter(household=OuterRef("pk"))
    claims = Claim.objects.filter(
        household=OuterRef("pk"), released_at__isnull=True, claimed_at__gt=claim_cutoff(now)
    )
    lacking_basic = members.filter(
        Q(skill_status__isnull=True) | Q(skill_status__basic_complete=False)
    )
    lacking_identity = members.filter(aged_q(AGE_16, today.year)).filter(
        Q(skill_status__isnull=True) | Q(skill_status__vneid_level__lt=2)
    )
    return qs.annotate(
        visit_count=_count(visits, "household"),
        member_count=F("members_live"),
        lacking_basic=_count(lacking_basic, "household"),
        lacking_identity=_count(lacking_identity, "household"),
        claim_id=Subquery(claims.values("pk")[:1]),
        claim_user_id=Subquery(claims.values("claimed_by_id")[:1]),
        claim_user_name=Subquery(claims.values("claimed_by__display_name")[:1]),
        claim_username=Subquery(claims.values("claimed_by__username")[:1]),
        claimed_at=Subquery(claims.values("claimed_at")[:1]),
    )


def team_plan_keys(
    *,
    actor: Any,
    team: Team,
    village: Village | None = None,
    today: dt.date | None = None,
) -> QuerySet[Household]:
    """The team's door-to-door plan (see the module docstring for the order) with only what it
    is ordered by: the list a page is cut from (:func:`team_plan_rows` adds the figures shown,
    for a page's households only)."""
    today = today or timezone.localdate()
    village_ids = team.villages.values("pk")
    qs = (
        Household.objects.filter(household_q(actor), commune_id=team.commune_id)
        .filter(village__in=village_ids)
        .filter(members_live__gt=0)
    )
    if village is not None:
        qs = qs.filter(village=village)
    return _plan_order(qs.select_related("village", "head")).order_by(
        "visited",
        "priority",
        "last_visit_at",  # the never visited come first by ``visited``: nulls placed alike
        "village_key",  # by village name, none last (stored on the household)
        "code",
        "pk",
    )


def team_plan_rows(
    ids: list[Any], *, today: dt.date | None = None, now: dt.datetime | None = None
) -> QuerySet[Household]:
    """The households ``ids`` (a page of :func:`team_plan_keys`) as the plan shows them."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    qs = Household.objects.filter(pk__in=ids).select_related("village", "head")
    return _plan_figures(_plan_order(qs), today, now)


@dataclass(frozen=True, slots=True)
class PlanValues:
    """A household of the plan as the API lists it: its code, village and head's names, and the
    figures of :func:`team_plan_rows` (the claim's fields ``None`` without an open claim):
    named as the API's row (``teams.api.PlanRow``)."""

    id: Any
    code: str
    village: str | None
    head: str | None
    member_count: int
    visited: bool
    visit_count: int
    last_visit_at: dt.datetime | None
    lacking_basic: int
    lacking_identity: int
    priority: int
    claimed_by: int | None  # the user who took it
    claim_id: Any
    claimed_at: dt.datetime | None

    @property
    def pk(self) -> Any:
        return self.id


def team_plan_values(
    ids: list[Any], *, today: dt.date | None = None, now: dt.datetime | None = None
) -> list[PlanValues]:
    """The households ``ids`` (a page of :func:`team_plan_keys`) as the API lists them: the
    query of :func:`team_plan_rows` read as values (one query, no model instance a row)."""
    # Its figures are annotations made in another function: not seen by the type checker.
    annotated: QuerySet[Any] = team_plan_rows(ids, today=today, now=now)
    rows = annotated.values_list(
        "id",
        "code",
        "village__name",
        "head__full_name",
        "member_count",
        "visited",
        "visit_count",
        "last_visit_at",
        "lacking_basic",
        "lacking_identity",
        "priority",
        "claim_user_id",
        "claim_id",
        "claimed_at",
    )
    out = []
    for pk, code, village, head, members, visited, *shown in rows:
        out.append(PlanValues(pk, code, village, head, members, bool(visited), *shown))
    return out


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
    keys = team_plan_keys(actor=actor, team=team, village=village, today=today)
    return _plan_figures(keys, today, now)


def plan_household_get(actor: Any, team: Team, household_id: Any) -> Household:
    """A household of the team's villages that the actor sees; else not-found."""
    return one(
        Household.objects.filter(household_q(actor), commune_id=team.commune_id)
        .filter(village__in=team.villages.values("pk"))
        .select_related("village", "commune"),
        household_id,
    )


def household_people(actor: Any, household: Household) -> list[Person]:
    return list(
        household.members.filter(person_q(actor), erased_at__isnull=True)
        .select_related("skill_status")
        .order_by("birth_year", "full_name", "pk")
    )


def visit_get(actor: Any, visit_id: Any) -> Visit:
    """A visit of a team the actor reads, to a household they see."""
    visit = one(
        Visit.objects.filter(household_q(actor, "household__")).select_related(
            "team__commune", "household", "visited_by"
        ),
        visit_id,
    )
    ensure(may_read_team(actor, visit.team))
    return visit


def visit_people(visit: Visit) -> list[VisitPerson]:
    return list(visit.present.select_related("person").order_by("person__full_name", "pk"))


def claim_get(actor: Any, claim_id: Any) -> Claim:
    claim = one(Claim.objects.select_related("team", "household"), claim_id)
    ensure(may_work_team(actor, claim.team))
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
    ensure(can_read_teams(actor, commune.code))
    villages = Village.objects.filter(coverage_village_q(actor, commune.code), commune=commune)
    village_list = list(villages.order_by("name", "pk"))
    ids = [v.pk for v in village_list]
    hh = (
        Household.objects.filter(household_q(actor), commune=commune, village__in=ids)
        .annotate(v=figures.visited_q())
        .order_by()
        .values("village_id")
        .annotate(n=Count("pk"), visited=Count("pk", filter=Q(v=True)))
    )
    people = (
        Person.objects.filter(person_q(actor), commune=commune, household__village__in=ids)
        .annotate(g=figures.guided_q())
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


def member_get(actor: Any, member_id: Any) -> TeamMember:
    """A membership of a team the actor manages; not-found otherwise."""
    member = one(TeamMember.objects.select_related("team", "user", "assignment"), member_id)
    team_get(actor, member.team_id, manage=True)
    return member


def team_village_get(team: Team, village_id: Any) -> Village:
    """One of the team's villages; not-found for any other."""
    return one(team.villages.all(), village_id)


def holds_claim(team: Team, household: Household) -> bool:
    """The household is taken (by someone of the team) right now."""
    return team.claims.filter(household=household, released_at__isnull=True).exists()


def present_people(actor: Any, household: Household, person_ids: Any) -> dict[Any, Person]:
    """Of ``person_ids``, the household's people the actor sees (with their household loaded):
    those a visit may name as present."""
    return {
        p.pk: p
        for p in household.members.filter(person_q(actor), pk__in=list(person_ids)).select_related(
            "household"
        )
    }


# The identity milestones a visit may mark, besides the national basic set.
IDENTITY_CODES = (VNEID_INSTALLED, VNEID_LEVEL2, BANK_ACCOUNT)


def visit_skills() -> list[Skill]:
    """What a visit may mark as gained: the national basic set and the identity milestones."""
    basic = SkillSet.objects.filter(code=BASIC_SET, province__isnull=True).values("skills")
    return list(
        Skill.objects.filter(is_active=True)
        .filter(Q(pk__in=basic) | Q(code__in=IDENTITY_CODES))
        .order_by("area__order", "order", "code")
    )
