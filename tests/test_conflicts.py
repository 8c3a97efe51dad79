"""Conflicts answer 409, decided by the error's kind alone: every code of kind ``conflict`` in
every app's errors module maps to 409, and every endpoint that documents a 409 really answers
it, with the right code, when the conflict is made to happen."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

import hocvuso
from hocvuso.config.api import domain_error
from hocvuso.core.errors import Code, DomainError, Kind
from hocvuso.core.ids import uuid7
from tests.factories import login, make_user, record

pytestmark = pytest.mark.django_db

YESTERDAY = (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def every_code() -> list[Code]:
    codes: list[Code] = []
    for info in pkgutil.iter_modules(hocvuso.__path__):
        try:
            module = importlib.import_module(f"hocvuso.{info.name}.errors")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, Code)
                and obj is not Code
                and obj.__module__ == module.__name__
            ):
                codes.extend(obj)
    return codes


def test_every_conflict_code_of_every_app_answers_409():
    conflicts = [c for c in every_code() if c.kind is Kind.CONFLICT]
    assert len(conflicts) >= 17  # a module of codes not found would show here
    assert {"event_conflict", "class_full", "check_closed", "household_taken"} <= set(conflicts)
    request = RequestFactory().post("/api/v1/x")
    for code in conflicts:
        response = domain_error(request, DomainError(code, "x"))
        assert response.status_code == 409, code
        assert json.loads(response.content)["code"] == code
    # And no other kind answers 409.
    for code in every_code():
        if code.kind is not Kind.CONFLICT:
            assert domain_error(request, DomainError(code, "x")).status_code != 409, code


def _json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _conflict(response: Any, code: str) -> None:
    assert response.status_code == 409, response.content
    assert response.json()["code"] == code


# --- Each endpoint that documents a 409, made to answer it -------------------------------------


def skills_event_record(w: Any) -> None:
    client = login(w.officer)
    body = {"id": str(uuid7()), "person_id": str(w.head.pk), "skill": "pay.qr",
            "happened_on": YESTERDAY, "channel": "home_visit"}  # fmt: skip
    assert _json(client, reverse("api:skills_event_record"), body).status_code == 201
    other = {**body, "skill": "bank.account"}  # the same id, other content
    _conflict(_json(client, reverse("api:skills_event_record"), other), "event_conflict")


def skills_event_reverse(w: Any) -> None:
    client = login(w.officer)
    event = record(w.officer, w.head, "vneid.install")
    url = reverse("api:skills_event_reverse", args=[event.pk])
    assert _json(client, url, {"id": str(uuid7()), "reason": "Nhầm"}).status_code == 201
    _conflict(_json(client, url, {"id": str(uuid7()), "reason": "Nhầm"}), "already_reversed")


def checks_outcome(w: Any) -> None:
    from hocvuso.skills.checks import check_round_draw

    record(w.desk, w.head, "bank.account", helped_by=w.desk)
    rnd = check_round_draw(
        actor=w.officer, commune=w.commune, period_from=dt.date(2025, 1, 1),
        period_to=timezone.localdate(), percent=Decimal(100), seed=1,
    )  # fmt: skip
    client = login(w.officer)
    url = reverse("api:checks_outcome", args=[rnd.checks.get().pk])
    assert _json(client, url, {"outcome": "not_confirmed"}).status_code == 200
    _conflict(_json(client, url, {"outcome": "confirmed"}), "check_closed")


def desk_visit_record(w: Any) -> None:
    client = login(w.desk)
    body = {"id": str(uuid7()), "commune": w.commune.code, "person_id": str(w.head.pk),
            "procedure": "bhyt", "outcome": "done_alone",
            "happened_at": timezone.now().isoformat()}  # fmt: skip
    assert _json(client, reverse("api:desk_visit_record"), body).status_code == 201
    other = {**body, "outcome": "not_done"}
    _conflict(_json(client, reverse("api:desk_visit_record"), other), "event_conflict")


def _team(w: Any) -> Any:
    from hocvuso.teams.services import team_create

    return team_create(actor=w.officer, commune=w.commune, name="Tổ 1", villages=[w.village])


def teams_claim(w: Any) -> None:
    team = _team(w)
    first = make_user("to.mot", "team_member", team=team)
    second = make_user("to.hai", "team_member", team=team)
    url = reverse("api:teams_claim", args=[team.pk])
    body = {"household_id": str(w.household.pk)}
    assert _json(login(first), url, body).status_code == 201
    assert _json(login(first), url, body).status_code == 200  # already theirs
    _conflict(_json(login(second), url, body), "household_taken")


def teams_visit_record(w: Any) -> None:
    team = _team(w)
    member = make_user("to.mot", "team_member", team=team)
    body = {"id": str(uuid7()), "team_id": str(team.pk), "household_id": str(w.household.pk),
            "visited_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "present": [{"person_id": str(w.head.pk), "gained": ["pay.qr"]}]}  # fmt: skip
    client = login(member)
    assert _json(client, reverse("api:teams_visit_record"), body).status_code == 201
    other = {**body, "note": "Khác"}
    _conflict(_json(client, reverse("api:teams_visit_record"), other), "event_conflict")


def mentoring_session_record(w: Any) -> None:
    from hocvuso.mentoring.services import mentor_create, mentorship_start

    mentor = mentor_create(actor=w.officer, person=w.member, user=make_user("daisu"))
    mentorship_start(actor=w.officer, mentor=mentor, mentee=w.head)
    client = login(mentor.user)
    body = {"id": str(uuid7()), "mentee_id": str(w.head.pk), "happened_on": YESTERDAY,
            "gained": ["vneid.install"]}  # fmt: skip
    assert _json(client, reverse("api:mentoring_session_record"), body).status_code == 201
    other = {**body, "note": "Khác"}
    _conflict(_json(client, reverse("api:mentoring_session_record"), other), "session_conflict")


def _class(w: Any, capacity: int = 10) -> Any:
    from hocvuso.classes.services import class_create
    from hocvuso.skills.models import Skill

    return class_create(
        actor=w.officer, commune=w.commune, title="Lớp VNeID", capacity=capacity,
        starts_at=timezone.now() - dt.timedelta(days=1),
        skills=list(Skill.objects.filter(code="vneid.install")),
    )  # fmt: skip


def classes_register(w: Any) -> None:
    klass = _class(w, capacity=1)
    client = login(w.officer)
    url = reverse("api:classes_register", args=[klass.pk])
    assert _json(client, url, {"id": str(uuid7()), "person_id": str(w.head.pk)}).status_code == 201
    full = {"id": str(uuid7()), "person_id": str(w.member.pk)}
    _conflict(_json(client, url, full), "class_full")


def classes_gains(w: Any) -> None:
    from hocvuso.classes.services import class_attendance_set, class_register, gain_uuid

    klass = _class(w)
    class_register(actor=w.officer, id=uuid7(), klass=klass, person=w.head)
    class_attendance_set(actor=w.officer, klass=klass, present=[w.head.pk])
    # A record already stored under the id the gain derives: same id, other content.
    record(w.officer, w.head, "vneid.install", id=gain_uuid(klass.pk, w.head.pk, "vneid.install"))
    url = reverse("api:classes_gains", args=[klass.pk])
    body = {"gains": [{"person_id": str(w.head.pk), "skill": "vneid.install"}]}
    _conflict(_json(login(w.officer), url, body), "event_conflict")


def outreach_guide_set(w: Any) -> None:
    from hocvuso.privacy.services import data_request_create, person_erase

    request = data_request_create(
        actor=w.officer, person=w.member, kind="erasure", channel="office"
    )
    person_erase(actor=w.officer, person=w.member, request=request)
    url = reverse("api:outreach_guide_set", args=[w.household.pk])
    _conflict(_json(login(w.officer), url, {"person_id": str(w.member.pk)}), "person_erased")


def _learner(w: Any) -> Any:
    """A citizen linked to the head, who has started the smartphone course (nothing done)."""
    from hocvuso.core.actors import SYSTEM
    from hocvuso.learning.selectors import course_get
    from hocvuso.learning.services import courses_load, enrollment_start

    courses_load(actor=SYSTEM)
    learner = make_user("hv_conflict", "citizen", person=w.head)
    enrollment_start(actor=learner, course=course_get("dien-thoai-an-toan"), id=uuid7())
    return login(learner)


LEARNING = "/api/v1/learning/courses/dien-thoai-an-toan"


def learning_lesson(w: Any) -> None:
    _conflict(_learner(w).get(f"{LEARNING}/lessons/2"), "locked")


def learning_step(w: Any) -> None:
    _conflict(_json(_learner(w), f"{LEARNING}/steps", {"id": str(uuid7()), "step": 3}), "locked")


def learning_quiz(w: Any) -> None:
    _conflict(_learner(w).get(f"{LEARNING}/quiz"), "locked")


def learning_attempt(w: Any) -> None:
    body = {"id": str(uuid7()), "answers": [[0], [1], [1], [0], [0, 1, 2]]}
    _conflict(_json(_learner(w), f"{LEARNING}/attempts", body), "locked")


def assistance_step(w: Any) -> None:
    """Two helpers take the same request for help: the second is told it is taken."""
    from hocvuso.assistance.services import help_request_ask

    citizen = make_user("dan_conflict", "citizen", person=w.head)
    asked = help_request_ask(actor=citizen, id=uuid7(), person=w.head, contact="desk", need="VNeID")
    url = f"/api/v1/assistance/requests/{asked.pk}/step"
    assert _json(login(w.officer), url, {"step": "take"}).status_code == 200
    other = make_user("motcua_conflict", "desk_staff", commune=w.commune)
    _conflict(_json(login(other), url, {"step": "take"}), "wrong_state")


def assistance_withdraw(w: Any) -> None:
    """The asker withdraws a request a helper has already answered: too late."""
    from hocvuso.assistance.services import help_request_answer, help_request_ask

    citizen = make_user("dan_withdraw", "citizen", person=w.head)
    asked = help_request_ask(actor=citizen, id=uuid7(), person=w.head, contact="desk", need="VNeID")
    help_request_answer(actor=w.officer, request=asked, answer="Đã gọi điện hướng dẫn")
    url = f"/api/v1/assistance/requests/{asked.pk}/withdraw"
    _conflict(_json(login(citizen), url, {}), "wrong_state")


TRIGGERS: dict[str, Callable[[Any], None]] = {
    "/api/v1/assistance/requests/{request_id}/step": assistance_step,
    "/api/v1/assistance/requests/{request_id}/withdraw": assistance_withdraw,
    "/api/v1/learning/courses/{code}/lessons/{number}": learning_lesson,
    "/api/v1/learning/courses/{code}/steps": learning_step,
    "/api/v1/learning/courses/{code}/quiz": learning_quiz,
    "/api/v1/learning/courses/{code}/attempts": learning_attempt,
    "/api/v1/skills/events": skills_event_record,
    "/api/v1/skills/events/{event_id}/reverse": skills_event_reverse,
    "/api/v1/skills/checks/items/{check_id}/outcome": checks_outcome,
    "/api/v1/desk/visits": desk_visit_record,
    "/api/v1/teams/{team_id}/claims": teams_claim,
    "/api/v1/teams/visits": teams_visit_record,
    "/api/v1/mentoring/sessions": mentoring_session_record,
    "/api/v1/classes/{class_id}/registrations": classes_register,
    "/api/v1/classes/{class_id}/gains": classes_gains,
    "/api/v1/outreach/households/{household_id}/guide": outreach_guide_set,
}


def test_every_endpoint_documenting_a_409_is_triggered_here(client, units):
    schema = client.get(reverse("api:openapi-json")).json()
    documented = {
        path
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if "409" in operation.get("responses", {})
    }
    assert documented == set(TRIGGERS)


class _World:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


@pytest.mark.parametrize("path", sorted(TRIGGERS))
def test_the_endpoint_answers_409_with_its_code(
    path, commune, village, household, head, member, officer, desk
):
    TRIGGERS[path](
        _World(
            commune=commune, village=village, household=household, head=head, member=member,
            officer=officer, desk=desk,
        )
    )  # fmt: skip
