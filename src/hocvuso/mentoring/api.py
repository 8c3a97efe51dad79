"""The mentoring API: a commune's mentors (with the ≥ 5 figure and the cascade), one mentor's
mentees, matching suggestions and their bulk acceptance, and recording a mentoring session
(idempotent on the client's UUID v7: 201 when stored, 200 on a replay).

Scoped like the pages: out of scope answers 404, the same as something that does not exist.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.access.units import access_commune
from hocvuso.core.schemas import ErrorOut, page_json
from hocvuso.core.web import paginate
from hocvuso.mentoring import selectors, services
from hocvuso.mentoring.models import GOAL_MENTEES, Mentor
from hocvuso.registry import selectors as registry_selectors

router = Router(tags=["mentoring"])


class MentorRow(Schema):
    id: UUID
    person_id: UUID
    full_name: str
    village: str | None
    capacity: int
    languages: list[str]
    active: bool
    active_mentees: int
    generation: int | None = Field(description="1 = a root of the cascade")
    reached: int = Field(description="People in the mentor's tree, the mentor excluded")


class MentorsOut(Schema):
    goal: int
    mentors: int
    mentees: int
    at_goal: int
    at_goal_percent: float | None
    count: int  # the page's envelope (as every list's): all mentors, active or not
    page: int
    pages: int
    results: list[MentorRow]


class MenteeRow(Schema):
    mentorship_id: UUID
    person_id: UUID
    full_name: str
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    skills: list[str]
    basic_complete: bool
    vneid_level: int


class MentorOut(Schema):
    mentor: MentorRow
    mentees: list[MenteeRow]


class SuggestionRow(Schema):
    person_id: UUID
    full_name: str
    mentor_id: UUID
    mentor_name: str
    level: str = Field(description="village or commune")
    shared_language: bool


class PairIn(Schema):
    person_id: UUID
    mentor_id: UUID


class AcceptIn(Schema):
    pairs: list[PairIn] = Field(max_length=2000)


class AcceptOut(Schema):
    created: list[UUID] = Field(description="The mentorships started (skipped pairs: absent)")


class SessionIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7): the same id twice stores once")
    mentee_id: UUID
    happened_on: dt.date
    practised: list[str] = Field(default_factory=list, max_length=50)
    gained: list[str] = Field(default_factory=list, max_length=50)
    note: str = Field("", max_length=1000)


class SessionOut(Schema):
    id: UUID
    mentor_id: UUID
    mentee_id: UUID
    happened_on: dt.date
    practised: list[str]
    gained: list[str]


def _row(m: Mentor, tree: selectors.CascadeRow) -> MentorRow:
    village = m.person.household.village
    return MentorRow(
        id=m.pk,
        person_id=m.person_id,
        full_name=m.person.full_name,
        village=village.name if village else None,
        capacity=m.capacity,
        languages=m.languages,
        active=m.active,
        active_mentees=m.active_mentees,
        generation=tree.generation,
        reached=tree.reached,
    )


@router.get(
    "/communes/{code}/mentors",
    response={200: MentorsOut, 404: ErrorOut},
    url_name="mentoring_mentors",
)
def mentors(request: HttpRequest, code: str, page: int = 1) -> HttpResponse:
    """The commune's mentors with their mentees, generation and reach (a page of them), and
    indicator 4."""
    # The rows read as values and written straight to JSON after the figures
    # (``core.schemas.page_json``).
    commune = access_commune(request.user, code)
    graph = selectors.cascade_graph(actor=request.user, commune=commune)
    p = paginate(
        selectors.mentor_list(actor=request.user, commune=commune),
        page,
        rows=partial(selectors.mentor_values, graph=graph),
    )
    f = selectors.mentor_figures(actor=request.user, commune=commune)
    head = {
        "goal": GOAL_MENTEES,
        "mentors": f.mentors,
        "mentees": f.mentees,
        "at_goal": f.at_goal,
        "at_goal_percent": f.at_goal_percent,
    }
    return page_json(p, MentorRow, head)


@router.get(
    "/mentors/{mentor_id}", response={200: MentorOut, 404: ErrorOut}, url_name="mentoring_mentor"
)
def mentor(request: HttpRequest, mentor_id: UUID) -> MentorOut:
    """One mentor (officers over the commune, or the mentor themself) and their mentees."""
    m = selectors.mentor_get(request.user, mentor_id)
    mentees = []
    for s in selectors.mentee_list(actor=request.user, mentor=m):
        status = getattr(s.mentee, "skill_status", None)
        mentees.append(
            MenteeRow(
                mentorship_id=s.pk,
                person_id=s.mentee_id,
                full_name=s.mentee.full_name,
                status=s.status,
                started_on=s.started_on,
                ended_on=s.ended_on,
                skills=status.skills if status else [],
                basic_complete=status.basic_complete if status else False,
                vneid_level=status.vneid_level if status else 0,
            )
        )
    return MentorOut(mentor=_row(m, selectors.tree_of(m)), mentees=mentees)


@router.get(
    "/communes/{code}/suggestions",
    response={200: list[SuggestionRow], 404: ErrorOut},
    url_name="mentoring_suggestions",
)
def suggestions(request: HttpRequest, code: str) -> list[SuggestionRow]:
    """Matching suggestions (commune keepers): see the method in ``mentoring.selectors``."""
    commune = access_commune(request.user, code)
    return [
        SuggestionRow(
            person_id=s.person.pk,
            full_name=s.person.full_name,
            mentor_id=s.mentor.pk,
            mentor_name=s.mentor.person.full_name,
            level=s.level,
            shared_language=s.shared_language,
        )
        for s in selectors.match_suggest(actor=request.user, commune=commune)
    ]


@router.post(
    "/communes/{code}/accept",
    response={200: AcceptOut, 404: ErrorOut, 422: ErrorOut},
    url_name="mentoring_accept",
)
def accept(request: HttpRequest, code: str, payload: AcceptIn) -> AcceptOut:
    """Start the mentorships of the given pairs; pairs that no longer hold are skipped."""
    commune = access_commune(request.user, code)
    made = services.mentorships_accept(
        actor=request.user,
        commune=commune,
        pairs=[(p.person_id, p.mentor_id) for p in payload.pairs],
    )
    return AcceptOut(created=[s.pk for s in made])


@router.post(
    "/sessions",
    response={200: SessionOut, 201: SessionOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="mentoring_session_record",
)
def session_record(request: HttpRequest, payload: SessionIn) -> Status[SessionOut]:
    """The caller (a mentor) records a session with one of their active mentees; gained skills
    become skill events (channel ``mentoring``). 201 stored, 200 replay, 409 same id other
    content, 404 not a mentee of the caller."""
    m = selectors.own_mentor(request.user)
    mentee = registry_selectors.person_get(request.user, payload.mentee_id)
    s = services.session_record(
        actor=request.user,
        id=payload.id,
        mentor=m,
        mentee=mentee,
        happened_on=payload.happened_on,
        practised=payload.practised,
        gained=payload.gained,
        note=payload.note,
    )
    out = SessionOut(
        id=s.pk,
        mentor_id=s.mentor_id,
        mentee_id=s.mentee_id,
        happened_on=s.happened_on,
        practised=s.practised,
        gained=s.gained,
    )
    return Status(200 if s.replayed else 201, out)
