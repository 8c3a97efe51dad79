"""Progress: events idempotent on the client's id; the server alone opens lessons and the quiz
(a locked lesson or quiz is refused by URL, by the API, from a stale tab and on a replay, and
nothing changes); the mastery rule with its wait; completion in one transaction with the skill
events and the certificate; three statements per progress write."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.errors import DomainError
from hocvuso.core.ids import uuid7
from hocvuso.learning import certificates
from hocvuso.learning.models import Certificate, Enrollment, LearningEvent
from hocvuso.learning.services import enrollment_start, quiz_attempt, step_done
from hocvuso.skills.models import PersonSkillStatus, SkillEvent
from tests.factories import db_fingerprint
from tests.learning.conftest import RIGHT, STEPS, WRONG_TWO

pytestmark = pytest.mark.django_db


def _start(learning):  # type: ignore[no-untyped-def]
    return enrollment_start(actor=learning.learner, course=learning.course, id=uuid7())


def _do_steps(learning, enrollment, upto):  # type: ignore[no-untyped-def]
    for step in range(enrollment.steps_done, upto):
        step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=step)


def _json(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_steps_run_in_order_and_a_step_ahead_is_refused(learning):
    enrollment = _start(learning)
    with pytest.raises(DomainError) as caught:
        step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=2)
    assert caught.value.code == "locked"
    assert LearningEvent.objects.filter(kind="step_done").count() == 0
    first = step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=0)
    assert (first.stored, first.enrollment.steps_done) == (True, 1)
    assert Enrollment.objects.get(pk=enrollment.pk).steps_done == 1


def test_a_resent_step_is_stored_once_and_an_id_reused_for_another_step_is_a_conflict(learning):
    enrollment = _start(learning)
    sent = uuid7()
    step_done(actor=learning.learner, enrollment=enrollment, id=sent, step=0, seconds=40)
    again = step_done(actor=learning.learner, enrollment=enrollment, id=sent, step=0, seconds=40)
    assert again.stored is False
    row = Enrollment.objects.get(pk=enrollment.pk)
    assert (row.steps_done, row.seconds) == (1, 40)
    assert LearningEvent.objects.filter(kind="step_done").count() == 1
    with pytest.raises(DomainError) as caught:
        step_done(actor=learning.learner, enrollment=enrollment, id=sent, step=1)
    assert caught.value.code == "event_conflict"
    assert Enrollment.objects.get(pk=enrollment.pk).steps_done == 1


def test_a_stale_tab_sending_a_done_step_again_changes_nothing(learning):
    enrollment = _start(learning)
    _do_steps(learning, enrollment, 2)
    before = db_fingerprint()
    stale = step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=0)
    assert stale.stored is False
    assert db_fingerprint() == before


def test_one_progress_write_is_three_statements(learning):
    enrollment = _start(learning)
    _do_steps(learning, enrollment, 1)
    with CaptureQueriesContext(connection) as ctx:
        step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=1, seconds=5)
    # The test runs inside a transaction, so the service's own transaction is a savepoint
    # here (in production it is BEGIN … COMMIT, not a statement the database parses twice).
    work = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(work) == 3, work
    assert work[0].startswith("SELECT")
    assert work[1].startswith("INSERT")
    assert work[2].startswith("UPDATE")
    with CaptureQueriesContext(connection) as ctx:
        step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=1)  # stale
    assert len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]) == 2


def test_a_locked_lesson_is_refused_by_url_and_by_the_api(learning):
    client = learning.client()
    code = learning.course.code
    # Not started: every lesson is locked.
    page = client.get(reverse("learning:lesson", args=[code, 1]))
    assert page.status_code == 403
    _start(learning)
    assert client.get(reverse("learning:lesson", args=[code, 1])).status_code == 200
    page = client.get(reverse("learning:lesson", args=[code, 3]))
    assert page.status_code == 403
    text = page.content.decode()
    assert "Mã OTP là bí mật" not in text  # lesson 3's first step is not shown
    api = client.get(f"/api/v1/learning/courses/{code}/lessons/3")
    assert api.status_code == 409
    assert api.json()["code"] == "locked"
    detail = client.get(f"/api/v1/learning/courses/{code}").json()
    assert [lesson["open"] for lesson in detail["lesson_list"]] == [True, False, False]
    assert detail["lesson_list"][2]["steps"] is None
    assert client.get(reverse("learning:lesson", args=[code, 9])).status_code == 404


def test_a_locked_step_is_refused_by_the_page_form_and_the_api_and_changes_nothing(learning):
    client = learning.client()
    code = learning.course.code
    _start(learning)
    before = db_fingerprint()
    form = client.post(
        reverse("learning:step", args=[code]), {"id": str(uuid7()), "step": "4", "drawn": "0"}
    )
    assert form.status_code == 403
    api = _json(client, f"/api/v1/learning/courses/{code}/steps", {"id": str(uuid7()), "step": 4})
    assert (api.status_code, api.json()["code"]) == (409, "locked")
    assert db_fingerprint() == before


def test_the_quiz_is_locked_until_every_step_is_done(learning):
    client = learning.client()
    code = learning.course.code
    enrollment = _start(learning)
    _do_steps(learning, enrollment, STEPS - 1)
    assert client.get(reverse("learning:quiz", args=[code])).status_code == 403
    assert client.get(f"/api/v1/learning/courses/{code}/quiz").json()["code"] == "locked"
    before = db_fingerprint()
    api = _json(
        client, f"/api/v1/learning/courses/{code}/attempts", {"id": str(uuid7()), "answers": RIGHT}
    )
    assert (api.status_code, api.json()["code"]) == (409, "locked")
    form = client.post(reverse("learning:quiz", args=[code]), {"id": str(uuid7()), "q0": "0"})
    assert form.status_code == 403
    assert db_fingerprint() == before
    _do_steps(learning, Enrollment.objects.get(pk=enrollment.pk), STEPS)
    questions = client.get(f"/api/v1/learning/courses/{code}/quiz").json()
    assert len(questions) == 5
    assert "answer" not in json.dumps(questions)  # the key stays on the server


def test_a_failed_attempt_waits_then_a_pass_completes_with_skills_and_certificate(learning):
    enrollment = _start(learning)
    _do_steps(learning, enrollment, STEPS)
    failed = quiz_attempt(
        actor=learning.learner, enrollment=enrollment, id=uuid7(), answers=WRONG_TWO
    )
    assert (failed.event.score, failed.event.passed, failed.completed) == (3, False, False)
    with pytest.raises(DomainError) as caught:
        quiz_attempt(actor=learning.learner, enrollment=enrollment, id=uuid7(), answers=RIGHT)
    assert caught.value.code == "retry_wait"
    assert caught.value.kind == "limited"
    # Ten minutes later (the course's wait), the quiz opens again.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_attempt_at=timezone.now() - dt.timedelta(minutes=10, seconds=1)
    )
    passing = uuid7()
    passed = quiz_attempt(actor=learning.learner, enrollment=enrollment, id=passing, answers=RIGHT)
    assert (passed.event.score, passed.completed) == (5, True)
    events = SkillEvent.objects.filter(person=learning.person).order_by("skill__code")
    assert [(e.skill.code, e.channel) for e in events] == [
        ("0.1", "online_course"),
        ("0.2", "online_course"),
        ("4.1", "online_course"),
    ]
    status = PersonSkillStatus.objects.get(person=learning.person)
    assert sorted(status.skills) == ["0.1", "0.2", "4.1"]
    cert = Certificate.objects.get(enrollment=enrollment)
    assert set(cert.skill_events.all()) == set(events)
    assert cert.holder_name == "Lò Thị Học"
    assert cert.holder_birth_year == 1968
    assert LearningEvent.objects.filter(enrollment=enrollment, kind="completed").count() == 1
    # A replay of the passing attempt changes nothing; a new attempt is refused.
    before = db_fingerprint()
    replay = quiz_attempt(actor=learning.learner, enrollment=enrollment, id=passing, answers=RIGHT)
    assert replay.replayed is True
    assert db_fingerprint() == before
    with pytest.raises(DomainError) as caught:
        quiz_attempt(actor=learning.learner, enrollment=enrollment, id=uuid7(), answers=RIGHT)
    assert caught.value.code == "already_passed"
    assert db_fingerprint() == before


def test_completion_is_one_transaction(learning, monkeypatch):
    """If the certificate cannot be issued, neither the pass nor the skill events are kept."""
    enrollment = _start(learning)
    _do_steps(learning, enrollment, STEPS)

    def broken(payload):  # type: ignore[no-untyped-def]
        raise RuntimeError("signing failed")

    monkeypatch.setattr(certificates, "sign", broken)
    before = db_fingerprint()
    with pytest.raises(RuntimeError):
        quiz_attempt(actor=learning.learner, enrollment=enrollment, id=uuid7(), answers=RIGHT)
    assert db_fingerprint() == before
    assert not SkillEvent.objects.filter(person=learning.person).exists()


def test_answers_that_do_not_fit_are_refused_with_the_question_named(learning):
    enrollment = _start(learning)
    _do_steps(learning, enrollment, STEPS)
    with pytest.raises(DomainError) as caught:
        quiz_attempt(
            actor=learning.learner,
            enrollment=enrollment,
            id=uuid7(),
            answers=[[0], [1], [1], [0, 1], [0, 1, 2]],
        )
    assert (caught.value.code, caught.value.field) == ("bad_answers", "answers")
    assert "4" in caught.value.message
    assert LearningEvent.objects.filter(kind="quiz_attempt").count() == 0


def test_the_page_flow_from_start_to_certificate(learning):
    client = learning.client()
    code = learning.course.code
    start = client.post(reverse("learning:start", args=[code]), {"id": str(uuid7())})
    assert start["Location"] == reverse("learning:lesson", args=[code, 1])
    # The page's hidden fields are plain digits (no thousands separator of the Vietnamese locale).
    lesson = client.get(start["Location"]).content.decode()
    assert re.search(r'name="drawn" value="\d{10}"', lesson), "drawn must be plain digits"
    for step in range(STEPS):
        response = client.post(
            reverse("learning:step", args=[code]), {"id": str(uuid7()), "step": str(step)}
        )
        assert response.status_code == 302
    assert response["Location"] == reverse("learning:quiz", args=[code])
    page = client.get(reverse("learning:quiz", args=[code]))
    assert page.status_code == 200
    form = {"id": str(uuid7()), "q0": "0", "q1": "1", "q2": "1", "q3": "0"}
    form.update({"q4_0": "1", "q4_1": "2", "q4_2": "3"})
    done = client.post(reverse("learning:quiz", args=[code]), form)
    cert = Certificate.objects.get()
    assert done["Location"] == reverse("learning:certificate", args=[cert.pk])
    page = client.get(done["Location"]).content.decode()
    assert "Lò Thị Học" in page
    assert "<svg" in page  # the QR code
    # The same form sent again (a double tap) shows the same result and stores nothing.
    before = db_fingerprint()
    again = client.post(reverse("learning:quiz", args=[code]), form)
    assert again["Location"] == reverse("learning:certificate", args=[cert.pk])
    assert db_fingerprint() == before


def test_someone_else_cannot_write_into_a_learners_enrolment(learning):
    enrollment = _start(learning)
    officer = learning.client(learning.officer)
    before = db_fingerprint()
    from hocvuso.core.errors import NotFound

    with pytest.raises(NotFound):
        step_done(actor=learning.officer, enrollment=enrollment, id=uuid7(), step=0)
    assert db_fingerprint() == before
    api = _json(
        officer,
        f"/api/v1/learning/courses/{learning.course.code}/steps",
        {"id": str(uuid7()), "step": 0},
    )
    assert api.status_code == 404
    assert db_fingerprint() == before


def test_the_step_endpoint_is_a_fixed_handful_of_queries(learning):
    """Token look-up, the course's key, the enrolment, then the three statements of the write
    (pinned absolutely: a per-step or per-lesson query would show here)."""
    from hocvuso.accounts.services.tokens import token_create

    enrollment = _start(learning)
    _do_steps(learning, enrollment, 1)
    _token, secret = token_create(actor=learning.learner, name="phone")
    client = learning.client()
    client.logout()
    url = f"/api/v1/learning/courses/{learning.course.code}/steps"
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            url,
            json.dumps({"id": str(uuid7()), "step": 1}),
            content_type="application/json",
            headers={"authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 200, response.content
    work = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(work) == 6, work  # token (look-up, last use), enrolment, the three of the write
