"""The community tech teams' API: teams, a team's door-to-door plan, taking a household, the
visit log (idempotent on the client's UUID, for the offline field app) and coverage.

Scoped like the pages: a team out of reach, a household outside the team's villages, a commune
out of scope answer 404, the same as something that does not exist. A household already taken by
someone else answers 409 ``household_taken``; a visit id replayed with other content 409
``event_conflict``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from hocvuso.access.units import access_commune
from hocvuso.core.errors import NotFound
from hocvuso.core.schemas import ErrorOut, Page, page_json
from hocvuso.core.web import paginate
from hocvuso.teams import selectors, services

router = Router(tags=["teams"])


class TeamOut(Schema):
    id: UUID
    name: str
    villages: list[UUID]
    member_count: int


class PlanFilters(Schema):
    village: UUID | None = Field(None, description="Only this village of the team")
    page: int = Field(1, ge=1)


class PlanRow(Schema):
    id: UUID
    code: str
    village: str | None
    head: str | None
    member_count: int
    visited: bool
    visit_count: int
    last_visit_at: dt.datetime | None
    lacking_basic: int = Field(description="Members without the basic skill set")
    lacking_identity: int = Field(description="Members aged 16+ without VNeID level 2")
    priority: int = Field(
        description="0 remote/ethnic-minority area, 1 elderly only, 2 special needs, 3 the rest"
    )
    claimed_by: int | None = Field(None, description="The user who took it (open claim)")
    claim_id: UUID | None = None
    claimed_at: dt.datetime | None = None


class PlanPage(Page):
    results: list[PlanRow]


class ClaimIn(Schema):
    household_id: UUID


class ClaimOut(Schema):
    id: UUID
    household_id: UUID
    claimed_by: int
    claimed_at: dt.datetime


class PresentIn(Schema):
    person_id: UUID
    guided: list[str] = Field(default_factory=list, description="Skill codes guided on")
    gained: list[str] = Field(default_factory=list, description="Skill codes they can now do")


class HomeVisitIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7); a replay returns the same visit")
    team_id: UUID
    household_id: UUID
    visited_at: dt.datetime
    present: list[PresentIn] = Field(default_factory=list)
    issues: list[str] = Field(
        default_factory=list, description="no_smartphone, no_signal, language, other"
    )
    issues_note: str = Field("", max_length=255)
    follow_up_on: dt.date | None = None
    note: str = Field("", max_length=2000)


class HomeVisitOut(Schema):
    id: UUID
    team_id: UUID
    household_id: UUID
    visited_at: dt.datetime
    visited_by: int
    present: list[PresentIn]
    issues: list[str]
    follow_up_on: dt.date | None
    skill_events: list[UUID] = Field(description="The ids of the skill events the visit recorded")


class CoverageRowOut(Schema):
    id: UUID | None
    name: str
    households: int
    visited: int
    persons: int
    guided: int


class CoverageOut(Schema):
    total: CoverageRowOut
    villages: list[CoverageRowOut]
    teams: list[CoverageRowOut]


@router.get(
    "/communes/{code}/teams", response={200: list[TeamOut], 404: ErrorOut}, url_name="teams_list"
)
def team_list(request: HttpRequest, code: str) -> list[TeamOut]:
    """The commune's teams (officers), or the caller's own teams there (members)."""
    commune = access_commune(request.user, code)
    teams = selectors.team_list(actor=request.user, commune=commune).order_by("name", "pk")
    return [
        TeamOut(
            id=t.pk,
            name=t.name,
            villages=[v.pk for v in t.villages.all()],
            member_count=t.member_count,  # type: ignore[attr-defined]
        )
        for t in teams
    ]


@router.get("/{team_id}/plan", response={200: PlanPage, 404: ErrorOut}, url_name="teams_plan")
def plan(request: HttpRequest, team_id: UUID, filters: Query[PlanFilters]) -> HttpResponse:
    """The team's door-to-door plan, in priority order (never visited first), 25 a page."""
    # The rows read as values and written straight to JSON (``core.schemas.page_json``).
    team = selectors.team_get(request.user, team_id)
    village = None
    if filters.village is not None:
        village = selectors.team_village_get(team, filters.village)
    qs = selectors.team_plan_keys(actor=request.user, team=team, village=village)
    return page_json(paginate(qs, filters.page, rows=selectors.team_plan_values), PlanRow)


@router.post(
    "/{team_id}/claims",
    response={200: ClaimOut, 201: ClaimOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="teams_claim",
)
def claim(request: HttpRequest, team_id: UUID, payload: ClaimIn) -> Status[Any]:
    """Take a household of the plan (201; 200 when the caller already holds it)."""
    team = selectors.team_get(request.user, team_id, work=True)
    household = selectors.plan_household_get(request.user, team, payload.household_id)
    existing = selectors.holds_claim(team, household)
    c = services.claim_take(actor=request.user, team=team, household=household)
    out = ClaimOut(
        id=c.pk,
        household_id=c.household_id,
        claimed_by=c.claimed_by_id,
        claimed_at=c.claimed_at,
    )
    return Status(200 if existing else 201, out)


@router.post(
    "/visits",
    response={200: HomeVisitOut, 201: HomeVisitOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="teams_visit_record",
)
def visit_record(request: HttpRequest, payload: HomeVisitIn) -> Status[HomeVisitOut]:
    """Record a home visit (201), or return the same visit sent again (200)."""
    team = selectors.team_get(request.user, payload.team_id, work=True)
    household = selectors.plan_household_get(request.user, team, payload.household_id)
    people = selectors.present_people(
        request.user, household, [x.person_id for x in payload.present]
    )
    present = []
    for x in payload.present:
        person = people.get(x.person_id)
        if person is None:
            raise NotFound()
        present.append(services.Present(person=person, guided=x.guided, gained=x.gained))
    v = services.visit_record(
        actor=request.user,
        team=team,
        id=payload.id,
        household=household,
        visited_at=payload.visited_at,
        present=present,
        issues=payload.issues,
        issues_note=payload.issues_note,
        follow_up_on=payload.follow_up_on,
        note=payload.note,
    )
    rows = list(v.present.all())
    out = HomeVisitOut(
        id=v.pk,
        team_id=v.team_id,
        household_id=v.household_id,
        visited_at=v.visited_at,
        visited_by=v.visited_by_id,
        present=[PresentIn(person_id=r.person_id, guided=r.guided, gained=r.gained) for r in rows],
        issues=v.issues,
        follow_up_on=v.follow_up_on,
        skill_events=[
            services.visit_event_id(v.pk, r.person_id, c) for r in rows for c in r.gained
        ],
    )
    return Status(200 if v.replayed else 201, out)


@router.get(
    "/communes/{code}/coverage",
    response={200: CoverageOut, 404: ErrorOut},
    url_name="teams_coverage",
)
def coverage(request: HttpRequest, code: str) -> CoverageOut:
    """Households visited at least once and people guided, per village and per team."""
    commune = access_commune(request.user, code)
    data = selectors.coverage(actor=request.user, commune=commune)

    def row(r: selectors.CoverageRow) -> CoverageRowOut:
        return CoverageRowOut(
            id=r.key,
            name=r.name,
            households=r.households,
            visited=r.visited,
            persons=r.persons,
            guided=r.guided,
        )

    return CoverageOut(
        total=row(data.total),
        villages=[row(r) for r in data.villages],
        teams=[row(r) for r in data.teams],
    )
