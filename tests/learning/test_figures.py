"""Learning figures in the dashboards' summary tables: kept in the writing transaction (start,
completion, a revocation by a reversed skill event, an erasure) and equal to a recount."""

from __future__ import annotations

import pytest

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.kpi.models import CommuneSummary, MonthSummary
from hocvuso.kpi.summaries.check import check
from hocvuso.learning.models import Certificate, Enrollment
from hocvuso.learning.services import enrollment_start, quiz_attempt, step_done
from hocvuso.registry.services import person_register
from hocvuso.skills.models import SkillEvent
from hocvuso.skills.services import skill_event_reverse
from tests.factories import make_user
from tests.learning.conftest import RIGHT

pytestmark = pytest.mark.django_db


def _row(learning):  # type: ignore[no-untyped-def]
    row = CommuneSummary.objects.get(commune=learning.commune)
    return (row.learners, row.courses_completed, row.certificates_valid)


def _pass(user, course):  # type: ignore[no-untyped-def]
    enrollment = enrollment_start(actor=user, course=course, id=uuid7())
    for step in range(enrollment.version.steps):
        step_done(actor=user, enrollment=enrollment, id=uuid7(), step=step)
    quiz_attempt(actor=user, enrollment=enrollment, id=uuid7(), answers=RIGHT)
    return enrollment


def test_learning_figures_follow_every_write_and_equal_a_recount(learning):
    household = learning.person.household
    second = person_register(
        actor=SYSTEM, household=household, full_name="Lò Văn Hai", sex="M", birth_year=1990
    )
    other_learner = make_user("hoc_vien_hai", "citizen", person=second)
    enrollment_start(actor=learning.learner, course=learning.course, id=uuid7())
    assert _row(learning) == (1, 0, 0)
    _pass(learning.learner, learning.course)  # the same enrolment, now passed
    assert _row(learning) == (1, 1, 1)
    _pass(other_learner, learning.course)
    assert _row(learning) == (2, 2, 2)
    # A back-check finds one skill not gained: that certificate no longer counts.
    event = SkillEvent.objects.get(person=second, skill__code="0.2")
    skill_event_reverse(actor=learning.officer, event=event, reason="Không làm được", id=uuid7())
    assert _row(learning) == (2, 2, 1)
    # An account linked to no person, living in the same commune, learns there too.
    from hocvuso.learning.services import learner_unit_set

    guest = make_user("khach_xa")
    learner_unit_set(actor=guest, commune=learning.commune)
    enrollment_start(actor=guest, course=learning.course, id=uuid7())
    assert _row(learning) == (3, 2, 1)
    # By hand, from the rows: learners are the people with an enrolment (an account linked to no
    # person counts once); passed enrolments; certificates not revoked.
    people = {
        person or ("account", user)
        for person, user in Enrollment.objects.values_list("person_id", "user_id")
    }
    passed = Enrollment.objects.filter(passed=True).count()
    valid = Certificate.objects.filter(revoked_at__isnull=True).count()
    assert _row(learning) == (len(people), passed, valid)
    month = MonthSummary.objects.filter(commune=learning.commune).latest("month")
    assert (month.learners, month.courses_completed, month.certificates_valid) == (3, 2, 1)
    assert check() == []


def test_the_dashboards_show_the_learning_indicators(learning):
    from django.urls import reverse

    _pass(learning.learner, learning.course)
    officer = learning.client(learning.officer)
    page = officer.get(reverse("kpi:commune", args=[learning.commune.code])).content.decode()
    for name in (
        "Người học trực tuyến",
        "Khóa học trực tuyến đã hoàn thành",
        "Chứng chỉ còn hiệu lực",
    ):
        assert name in page, name
    api = officer.get(f"/api/v1/dashboards/communes/{learning.commune.code}").json()
    assert "online_learners" in str(api)


def test_the_monthly_report_and_the_export_carry_the_learning_figures(learning):
    from django.urls import reverse

    _pass(learning.learner, learning.course)
    officer = learning.client(learning.officer)
    report = officer.get(reverse("kpi:commune_report", args=[learning.commune.code]))
    assert "Người học trực tuyến" in report.content.decode()
    export = officer.get(reverse("kpi:commune_export", args=[learning.commune.code, "csv"]))
    body = b"".join(export.streaming_content) if export.streaming else export.content
    text = body.decode("utf-8-sig")
    assert "Người học trực tuyến" in text or "online_learners" in text
