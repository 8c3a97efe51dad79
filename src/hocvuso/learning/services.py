"""Writes of online learning: loading course files, progress events, the quiz and completion.

Progress is append-only (:class:`~hocvuso.learning.models.LearningEvent`, idempotent on the
client's id) and the enrolment's state is derived from it in the same transaction. The server
alone decides what is open: step ``n`` of a course (counted across its lessons) can be done only
when the ``n`` steps before it are, the quiz only when every step is, a new attempt only after
the course's wait following a failed one. A request for something locked is refused, whether it
comes from a page, the API, a stale tab or a replay; a replay of a stored event changes nothing.

Passing the quiz completes the course in the same transaction: the completed event, the skill
events it grants (channel ``online_course``, through the skills services, so every dashboard
counts them at once) and the certificate (:mod:`hocvuso.learning.certificates`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.learning import (
    can_confirm_practical,
    can_edit_content,
    can_load_courses,
    learner_person_id,
    may_learn,
    may_record_course_skills,
)
from hocvuso.core import hooks
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, ensure
from hocvuso.core.ids import IdScheme, derived_id
from hocvuso.geo.models import Commune
from hocvuso.learning import content as content_files
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
    VersionStatus,
)
from hocvuso.learning.tasks import film_version, speak_version
from hocvuso.registry.models import Person
from hocvuso.skills.models import Channel, Skill, SkillArea, SkillEvent
from hocvuso.skills.services import EventInput, skill_events_record_batch

MAX_STEP_SECONDS = 3600  # time spent on one step, as the client reports it, is capped here


# --- Loading course files -------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    course: Course
    version: CourseVersion
    new: bool  # a new version was stored (the file changed)


@transaction.atomic
def courses_load(*, actor: Any, directory: Path | None = None) -> list[Loaded]:
    """Load every course file of ``directory`` (the shipped courses by default). All files are
    checked first: one invalid file refuses the whole load (``ContentInvalid`` lists every
    problem with its file and line) and nothing is written. A file whose text changed becomes a
    new version (numbered after the last); a published version becomes the course's current
    one; an unchanged file writes nothing."""
    ensure(can_load_courses(actor))
    skills = set(Skill.objects.filter(is_active=True).values_list("code", flat=True))
    areas = set(SkillArea.objects.values_list("code", flat=True))
    parsed: list[tuple[str, dict[str, Any]]] = []
    problems: list[content_files.Problem] = []
    for path in content_files.course_files(directory):
        text = path.read_text(encoding="utf-8")
        try:
            parsed.append(
                (
                    content_files.digest_of(text),
                    content_files.parse_course(path.name, text, skills=skills, areas=areas),
                )
            )
        except content_files.ContentInvalid as exc:
            problems.extend(exc.problems)
    if problems:
        raise content_files.ContentInvalid(problems)
    return [_store(actor, digest, data, data["status"]) for digest, data in parsed]


def _store(actor: Any, digest: str, data: dict[str, Any], status: str) -> Loaded:
    """One parsed course file as a version (unchanged text: the version already stored)."""
    course, _created = Course.objects.get_or_create(
        code=data["code"],
        defaults={"title": data["title"], "area": data["area"], "order": data["order"]},
    )
    existing = CourseVersion.objects.filter(course=course, digest=digest).first()
    if existing is not None:
        return Loaded(course, existing, False)
    last = course.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = CourseVersion.objects.create(
        course=course,
        number=last + 1,
        status=VersionStatus.DRAFT,
        digest=digest,
        content=data,
        steps=content_files.step_count(data),
    )
    audit_record(
        actor=actor,
        action=AuditAction.COURSE_LOAD,
        obj=version,
        changes={"course": course.code, "version": version.number, "status": status},
    )
    if status == VersionStatus.PUBLISHED:
        _publish(actor, version)
    return Loaded(course, version, True)


def _publish(actor: Any, version: CourseVersion) -> None:
    data = version.content
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at", "updated_at"])
    course = version.course
    course.current = version
    course.title, course.area, course.order = data["title"], data["area"], data["order"]
    course.save(update_fields=["current", "title", "area", "order", "updated_at"])
    transaction.on_commit(partial(speak_version.enqueue, str(version.pk)))
    transaction.on_commit(partial(film_version.enqueue, str(version.pk)))


@transaction.atomic
def course_version_submit(*, actor: Any, name: str, text: str) -> Loaded:
    """A content editor's course file (edited on the content page): checked like a file of the
    repository (``ContentInvalid`` names every problem with its line), stored as a **draft**
    version; publishing it is a second, deliberate step. The same text again stores nothing."""
    ensure(can_edit_content(actor))
    skills = set(Skill.objects.filter(is_active=True).values_list("code", flat=True))
    areas = set(SkillArea.objects.values_list("code", flat=True))
    data = content_files.parse_course(name, text, skills=skills, areas=areas)
    return _store(actor, content_files.digest_of(text), data, VersionStatus.DRAFT)


@transaction.atomic
def course_version_publish(*, actor: Any, version: CourseVersion) -> CourseVersion:
    """Publish a draft: it becomes the version new learners start (audited); learners already
    on an earlier version keep theirs."""
    ensure(can_edit_content(actor))
    if version.status == VersionStatus.PUBLISHED:
        return version
    _publish(actor, version)
    audit_record(
        actor=actor,
        action=AuditAction.COURSE_PUBLISH,
        obj=version,
        changes={"course": version.course.code, "version": version.number},
    )
    return version


# --- Progress --------------------------------------------------------------------------------


def _own_person(actor: Any) -> Person | None:
    """The registry person the learner's account is linked to (a citizen role), if any."""
    person_id = learner_person_id(actor)
    if person_id is None:
        return None
    return Person.objects.filter(pk=person_id, erased_at__isnull=True).first()


@transaction.atomic
def enrollment_start(*, actor: Any, course: Course, id: UUID) -> Enrollment:
    """Start ``course`` (its published version). Starting again returns the enrolment already
    made, on the version it names — a new version reaches only new learners."""
    ensure(may_learn(actor))
    existing = Enrollment.objects.filter(user=actor, course=course).first()
    if existing is not None:
        return existing
    if course.current_id is None:
        raise DomainError(LearningError.NOT_PUBLISHED, _("This course is not open yet."))
    person = _own_person(actor)
    enrollment = Enrollment.objects.create(
        user=actor,
        person=person,
        commune_id=person.commune_id if person else _unit_of(actor),
        course=course,
        version_id=course.current_id,
    )
    LearningEvent.objects.create(
        id=id, enrollment=enrollment, kind=EventKind.STARTED, by=actor, at=timezone.now()
    )
    if enrollment.commune_id:
        hooks.network_changed.send(communes=[enrollment.commune_id])
    return enrollment


def _unit_of(actor: Any) -> str | None:
    """The commune an account linked to no person says it lives in (None: not chosen yet)."""
    return LearnerUnit.objects.filter(user=actor).values_list("commune_id", flat=True).first()


def _recount_moved(user: Any, person: Person | None, commune_id: str | None) -> list[str]:
    """Move the account's enrolments that name no person (and their certificates) to
    ``person`` / ``commune_id``; the communes whose figures change."""
    moved = Enrollment.objects.filter(user=user, person__isnull=True)
    before = set(moved.exclude(commune_id=commune_id).values_list("commune_id", flat=True))
    if not before and (person is None or not moved.exists()):
        return []
    certs = Certificate.objects.filter(enrollment__in=moved)
    certs.update(person=person, commune_id=commune_id)
    moved.update(person=person, commune_id=commune_id, updated_at=timezone.now())
    return sorted(c for c in before | {commune_id} if c)


@transaction.atomic
def learner_unit_set(*, actor: Any, commune: Commune) -> LearnerUnit:
    """The commune or ward a learner linked to no registry person lives in (an official, current
    unit). Their enrolments and certificates count in its figures; changing it later moves
    them (it corrects where they live: they have no registry record that says so). An account
    linked to a person counts where the person lives, so the choice is stored but changes
    nothing of its figures."""
    ensure(may_learn(actor))
    if commune.retired_at is not None:
        raise DomainError(
            CoreError.INVALID, _("This unit no longer exists: choose the current one."), "commune"
        )
    unit, _created = LearnerUnit.objects.update_or_create(user=actor, defaults={"commune": commune})
    if _own_person(actor) is None:
        communes = _recount_moved(actor, None, commune.code)
        if communes:
            hooks.network_changed.send(communes=communes)
    return unit


def on_citizen_linked(*, user: Any, person: Person, **_: Any) -> None:
    """Hook receiver: an account was linked to its registry person; what it learnt before
    counts from now on where the person lives (the person's commune wins over the one chosen)."""
    communes = _recount_moved(user, person, person.commune_id)
    if communes:
        hooks.network_changed.send(communes=communes)


_EVENT_COLUMNS = (
    "id",
    "enrollment",
    "kind",
    "step",
    "answers",
    "score",
    "passed",
    "seconds",
    "by",
    "at",
)


def _insert_event(values: dict[str, Any]) -> bool:
    """``INSERT … ON CONFLICT (id) DO NOTHING``: one statement; False when the id is stored."""
    meta = LearningEvent._meta
    fields: list[Any] = [meta.get_field(name) for name in _EVENT_COLUMNS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    params = [f.get_db_prep_save(values.get(f.name), connection) for f in fields]
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT (id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount == 1


def _locked(message: str, field: str | None = None) -> DomainError:
    return DomainError(LearningError.LOCKED, message, field)


def _same_event(id: UUID, enrollment: Enrollment, kind: str, step: int | None) -> bool:
    stored = (
        LearningEvent.objects.filter(pk=id).values_list("enrollment_id", "kind", "step").first()
    )
    if stored is None:
        return False
    if stored != (enrollment.pk, kind, step):
        raise DomainError(
            CoreError.EVENT_CONFLICT,
            _("Another record with this identifier is already stored."),
            "id",
        )
    return True


@dataclass
class StepResult:
    enrollment: Enrollment
    stored: bool  # False: a replay, or a step already done (nothing changed)
    steps: int  # the steps of the enrolment's version


@transaction.atomic
def step_done(
    *, actor: Any, enrollment: Enrollment, id: UUID, step: int, seconds: int = 0
) -> StepResult:
    """The learner finished step ``step`` (0-based, counted across the course's lessons).
    Three statements: the enrolment read and locked, the event inserted (or found stored),
    the enrolment's position moved on."""
    ensure(enrollment.user_id == getattr(actor, "pk", None))
    row = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(pk=enrollment.pk)
        .values_list("steps_done", "version__steps")
        .get()
    )
    done, total = row
    enrollment.steps_done = done
    if step < 0 or step >= total:
        raise DomainError(CoreError.INVALID, _("This step does not exist."), "step")
    if step > done:
        if _same_event(id, enrollment, EventKind.STEP_DONE, step):
            return StepResult(enrollment, False, total)
        raise _locked(_("This step is not open yet: finish the steps before it."), "step")
    if step < done:  # done already (a replay, or a stale tab): nothing to store
        _same_event(id, enrollment, EventKind.STEP_DONE, step)
        return StepResult(enrollment, False, total)
    seconds = max(0, min(int(seconds), MAX_STEP_SECONDS))
    values = {
        "id": id,
        "enrollment": enrollment.pk,
        "kind": EventKind.STEP_DONE,
        "step": step,
        "seconds": seconds,
        "by": actor.pk,
        "at": timezone.now(),
    }
    if not _insert_event(values):
        _same_event(id, enrollment, EventKind.STEP_DONE, step)
        return StepResult(enrollment, False, total)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        steps_done=done + 1, seconds=F("seconds") + seconds, updated_at=values["at"]
    )
    enrollment.steps_done = done + 1
    enrollment.seconds += seconds
    return StepResult(enrollment, True, total)


# --- The quiz and completion ----------------------------------------------------------------


def score_answers(questions: list[dict[str, Any]], answers: list[list[int]]) -> int:
    """Questions answered exactly right: the chosen set for choice questions, the sequence for
    ordering ones. ``answers`` must give one list of choice indices per question."""
    if not isinstance(answers, list) or len(answers) != len(questions):
        raise DomainError(LearningError.BAD_ANSWERS, _("Answer every question."), "answers")
    score = 0
    for number, (q, given) in enumerate(zip(questions, answers, strict=True), 1):
        n = len(q["choices"])
        if not isinstance(given, list) or not all(isinstance(i, int) and 0 <= i < n for i in given):
            raise DomainError(
                LearningError.BAD_ANSWERS,
                _("Question %(n)s: choose among its answers.") % {"n": number},
                "answers",
            )
        if q["kind"] == "order":
            if sorted(given) != list(range(n)):
                raise DomainError(
                    LearningError.BAD_ANSWERS,
                    _("Question %(n)s: put every step in order.") % {"n": number},
                    "answers",
                )
            score += given == q["answer"]
        elif q["kind"] == "single":
            if len(given) != 1:
                raise DomainError(
                    LearningError.BAD_ANSWERS,
                    _("Question %(n)s: choose one answer.") % {"n": number},
                    "answers",
                )
            score += given == q["answer"]
        else:
            score += sorted(set(given)) == sorted(q["answer"])
    return score


def retry_at(enrollment: Enrollment) -> dt.datetime | None:
    """When the learner may try the quiz again after a failed attempt (None: now)."""
    if enrollment.passed or enrollment.last_attempt_at is None:
        return None
    wait = dt.timedelta(minutes=enrollment.version.content["retry_wait_minutes"])
    at = enrollment.last_attempt_at + wait
    return at if at > timezone.now() else None


@dataclass
class AttemptResult:
    enrollment: Enrollment
    event: LearningEvent
    replayed: bool
    completed: bool  # this attempt passed and completed the course


@transaction.atomic
def quiz_attempt(
    *, actor: Any, enrollment: Enrollment, id: UUID, answers: list[list[int]]
) -> AttemptResult:
    """Score an attempt at the course's quiz. Refused while a step is left (``locked``), after
    the course is passed (``already_passed``) and within the wait after a failed attempt
    (``retry_wait``). A pass completes the course in this transaction."""
    ensure(enrollment.user_id == getattr(actor, "pk", None))
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("version", "course", "person")
        .get(pk=enrollment.pk)
    )
    stored = LearningEvent.objects.filter(pk=id).first()
    if stored is not None:
        if (
            stored.enrollment_id != enrollment.pk
            or stored.kind != EventKind.QUIZ_ATTEMPT
            or (stored.answers != answers)
        ):
            raise DomainError(
                CoreError.EVENT_CONFLICT,
                _("Another record with this identifier is already stored."),
                "id",
            )
        return AttemptResult(enrollment, stored, True, False)
    if enrollment.steps_done < enrollment.version.steps:
        raise _locked(_("The quiz opens when every lesson is done."))
    if enrollment.passed:
        raise DomainError(LearningError.ALREADY_PASSED, _("You have already passed this course."))
    wait_until = retry_at(enrollment)
    if wait_until is not None:
        raise DomainError(
            LearningError.RETRY_WAIT,
            _("You can try again at %(time)s.")
            % {"time": timezone.localtime(wait_until).strftime("%H:%M")},
        )
    content = enrollment.version.content
    score = score_answers(content["quiz"]["questions"], answers)
    passed = score >= content["pass_mark"]
    now = timezone.now()
    event = LearningEvent.objects.create(
        id=id,
        enrollment=enrollment,
        kind=EventKind.QUIZ_ATTEMPT,
        answers=answers,
        score=score,
        passed=passed,
        by=actor,
        at=now,
    )
    enrollment.attempts += 1
    enrollment.best_score = max(enrollment.best_score, score)
    enrollment.last_attempt_at = now
    fields = ["attempts", "best_score", "last_attempt_at", "updated_at"]
    if passed:
        enrollment.passed = True
        enrollment.completed_at = now
        fields += ["passed", "completed_at"]
    enrollment.save(update_fields=fields)
    if passed:
        _complete(actor, enrollment, now)
    return AttemptResult(enrollment, event, False, passed)


def attempt_stored(*, enrollment: Enrollment, id: UUID) -> LearningEvent | None:
    """The attempt already stored under ``id`` for this enrolment (a replayed form), if any."""
    return LearningEvent.objects.filter(
        pk=id, enrollment=enrollment, kind=EventKind.QUIZ_ATTEMPT
    ).first()


def completion_event_ids(enrollment: Enrollment, codes: list[str]) -> dict[str, UUID]:
    """The ids of the skill events a completion records (derived: a retry records nothing twice)."""
    return {code: derived_id(IdScheme.HASHED, "learning", enrollment.pk, code) for code in codes}


def _complete(actor: Any, enrollment: Enrollment, now: dt.datetime) -> list[SkillEvent]:
    """The completed event, the skill events the course grants and the certificate."""
    from hocvuso.learning.certificates import certificate_issue

    LearningEvent.objects.create(
        id=derived_id(IdScheme.HASHED, "learning", enrollment.pk, "completed"),
        enrollment=enrollment,
        kind=EventKind.COMPLETED,
        by=actor,
        at=now,
    )
    events: list[SkillEvent] = []
    person = enrollment.person
    if person is not None and person.erased_at is None:
        codes = enrollment.version.content["skills"]
        ids = completion_event_ids(enrollment, codes)
        skills = {s.code: s for s in Skill.objects.filter(code__in=codes, is_active=True)}
        events = skill_events_record_batch(
            actor=actor,
            events=[
                EventInput(
                    id=ids[code],
                    person=person,
                    skill=skills[code],
                    happened_on=timezone.localdate(now),
                    channel=Channel.ONLINE_COURSE,
                    note=enrollment.course.code,
                )
                for code in codes
                if code in skills
            ],
            allowed=may_record_course_skills,
        )
    certificate_issue(actor=actor, enrollment=enrollment, events=events, at=now)
    if enrollment.commune_id:
        hooks.network_changed.send(communes=[enrollment.commune_id])
    return events


# --- The diagnostic ---------------------------------------------------------------------------


@transaction.atomic
def diagnostic_record(*, actor: Any, id: UUID, answers: dict[str, bool]) -> Diagnostic:
    """Store a self-assessment (idempotent on ``id``). Every question must be answered."""
    ensure(may_learn(actor))
    stored = Diagnostic.objects.filter(pk=id).first()
    if stored is not None:
        if stored.user_id != actor.pk or stored.answers != answers:
            raise DomainError(
                CoreError.EVENT_CONFLICT,
                _("Another record with this identifier is already stored."),
                "id",
            )
        return stored
    items = content_files.diagnostic_items()
    asked = {i["skill"] for i in items}
    if set(answers) != asked or not all(isinstance(v, bool) for v in answers.values()):
        raise DomainError(CoreError.REQUIRED, _("Answer every question."), "answers")
    person = _own_person(actor)
    return Diagnostic.objects.create(
        id=id, user=actor, person=person, answers=answers, taken_at=timezone.now()
    )


# --- A helper confirms a practical step -------------------------------------------------------


@transaction.atomic
def practical_confirm(*, actor: Any, enrollment: Enrollment, step: int, id: UUID) -> LearningEvent:
    """A helper of the learner confirms they did practical step ``step`` (one that asks for a
    helper's confirmation, and that the learner has marked done). Idempotent: the same id, or
    a step already confirmed, returns the stored confirmation."""
    person = enrollment.person
    ensure(can_confirm_practical(actor, person))
    stored = LearningEvent.objects.filter(pk=id).first()
    if stored is not None:
        if (stored.enrollment_id, stored.kind, stored.step) != (
            enrollment.pk,
            EventKind.STEP_CONFIRMED,
            step,
        ):
            raise DomainError(
                CoreError.EVENT_CONFLICT,
                _("Another record with this identifier is already stored."),
                "id",
            )
        return stored
    steps = [s for lesson in enrollment.version.content["lessons"] for s in lesson["steps"]]
    if not 0 <= step < len(steps) or not steps[step]["helper_confirm"]:
        raise DomainError(CoreError.INVALID, _("This step is not one a helper confirms."), "step")
    if step >= enrollment.steps_done:
        raise _locked(_("The learner has not done this step yet."), "step")
    already = LearningEvent.objects.filter(
        enrollment=enrollment, kind=EventKind.STEP_CONFIRMED, step=step
    ).first()
    if already is not None:
        return already
    return LearningEvent.objects.create(
        id=id,
        enrollment=enrollment,
        kind=EventKind.STEP_CONFIRMED,
        step=step,
        by=actor,
        at=timezone.now(),
    )
