"""Learners linked to no registry person count too: they choose the commune or ward they live in
(from the official units, changeable later), and their enrolments and certificates count in its
learning figures at every level, kept in the writing transaction and equal to a recount. Once
the account is linked to a registry person, the person's commune wins."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.geo.models import Commune
from hocvuso.kpi.models import CommuneSummary
from hocvuso.kpi.summaries.check import check
from hocvuso.learning.models import Certificate, Enrollment, LearnerUnit
from hocvuso.learning.services import enrollment_start, quiz_attempt, step_done
from hocvuso.registry.services import household_create, person_register
from hocvuso.roles.services.grants import citizen_link
from tests.factories import make_user
from tests.learning.conftest import RIGHT

pytestmark = pytest.mark.django_db


def _pass(user: Any, course: Any) -> Enrollment:
    enrollment = enrollment_start(actor=user, course=course, id=uuid7())
    for step in range(enrollment.version.steps):
        step_done(actor=user, enrollment=enrollment, id=uuid7(), step=step)
    quiz_attempt(actor=user, enrollment=enrollment, id=uuid7(), answers=RIGHT)
    return enrollment


def _row(code: str) -> tuple[int, int, int]:
    row = CommuneSummary.objects.filter(commune_id=code).first()
    return (row.learners, row.courses_completed, row.certificates_valid) if row else (0, 0, 0)


def _by_hand(code: str) -> tuple[int, int, int]:
    """From the rows, in plain Python: a person once, an account linked to no person once."""
    rows = list(Enrollment.objects.filter(commune_id=code).values("person_id", "user_id", "passed"))
    people = {
        ("person", r["person_id"]) if r["person_id"] else ("account", r["user_id"]) for r in rows
    }
    passed = sum(1 for r in rows if r["passed"])
    valid = Certificate.objects.filter(commune_id=code, revoked_at__isnull=True).count()
    return (len(people), passed, valid)


def _neighbour(commune: Commune) -> Commune:
    return (
        Commune.objects.filter(province_id=commune.province_id, retired_at__isnull=True)
        .exclude(code=commune.code)
        .order_by("code")
        .first()
    )


def _figure(client: Any, url: str) -> int:
    return client.get(url).json()["unit"]["figures"]["learners"]


def test_an_unlinked_learner_chooses_a_commune_and_counts_there_at_every_level(
    learning, national_admin
):
    guest = make_user("khach_hoc")  # phone sign-up, linked to no person
    client = learning.client(guest)
    home = client.get(reverse("learning:courses")).content.decode()
    assert "Bạn sống ở đâu?" in home
    page = client.get(reverse("learning:unit"), {"tinh": learning.commune.province_id})
    assert learning.commune.name in page.content.decode()
    response = client.post(reverse("learning:unit"), {"commune": learning.commune.code})
    assert response.status_code == 302
    assert LearnerUnit.objects.get(user=guest).commune_id == learning.commune.code
    home = client.get(reverse("learning:courses")).content.decode()
    assert f"Việc học của bạn được tính cho {learning.commune.name}" in home

    before = _row(learning.commune.code)
    enrollment = _pass(guest, learning.course)
    assert (enrollment.person_id, enrollment.commune_id) == (None, learning.commune.code)
    assert Certificate.objects.get(enrollment=enrollment).commune_id == learning.commune.code
    assert _row(learning.commune.code) == (before[0] + 1, before[1] + 1, before[2] + 1) == (1, 1, 1)
    _pass(learning.learner, learning.course)  # a learner linked to a person, same commune
    assert _row(learning.commune.code) == _by_hand(learning.commune.code) == (2, 2, 2)
    # The province and the nation add the commune up.
    admin = learning.client(national_admin)
    province = learning.commune.province_id
    assert _figure(admin, f"/api/v1/dashboards/communes/{learning.commune.code}") == 2
    assert _figure(admin, f"/api/v1/dashboards/provinces/{province}") == 2
    assert _figure(admin, "/api/v1/dashboards/national") == 2
    assert check() == []


def test_changing_the_commune_moves_the_learners_figures(learning):
    guest = make_user("khach_doi")
    client = learning.client(guest)
    client.post(reverse("learning:unit"), {"commune": learning.commune.code})
    _pass(guest, learning.course)
    assert _row(learning.commune.code) == (1, 1, 1)
    other = _neighbour(learning.commune)
    client.post(reverse("learning:unit"), {"commune": other.code})
    assert _row(learning.commune.code) == _by_hand(learning.commune.code) == (0, 0, 0)
    assert _row(other.code) == _by_hand(other.code) == (1, 1, 1)
    assert check() == []


def test_a_learner_who_chooses_late_is_counted_from_then(learning):
    guest = make_user("khach_muon")
    enrollment = _pass(guest, learning.course)
    assert enrollment.commune_id is None  # counted nowhere yet
    assert _row(learning.commune.code) == (0, 0, 0)
    learning.client(guest).post(reverse("learning:unit"), {"commune": learning.commune.code})
    assert _row(learning.commune.code) == _by_hand(learning.commune.code) == (1, 1, 1)
    assert check() == []


def test_once_linked_to_a_person_the_persons_commune_wins(learning):
    guest = make_user("khach_lien_ket")
    client = learning.client(guest)
    other = _neighbour(learning.commune)
    client.post(reverse("learning:unit"), {"commune": other.code})  # chose the neighbour
    enrollment = _pass(guest, learning.course)
    assert _row(other.code) == (1, 1, 1)
    household = household_create(actor=SYSTEM, commune=learning.commune, code="HOC-LK")
    person = person_register(
        actor=SYSTEM, household=household, full_name="Lò Văn Khách", sex="M", birth_year=1970
    )
    citizen_link(actor=learning.officer, person=person, login=guest.username)
    enrollment.refresh_from_db()
    assert (enrollment.person_id, enrollment.commune_id) == (person.pk, learning.commune.code)
    cert = Certificate.objects.get(enrollment=enrollment)
    assert (cert.person_id, cert.commune_id) == (person.pk, learning.commune.code)
    assert _row(other.code) == _by_hand(other.code) == (0, 0, 0)
    assert _row(learning.commune.code) == _by_hand(learning.commune.code) == (1, 1, 1)
    # Choosing another commune now changes nothing of the figures: the person's commune counts.
    client.post(reverse("learning:unit"), {"commune": other.code})
    assert _row(learning.commune.code) == (1, 1, 1)
    assert _row(other.code) == (0, 0, 0)
    page = client.get(reverse("learning:unit")).content.decode()
    assert f"việc học của bạn được tính cho {learning.commune.name}" in page
    assert check() == []


def test_a_retired_or_unknown_unit_is_refused_and_changes_nothing(learning):
    guest = make_user("khach_sai")
    client = learning.client(guest)
    other = _neighbour(learning.commune)
    Commune.objects.filter(pk=other.pk).update(retired_at=timezone.now())
    response = client.post(reverse("learning:unit"), {"commune": other.code})
    assert response.status_code == 400
    assert "Đơn vị này không còn" in response.content.decode()
    response = client.post(reverse("learning:unit"), {"commune": "99999"})
    assert response.status_code == 400
    assert not LearnerUnit.objects.filter(user=guest).exists()
    api = client.post(
        "/api/v1/learning/unit/choice", {"commune": "99999"}, content_type="application/json"
    )
    assert api.status_code == 404
    assert not LearnerUnit.objects.filter(user=guest).exists()


def test_the_api_reads_and_chooses_the_unit(learning):
    guest = make_user("khach_api")
    client = learning.client(guest)
    assert client.get("/api/v1/learning/unit").json() == {
        "commune": None,
        "linked": False,
        "counted_in": None,
    }
    response = client.post(
        "/api/v1/learning/unit/choice",
        {"commune": learning.commune.code},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "commune": learning.commune.code,
        "linked": False,
        "counted_in": learning.commune.code,
    }
    linked = learning.client().get("/api/v1/learning/unit").json()
    assert linked == {"commune": None, "linked": True, "counted_in": learning.commune.code}


def test_the_course_page_asks_first_and_the_choice_leads_back(learning):
    guest = make_user("khach_khoa_hoc")
    client = learning.client(guest)
    course_url = reverse("learning:course", args=[learning.course.code])
    page = client.get(course_url).content.decode()
    assert "Để khóa học này được tính cho xã, phường của bạn:" in page
    assert f'href="{reverse("learning:unit")}?next={course_url}"' in page
    response = client.post(
        reverse("learning:unit"), {"commune": learning.commune.code, "next": course_url}
    )
    assert (response.status_code, response["Location"]) == (302, course_url)
    assert "Để khóa học này được tính" not in client.get(course_url).content.decode()
    # Elsewhere than our learning pages, "next" is ignored.
    response = client.post(
        reverse("learning:unit"), {"commune": learning.commune.code, "next": "https://x.example/"}
    )
    assert response["Location"] == reverse("learning:courses")
    # A learner linked to a person is never asked.
    assert "Để khóa học này được tính" not in learning.client().get(course_url).content.decode()
