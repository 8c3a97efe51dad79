"""Reads of mentoring: a commune's mentors with their figures, a mentor's mentees, the cascade,
and the matching suggestions.

**Who sees what.** A commune's mentor list, the cascade and a mentor's page: officers over the
commune (commune, province, national). A mentor's page also: the mentor themself. Matching: the
commune's keepers (commune officers, national admins). Anyone else: not-found.

**The cascade** (:func:`cascade`). Mentorships (active and ended: the history counts) are edges
mentor's person → mentee. A mentor whose person was never anybody's mentee is a root (generation
1); a mentor who was the mentee of a generation-*n* mentor is generation *n + 1* (the smallest,
if mentored by several). A mentor's *tree* is every person reachable from them along the edges;
``reached`` counts it (the mentor not included). Computed set-based: all edges of the commune in
one query, then level by level in memory — never a query per mentor. A cycle (A mentored B who
later mentored A) cannot loop: each person is visited once per walk, and mentors reachable from
no root have no generation.

**Matching** (:func:`match_suggest`). People who need help: aged 16+, in the commune, not erased,
without the basic skill set, with no active mentor, and not themselves an active mentor. Mentors:
active mentors of the commune with free places (capacity − active mentees). Deterministic greedy
in two passes over the people, in order (village name, name, id):

1. *village*: each person gets a mentor living in the same village, if one has a free place;
2. *commune*: the people still without one get any mentor of the commune with a free place.

Among eligible mentors the choice is, in order: a shared ethnic language (the person's recorded
ethnicity is among the mentor's languages; no preference when the ethnicity is not recorded),
then the fewest mentees so far (active + suggested: spreads people out and brings small mentors
towards the goal of 5), then the mentor's id. Each suggestion takes a place, so capacity is never
exceeded; each person is suggested at most once; the whole village pass runs before the commune
pass, so a person is only matched across villages when no mentor of their village had a place.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Count, F, Q, QuerySet

from hocvuso.access.mentoring import can_read_mentors, may_open_mentor
from hocvuso.access.registry import person_q
from hocvuso.access.units import can_edit_commune, ensure_commune
from hocvuso.core import counts
from hocvuso.core.errors import NotFound, ensure
from hocvuso.core.fetch import one
from hocvuso.geo.models import Commune
from hocvuso.mentoring import figures
from hocvuso.mentoring.models import (
    Mentor,
    MentoringSession,
    Mentorship,
    MentorshipStatus,
)
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry.ages import AGE_16, aged_q
from hocvuso.registry.models import Person

ACTIVE = MentorshipStatus.ACTIVE


def _with_counts(qs: QuerySet[Mentor]) -> QuerySet[Mentor]:
    counted = Count("mentorships", filter=Q(mentorships__status=ACTIVE), distinct=True)
    return qs.annotate(**{"active_mentees": counted})


def mentor_get(actor: Any, mentor_id: Any) -> Mentor:
    """A mentor the actor may open: officers over the mentor's commune, or the mentor themself."""
    mentor = one(
        _with_counts(
            Mentor.objects.select_related("person__household__village", "user", "commune")
        ),
        mentor_id,
    )
    ensure(may_open_mentor(actor, mentor))
    return mentor


def own_mentor(actor: Any) -> Mentor:
    """The actor's own active mentor profile; not-found when they have none."""
    if getattr(actor, "pk", None) is None:
        raise NotFound()
    mentor = Mentor.objects.filter(user_id=actor.pk, active=True).first()
    if mentor is None:
        raise NotFound()
    return mentor


def mentor_list(*, actor: Any, commune: Commune) -> QuerySet[Mentor]:
    """The commune's mentors (active first, then by name), without their counts: the list a
    page is cut from (:func:`mentor_rows` counts the mentees of a page's mentors only)."""
    ensure(can_read_mentors(actor, commune.code))
    return Mentor.objects.filter(commune=commune).order_by("-active", "person__search_key", "pk")


def mentor_rows(ids: list[Any]) -> QuerySet[Mentor]:
    """The mentors ``ids`` (a page of :func:`mentor_list`), each with ``active_mentees`` and
    their village: one query, grouping the page's mentors' mentorships alone."""
    return _with_counts(
        Mentor.objects.filter(pk__in=ids).select_related("person__household__village")
    )


@dataclass(frozen=True, slots=True)
class MentorValues:
    """A mentor as the API lists them (``mentoring.api.MentorRow``): their own columns, their
    person's name and village's name (``None`` without one), ``active_mentees``, and their
    place in the cascade."""

    id: Any
    person_id: Any
    full_name: str
    village: str | None
    capacity: int
    languages: list[str]
    active: bool
    active_mentees: int
    generation: int | None
    reached: int

    @property
    def pk(self) -> Any:
        return self.id


def mentor_values(ids: list[Any], *, graph: Graph) -> list[MentorValues]:
    """The mentors ``ids`` (a page of :func:`mentor_list`) as the API lists them: the query of
    :func:`mentor_rows` read as values (one query, no model instance a row), each with their
    tree of ``graph`` (the commune's: :func:`cascade_graph`)."""
    # ``active_mentees`` is annotated in another function: not seen by the type checker.
    annotated: QuerySet[Any] = _with_counts(Mentor.objects.filter(pk__in=ids))
    rows = annotated.values_list(
        "id",
        "person_id",
        "person__full_name",
        "person__household__village__name",
        "capacity",
        "languages",
        "active",
        "active_mentees",
    )
    out = []
    for pk, person, name, village, capacity, languages, active, mentees in rows:
        tree = graph.row(pk)
        reach = (tree.generation, tree.reached)
        out.append(
            MentorValues(pk, person, name, village, capacity, languages, active, mentees, *reach)
        )
    return out


@dataclass(frozen=True)
class MentorFigures:
    mentors: int  # active mentors
    mentees: int  # people with an active mentor
    at_goal: int  # active mentors with ≥ 5 active mentees
    sessions: int

    @property
    def at_goal_percent(self) -> float | None:
        return round(100 * self.at_goal / self.mentors, 1) if self.mentors else None


def mentor_figures(*, actor: Any, commune: Commune) -> MentorFigures:
    """Indicator 4 for the commune, as the dashboards count it (:mod:`.figures`): mentors,
    mentees, mentors guiding at least :data:`GOAL_MENTEES`; and the sessions recorded."""
    ensure(can_read_mentors(actor, commune.code))
    sessions = MentoringSession.objects.filter(mentor__commune=commune).count()
    # The dashboards' commune row holds the same three figures, kept current on every write:
    # one query however many mentors (``core.counts``); counted here when there is no row.
    held = counts.count("kpi.network", commune=commune.code)
    if held is not None:
        return MentorFigures(held["mentors"], held["mentees"], held["mentors_5"], sessions)
    codes = [commune.code]
    return MentorFigures(
        mentors=figures.mentors(codes).get(commune.code, 0),
        mentees=figures.mentees(codes).get(commune.code, 0),
        at_goal=figures.mentors_at_goal(codes).get(commune.code, 0),
        sessions=sessions,
    )


def mentee_list(*, actor: Any, mentor: Mentor) -> QuerySet[Mentorship]:
    """The mentor's mentorships (active first, then by name), each mentee with their digital
    status (``skill_status``) and whether they are a mentor now: one query."""
    mentor_get(actor, mentor.pk)
    return (
        Mentorship.objects.filter(mentor=mentor)
        .select_related("mentee__household__village", "mentee__skill_status")
        .annotate(mentee_mentor=F("mentee__mentor_profile__id"))
        .order_by("status", "mentee__search_key", "pk")
    )


def session_list(*, actor: Any, mentor: Mentor, limit: int = 20) -> list[MentoringSession]:
    mentor_get(actor, mentor.pk)
    return list(
        MentoringSession.objects.filter(mentor=mentor)
        .select_related("mentee")
        .order_by("-happened_on", "-created_at")[:limit]
    )


# --- The cascade ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CascadeRow:
    mentor_id: UUID
    person_id: UUID
    generation: int | None  # 1 = a root; None = reachable from no root (a cycle)
    reached: int  # people in the mentor's tree (mentees, their mentees …), the mentor excluded


@dataclass(frozen=True)
class Graph:
    """A commune's cascade: each mentor's tree walked from its edges. Pure: no queries (see the
    module docstring)."""

    children: dict[UUID, set[UUID]]
    generation: dict[UUID, int]  # person → generation (1 = a root), from the roots breadth first
    mentors: dict[UUID, UUID]  # mentor id → person id

    @classmethod
    def of(cls, edges: list[tuple[UUID, UUID]], mentors: dict[UUID, UUID]) -> Graph:
        """From ``edges`` (mentor's person → mentee) and ``mentors`` (mentor id → person)."""
        children: dict[UUID, set[UUID]] = defaultdict(set)
        mentored: set[UUID] = set()
        for parent, child in edges:
            if parent != child:
                children[parent].add(child)
                mentored.add(child)
        # Level by level from the roots (breadth first: the smallest generation wins).
        generation: dict[UUID, int] = {}
        level = sorted(p for p in mentors.values() if p not in mentored)
        depth = 1
        while level:
            nxt: list[UUID] = []
            for person in level:
                if person in generation:
                    continue
                generation[person] = depth
                nxt.extend(c for c in children.get(person, ()) if c not in generation)
            level, depth = nxt, depth + 1
        return cls(children, generation, mentors)

    def row(self, mentor_id: UUID) -> CascadeRow:
        """One mentor's generation and reach (a walk of their tree alone)."""
        person = self.mentors[mentor_id]
        seen: set[UUID] = {person}
        stack = [person]
        while stack:
            for c in self.children.get(stack.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        return CascadeRow(
            mentor_id=mentor_id,
            person_id=person,
            generation=self.generation.get(person),
            reached=len(seen) - 1,
        )

    def rows(self, only: Iterable[UUID] | None = None) -> dict[UUID, CascadeRow]:
        """The rows of ``only`` (those mentors; default every one)."""
        ids = self.mentors if only is None else [m for m in only if m in self.mentors]
        return {m: self.row(m) for m in ids}

    def generations(self) -> list[tuple[int, int]]:
        """(generation, mentors in it), in order: over every mentor of the commune."""
        counted = Counter(
            g for p in self.mentors.values() if (g := self.generation.get(p)) is not None
        )
        return sorted(counted.items())


def _graph(commune_code: str) -> Graph:
    """The commune's cascade from its mentors and mentorships (two narrow value queries)."""
    mentors = dict(Mentor.objects.filter(commune_id=commune_code).values_list("pk", "person_id"))
    edges = list(
        Mentorship.objects.filter(mentor__commune_id=commune_code).values_list(
            "mentor__person_id", "mentee_id"
        )
    )
    return Graph.of(edges, mentors)


def cascade(*, actor: Any, commune: Commune) -> dict[UUID, CascadeRow]:
    """Each mentor of the commune: generation and people reached (two queries)."""
    ensure(can_read_mentors(actor, commune.code))
    return _graph(commune.code).rows()


def cascade_graph(*, actor: Any, commune: Commune) -> Graph:
    """The commune's cascade, to take a page's rows (:meth:`Graph.rows`) and the mentors in
    each generation (:meth:`Graph.generations`) from: two queries."""
    ensure(can_read_mentors(actor, commune.code))
    return _graph(commune.code)


def tree_of(mentor: Mentor) -> CascadeRow:
    """One mentor's generation and reach, from their commune's edges (two queries)."""
    return _graph(mentor.commune_id).row(mentor.pk)


# --- Matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    person: Person
    mentor: Mentor
    level: str  # "village" or "commune"
    shared_language: bool


def needing_help(commune: Commune, today: dt.date) -> QuerySet[Person]:
    """People of the commune who need a mentor (see the module docstring), in matching order."""
    return (
        Person.objects.filter(commune=commune, erased_at__isnull=True)
        .filter(aged_q(AGE_16, today.year))
        .filter(Q(skill_status__isnull=True) | Q(skill_status__basic_complete=False))
        .exclude(mentorships__status=ACTIVE)
        .exclude(mentor_profile__active=True)
        .select_related("household__village")
        .order_by(F("household__village__name").asc(nulls_last=True), "search_key", "pk")
    )


def match_compute(people: list[Person], mentors: list[Mentor]) -> list[Suggestion]:
    """The two-pass greedy of the module docstring. ``mentors`` carry ``active_mentees`` and
    ``person.household``. Pure: no queries."""
    load = {m.pk: m.active_mentees for m in mentors}
    free = {m.pk: max(0, m.capacity - m.active_mentees) for m in mentors}
    mentor_persons = {m.person_id for m in mentors}
    suggestions: list[Suggestion] = []
    matched: set[UUID] = set()

    def village_of(p: Person) -> UUID | None:
        return p.household.village_id

    def pick(person: Person, candidates: list[Mentor]) -> tuple[Mentor, bool] | None:
        best: tuple[tuple[int, int, str], Mentor, bool] | None = None
        for m in candidates:
            if free[m.pk] <= 0 or m.person_id == person.pk:
                continue
            shared = bool(person.ethnicity) and person.ethnicity in (m.languages or [])
            key = (0 if shared else 1, load[m.pk], str(m.pk))
            if best is None or key < best[0]:
                best = (key, m, shared)
        return (best[1], best[2]) if best is not None else None

    by_village: dict[UUID | None, list[Mentor]] = defaultdict(list)
    for m in mentors:
        by_village[village_of(m.person)].append(m)
    for level in ("village", "commune"):
        for person in people:
            if person.pk in matched or person.pk in mentor_persons:
                continue
            if level == "village":
                village = village_of(person)
                if village is None:
                    continue
                candidates = by_village.get(village, [])
            else:
                candidates = mentors
            chosen = pick(person, candidates)
            if chosen is None:
                continue
            mentor, shared = chosen
            free[mentor.pk] -= 1
            load[mentor.pk] += 1
            matched.add(person.pk)
            suggestions.append(Suggestion(person, mentor, level, shared))
    return suggestions


def match_suggest(
    *, actor: Any, commune: Commune, today: dt.date | None = None
) -> list[Suggestion]:
    """Suggested mentor for each person who needs one (module docstring): three queries."""
    ensure_commune(actor, commune.code)
    if not can_edit_commune(actor, commune.code):
        raise NotFound()
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    mentors = list(
        _with_counts(
            Mentor.objects.filter(commune=commune, active=True).select_related(
                "person__household__village"
            )
        ).order_by("pk")
    )
    if not mentors:
        return []
    return match_compute(list(needing_help(commune, today)), mentors)


def mentorship_get(actor: Any, mentorship_id: Any) -> Mentorship:
    """A mentorship of a commune the actor keeps (to end it); not-found otherwise."""
    ship = one(Mentorship.objects.select_related("mentor"), mentorship_id)
    ensure(can_edit_commune(actor, ship.mentor.commune_id))
    return ship


PICK_LIMIT = 20


def people_to_pick(actor: Any, commune: Commune, q: str) -> list[Person]:
    """People of ``commune`` the actor sees whose name matches ``q``, for the "add a mentor"
    picker (the registry's name search: at most :data:`PICK_LIMIT`)."""
    return registry_selectors.people_by_name(actor=actor, commune=commune, q=q, limit=PICK_LIMIT)


def commune_person(actor: Any, commune: Commune, person_id: Any) -> Person | None:
    """A person of ``commune`` the actor sees (to make them a mentor), or ``None``: the form
    says "no such person in this commune"."""
    try:
        return one(Person.objects.filter(person_q(actor), commune=commune), person_id)
    except NotFound:
        return None
