"""Reads of online learning, each filtered by the policy (``access.learning``).

What is open to a learner is decided here and nowhere else in the pages and the API: a lesson is
open when every step before it is done (:func:`lesson_open`), the quiz when every step is done
and any wait after a failed attempt is over (:func:`quiz_state`). The services check the same
rule again under a lock when a progress write arrives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.learning import (
    enrollment_q,
    learner_person_id,
    may_learn,
    own_enrollment_q,
)
from hocvuso.core import counts
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.fetch import one
from hocvuso.learning.content import diagnostic_items, lesson_start
from hocvuso.learning.errors import LearningError
from hocvuso.learning.models import (
    Certificate,
    Course,
    CourseVersion,
    Diagnostic,
    Enrollment,
    EventKind,
    LearnerUnit,
    LearningEvent,
)
from hocvuso.learning.services import retry_at
from hocvuso.registry.models import Person
from hocvuso.skills.models import PersonSkillStatus


def course_list() -> QuerySet[Course]:
    """The published courses, in path order."""
    return Course.objects.filter(current__isnull=False).select_related("current")


def course_get(code: str) -> Course:
    course = course_list().filter(code=code).first()
    if course is None:
        raise NotFound()
    return course


def published(course: Course) -> CourseVersion:
    """The course's published version (``course_get`` returns only published courses)."""
    if course.current is None:
        raise NotFound()
    return course.current


def my_enrollments(actor: Any) -> dict[UUID, Enrollment]:
    """The actor's enrolments by course id."""
    if not may_learn(actor):
        return {}
    return {
        e.course_id: e
        for e in Enrollment.objects.filter(own_enrollment_q(actor)).select_related(
            "version", "certificate"
        )
    }


def my_enrollment(actor: Any, course: Course) -> Enrollment | None:
    if not may_learn(actor):
        return None
    return (
        Enrollment.objects.filter(own_enrollment_q(actor), course=course)
        .select_related("version", "course")
        .first()
    )


def my_enrollment_for_write(actor: Any, code: str) -> Enrollment:
    """The actor's enrolment in the published course ``code``, in one query and without the
    course's content (not found if they have not started it)."""
    enrollment = (
        Enrollment.objects.filter(
            own_enrollment_q(actor), course__code=code, course__current__isnull=False
        )
        .only("id", "user_id", "seconds", "steps_done", "course_id")
        .first()
    )
    if enrollment is None:
        raise NotFound()
    return enrollment


def lesson_open(enrollment: Enrollment | None, lesson: int) -> bool:
    """Lesson ``lesson`` (0-based) is open when every step of the lessons before it is done."""
    if enrollment is None:
        return False
    return lesson_start(enrollment.version.content, lesson) <= enrollment.steps_done


@dataclass(frozen=True)
class LessonView:
    number: int  # 1-based
    title: str
    open: bool
    done: bool
    first_step: int
    steps: list[dict[str, Any]]


def lessons(enrollment: Enrollment | None, content: dict[str, Any]) -> list[LessonView]:
    done = enrollment.steps_done if enrollment else -1
    out = []
    start = 0
    for i, lesson in enumerate(content["lessons"]):
        n = len(lesson["steps"])
        out.append(
            LessonView(
                number=i + 1,
                title=lesson["title"],
                open=enrollment is not None and start <= done,
                done=enrollment is not None and start + n <= done,
                first_step=start,
                steps=lesson["steps"],
            )
        )
        start += n
    return out


def lesson_get(enrollment: Enrollment | None, number: int) -> LessonView:
    """Lesson ``number`` (1-based) if it is open: ``locked`` otherwise (not started, or a step
    before it left), not found if there is no such lesson."""
    if enrollment is None:
        raise DomainError(LearningError.LOCKED, _("Start the course first."))
    views = lessons(enrollment, enrollment.version.content)
    if not 1 <= number <= len(views):
        raise NotFound()
    view = views[number - 1]
    if not view.open:
        raise DomainError(
            LearningError.LOCKED, _("This lesson opens when the lesson before it is done.")
        )
    return view


@dataclass(frozen=True)
class QuizState:
    open: bool
    passed: bool
    retry_at: dt.datetime | None
    steps_left: int


def quiz_state(enrollment: Enrollment | None) -> QuizState:
    if enrollment is None:
        return QuizState(False, False, None, -1)
    left = enrollment.version.steps - enrollment.steps_done
    wait = retry_at(enrollment)
    return QuizState(
        open=left == 0 and not enrollment.passed and wait is None,
        passed=enrollment.passed,
        retry_at=wait,
        steps_left=left,
    )


def quiz_get(enrollment: Enrollment | None) -> list[dict[str, Any]]:
    """The quiz's questions without their answers, when the quiz is open; ``locked``,
    ``already_passed`` or ``retry_wait`` otherwise."""
    state = quiz_state(enrollment)
    if enrollment is None or state.steps_left != 0:
        raise DomainError(LearningError.LOCKED, _("The quiz opens when every lesson is done."))
    if state.passed:
        raise DomainError(LearningError.ALREADY_PASSED, _("You have already passed this course."))
    if state.retry_at is not None:
        raise DomainError(
            LearningError.RETRY_WAIT,
            _("You can try again at %(time)s.")
            % {"time": timezone.localtime(state.retry_at).strftime("%H:%M")},
        )
    return [
        {"prompt": q["prompt"], "kind": q["kind"], "choices": q["choices"], "speech": q["speech"]}
        for q in enrollment.version.content["quiz"]["questions"]
    ]


# --- Certificates ---------------------------------------------------------------------------


def certificate_public(id: UUID) -> Certificate | None:
    """Any certificate, for the public verification page (shows the minimum)."""
    return Certificate.objects.select_related("course", "version").filter(pk=id).first()


def certificate_get(actor: Any, id: UUID) -> Certificate:
    """A certificate for its holder and for those who follow the holder's learning."""
    qs = Certificate.objects.select_related("course", "version", "enrollment")
    return one(qs.filter(enrollment_q(actor, prefix="enrollment__")), id)


# --- The diagnostic and the path ----------------------------------------------------------------


def diagnostic_questions() -> list[dict[str, str]]:
    return diagnostic_items()


@dataclass(frozen=True)
class MyUnit:
    commune: Any  # the chosen commune or ward (None: not chosen)
    linked: bool  # the account is linked to a registry person: the person's commune counts
    counted_in: Any  # the commune their learning counts in (None: nowhere yet)


def my_unit(actor: Any) -> MyUnit:
    """Where the actor's learning counts: their registry person's commune, or the commune or
    ward they chose (``LearnerUnit``) when the account is linked to no person."""
    if not may_learn(actor):
        return MyUnit(None, False, None)
    unit = LearnerUnit.objects.filter(user_id=actor.pk).select_related("commune__province")
    chosen = unit.first()
    commune = chosen.commune if chosen else None
    person_id = learner_person_id(actor)
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).select_related("commune__province").first()
        return MyUnit(commune, True, person.commune if person else None)
    return MyUnit(commune, False, commune)


def my_diagnostics(actor: Any, limit: int = 2) -> list[Diagnostic]:
    """The actor's latest self-assessments, newest first."""
    if not may_learn(actor):
        return []
    return list(Diagnostic.objects.filter(user_id=actor.pk).order_by("-taken_at")[:limit])


@dataclass(frozen=True)
class PathStep:
    course: Course
    missing: list[str]  # the skills of the course not held yet
    enrollment: Enrollment | None


@dataclass(frozen=True)
class LearningPath:
    steps: list[PathStep]  # the courses that fill the gaps, in order
    held: set[str]  # skills held (recorded in the registry, or answered "yes")
    uncovered: list[str]  # gaps no course teaches yet


def path_for(actor: Any) -> LearningPath | None:
    """The courses the actor needs, in path order, skipping those whose skills they already
    hold (their recorded skill status and their latest diagnostic) and those they passed.
    None until they take the diagnostic."""
    latest = my_diagnostics(actor, limit=1)
    if not latest:
        return None
    held = {code for code, yes in latest[0].answers.items() if yes}
    person_id = learner_person_id(actor)
    if person_id is not None:
        status = PersonSkillStatus.objects.filter(person_id=person_id).first()
        if status is not None:
            held |= set(status.skills)
    mine = my_enrollments(actor)
    steps: list[PathStep] = []
    taught: set[str] = set()
    for course in course_list().order_by("order", "code"):
        skills = published(course).content["skills"]
        taught |= set(skills)
        missing = [s for s in skills if s not in held]
        enrollment = mine.get(course.pk)
        if missing and not (enrollment and enrollment.passed):
            steps.append(PathStep(course, missing, enrollment))
    asked = [code for code, yes in latest[0].answers.items() if not yes]
    uncovered = [code for code in asked if code not in taught and code not in held]
    return LearningPath(steps, held, uncovered)


# --- Helpers and officers ----------------------------------------------------------------------


def person_enrollments(actor: Any, person: Any) -> list[Enrollment]:
    """A person's enrolments, for those who may see the person (the selector of the person
    has checked that already; the policy filter is applied again). Each carries
    ``practicals``: its steps a helper may confirm — ``(index, title, done, confirmed)``."""
    rows = list(
        Enrollment.objects.filter(enrollment_q(actor), person=person)
        .select_related("course", "version", "certificate")
        .order_by("course__order")
    )
    confirmed = set(
        LearningEvent.objects.filter(
            enrollment__in=rows, kind=EventKind.STEP_CONFIRMED
        ).values_list("enrollment_id", "step")
    )
    for e in rows:
        steps = [s for lesson in e.version.content["lessons"] for s in lesson["steps"]]
        e.practicals = [  # type: ignore[attr-defined]
            (i, s["title"], i < e.steps_done, (e.pk, i) in confirmed)
            for i, s in enumerate(steps)
            if s["helper_confirm"]
        ]
    return rows


def enrollment_of_person(actor: Any, person: Any, enrollment_id: Any) -> Enrollment:
    qs = Enrollment.objects.filter(enrollment_q(actor), person=person).select_related(
        "version", "person"
    )
    return one(qs, enrollment_id)


def commune_enrollments(actor: Any, commune: Any) -> QuerySet[Enrollment]:
    """The commune's enrolments (for its officers), newest first: the list a page is cut from
    (:func:`enrollment_rows` fetches what a page's rows show)."""
    return Enrollment.objects.filter(enrollment_q(actor), commune=commune).order_by(
        "-updated_at", "-pk"
    )


def enrollment_rows(ids: list[Any]) -> QuerySet[Enrollment]:
    """The enrolments ``ids`` (a page of :func:`commune_enrollments`) with their learner, course
    and certificate; each course version (its content is the whole course) fetched once for
    the page, not once a row."""
    return (
        Enrollment.objects.filter(pk__in=ids)
        .select_related("person", "course", "certificate")
        .prefetch_related("version")
    )


def commune_figures(commune_code: str) -> dict[str, int]:
    """The commune's learning figures, from the same definitions the dashboards count with."""
    from hocvuso.learning import figures

    held = counts.count("kpi.network", commune=commune_code)
    if held is not None:
        # the dashboards' commune row, kept current on every write (``core.counts``)
        return {k: held[k] for k in ("learners", "courses_completed", "certificates_valid")}
    return {
        "learners": figures.learners([commune_code]).get(commune_code, 0),
        "courses_completed": figures.courses_completed([commune_code]).get(commune_code, 0),
        "certificates_valid": figures.certificates_valid([commune_code]).get(commune_code, 0),
    }


# --- The content page ---------------------------------------------------------------------------


def content_courses() -> QuerySet[Course]:
    """Every course with its versions (drafts included), for the content editors."""
    versions = Prefetch("versions", queryset=CourseVersion.objects.order_by("-number"))
    return Course.objects.prefetch_related(versions).order_by("order", "code")


def version_get(id: Any) -> CourseVersion:
    return one(CourseVersion.objects.select_related("course"), id)
