"""The learning API: /api/v1/learning/…

A learner's own courses: start, open a lesson, mark a step done, take the quiz. Progress writes
carry the client's UUID v7, so a resend after a lost answer is stored once. Whatever is locked —
a lesson after an unfinished one, the quiz before the last step, a new attempt within the wait —
answers 409 ``locked`` / ``already_passed`` or 429 ``retry_wait``, whoever asks and however.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.core.schemas import ErrorOut
from hocvuso.geo import selectors as geo_selectors
from hocvuso.learning import selectors, services, video
from hocvuso.learning.models import Enrollment

router = Router(tags=["learning"])


class CourseOut(Schema):
    code: str
    title: str
    summary: str
    area: str
    version: int
    lessons: int
    steps: int
    skills: list[str]
    started: bool
    steps_done: int
    passed: bool


class StepOut(Schema):
    index: int = Field(description="Course-wide step index (0-based): what POST /steps takes")
    title: str
    kind: str
    html: str
    speech: str
    helper_confirm: bool
    done: bool
    video: str | None = Field(None, description="A narrated video step's MP4, once made")
    captions: str | None = Field(None, description="Its WebVTT captions")


def _step_out(index: int, step: dict[str, Any], done: int) -> StepOut:
    key = video.ready_key(step)
    return StepOut(
        index=index,
        title=step["title"],
        kind=step["kind"],
        html=step["html"],
        speech=step["speech"],
        helper_confirm=step["helper_confirm"],
        done=index < done,
        video=reverse("learning:video", args=[key]) if key else None,
        captions=reverse("learning:captions", args=[key]) if key else None,
    )


class LessonOut(Schema):
    number: int
    title: str
    open: bool
    done: bool
    steps: list[StepOut] | None = Field(None, description="Only for an open lesson")


class CourseDetailOut(CourseOut):
    lesson_list: list[LessonOut]
    quiz_open: bool
    retry_at: dt.datetime | None


class StartIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7): the 'started' event")


class StepIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7): sending it again is safe")
    step: int = Field(description="Course-wide step index (0-based)")
    seconds: int = Field(0, description="Time spent on the step (capped at one hour)")


class ProgressOut(Schema):
    steps_done: int
    steps: int
    stored: bool = Field(description="False for a replay or a step already done")
    quiz_open: bool


class QuestionOut(Schema):
    prompt: str
    kind: str = Field(description="single, multiple or order")
    choices: list[str]


class AttemptIn(Schema):
    id: UUID = Field(description="Made by the client (UUID v7)")
    answers: list[list[int]] = Field(
        description="Per question: the chosen choice indices (order: the indices in order)"
    )


class AttemptOut(Schema):
    score: int
    questions: int
    passed: bool
    replayed: bool
    certificate_id: UUID | None
    retry_at: dt.datetime | None


class LearnerUnitIn(Schema):
    commune: str = Field(description="Official code of the commune or ward (5 digits)")


class LearnerUnitOut(Schema):
    commune: str | None = Field(description="The commune or ward chosen (None: not chosen)")
    linked: bool = Field(description="Linked to a registry person: the person's commune counts")
    counted_in: str | None = Field(description="Where the learner's figures count")


def _unit_out(request: HttpRequest) -> LearnerUnitOut:
    mine = selectors.my_unit(request.user)
    return LearnerUnitOut(
        commune=mine.commune.code if mine.commune else None,
        linked=mine.linked,
        counted_in=mine.counted_in.code if mine.counted_in else None,
    )


@router.get("/unit", response=LearnerUnitOut, url_name="learning_unit")
def unit_get(request: HttpRequest) -> LearnerUnitOut:
    """Where the learner's courses and certificates count."""
    return _unit_out(request)


@router.post(
    "/unit/choice",
    response={200: LearnerUnitOut, 404: ErrorOut, 422: ErrorOut},
    url_name="learning_unit_choose",
)
def unit_set(request: HttpRequest, payload: LearnerUnitIn) -> LearnerUnitOut:
    """Choose (or change) the commune or ward an account linked to no person lives in."""
    commune = geo_selectors.commune_get(code=payload.commune)
    services.learner_unit_set(actor=request.user, commune=commune)
    return _unit_out(request)


def _course_out(course: Any, enrollment: Enrollment | None) -> dict[str, Any]:
    content = (
        selectors.published(course).content if enrollment is None else enrollment.version.content
    )
    return {
        "code": course.code,
        "title": content["title"],
        "summary": content.get("summary", ""),
        "area": content["area"],
        "version": (enrollment.version if enrollment else selectors.published(course)).number,
        "lessons": len(content["lessons"]),
        "steps": (enrollment.version if enrollment else selectors.published(course)).steps,
        "skills": content["skills"],
        "started": enrollment is not None,
        "steps_done": enrollment.steps_done if enrollment else 0,
        "passed": bool(enrollment and enrollment.passed),
    }


@router.get("/courses", response=list[CourseOut], url_name="learning_courses")
def course_list(request: HttpRequest) -> list[CourseOut]:
    mine = selectors.my_enrollments(request.user)
    return [CourseOut(**_course_out(c, mine.get(c.pk))) for c in selectors.course_list()]


def _detail(course: Any, enrollment: Enrollment | None) -> CourseDetailOut:
    content = enrollment.version.content if enrollment else selectors.published(course).content
    state = selectors.quiz_state(enrollment)
    done = enrollment.steps_done if enrollment else 0
    lesson_list = []
    for view in selectors.lessons(enrollment, content):
        steps = None
        if view.open:
            steps = [_step_out(view.first_step + i, s, done) for i, s in enumerate(view.steps)]
        lesson_list.append(
            LessonOut(
                number=view.number, title=view.title, open=view.open, done=view.done, steps=steps
            )
        )
    return CourseDetailOut(
        **_course_out(course, enrollment),
        lesson_list=lesson_list,
        quiz_open=state.open,
        retry_at=state.retry_at,
    )


@router.get(
    "/courses/{code}", response={200: CourseDetailOut, 404: ErrorOut}, url_name="learning_course"
)
def course_detail(request: HttpRequest, code: str) -> CourseDetailOut:
    course = selectors.course_get(code)
    return _detail(course, selectors.my_enrollment(request.user, course))


@router.post(
    "/courses/{code}/start",
    response={200: CourseDetailOut, 404: ErrorOut, 422: ErrorOut},
    url_name="learning_start",
)
def course_start(request: HttpRequest, code: str, payload: StartIn) -> CourseDetailOut:
    course = selectors.course_get(code)
    services.enrollment_start(actor=request.user, course=course, id=payload.id)
    return _detail(course, selectors.my_enrollment(request.user, course))


@router.get(
    "/courses/{code}/lessons/{number}",
    response={200: LessonOut, 404: ErrorOut, 409: ErrorOut},
    url_name="learning_lesson",
)
def lesson_detail(request: HttpRequest, code: str, number: int) -> LessonOut:
    course = selectors.course_get(code)
    enrollment = selectors.my_enrollment(request.user, course)
    view = selectors.lesson_get(enrollment, number)
    done = enrollment.steps_done if enrollment else 0
    return LessonOut(
        number=view.number,
        title=view.title,
        open=True,
        done=view.done,
        steps=[_step_out(view.first_step + i, s, done) for i, s in enumerate(view.steps)],
    )


@router.post(
    "/courses/{code}/steps",
    response={200: ProgressOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="learning_step",
)
def step_done(request: HttpRequest, code: str, payload: StepIn) -> ProgressOut:
    enrollment = selectors.my_enrollment_for_write(request.user, code)
    result = services.step_done(
        actor=request.user,
        enrollment=enrollment,
        id=payload.id,
        step=payload.step,
        seconds=payload.seconds,
    )
    total = result.steps
    return ProgressOut(
        steps_done=result.enrollment.steps_done,
        steps=total,
        stored=result.stored,
        quiz_open=result.enrollment.steps_done == total,
    )


@router.get(
    "/courses/{code}/quiz",
    response={200: list[QuestionOut], 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    url_name="learning_quiz",
)
def quiz(request: HttpRequest, code: str) -> list[QuestionOut]:
    course = selectors.course_get(code)
    questions = selectors.quiz_get(selectors.my_enrollment(request.user, course))
    return [
        QuestionOut(prompt=q["prompt"], kind=q["kind"], choices=[c["text"] for c in q["choices"]])
        for q in questions
    ]


@router.post(
    "/courses/{code}/attempts",
    response={201: AttemptOut, 200: AttemptOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
              429: ErrorOut},
    url_name="learning_attempt",
)  # fmt: skip
def attempt(request: HttpRequest, code: str, payload: AttemptIn) -> Status[AttemptOut]:
    enrollment = selectors.my_enrollment_for_write(request.user, code)
    result = services.quiz_attempt(
        actor=request.user, enrollment=enrollment, id=payload.id, answers=payload.answers
    )
    e = result.enrollment
    cert = getattr(e, "certificate", None) if e.passed else None
    return Status(
        200 if result.replayed else 201,
        AttemptOut(
            score=result.event.score or 0,
            questions=len(e.version.content["quiz"]["questions"]),
            passed=bool(result.event.passed),
            replayed=result.replayed,
            certificate_id=cert.pk if cert else None,
            retry_at=services.retry_at(e),
        ),
    )
