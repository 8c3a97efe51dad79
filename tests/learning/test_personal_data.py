"""The learning provider: a person's export holds their progress and certificates; erasure
revokes the certificates (their status bit set), clears the holder from them and keeps the
progress rows the figures count."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from django.test import Client
from django.urls import reverse

from hocvuso.core.ids import uuid7
from hocvuso.learning.models import Certificate, Enrollment, StatusList
from hocvuso.learning.services import enrollment_start, quiz_attempt, step_done
from hocvuso.privacy.services import data_request_create, person_erase
from tests.learning.conftest import RIGHT, WRONG_TWO

pytestmark = pytest.mark.django_db


def _passed(learning):  # type: ignore[no-untyped-def]
    enrollment = enrollment_start(actor=learning.learner, course=learning.course, id=uuid7())
    for step in range(enrollment.version.steps):
        step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=step)
    quiz_attempt(actor=learning.learner, enrollment=enrollment, id=uuid7(), answers=RIGHT)
    return Certificate.objects.get(enrollment=enrollment)


def test_the_export_holds_progress_attempts_and_certificates(learning):
    enrollment = enrollment_start(actor=learning.learner, course=learning.course, id=uuid7())
    for step in range(enrollment.version.steps):
        step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=step)
    quiz_attempt(actor=learning.learner, enrollment=enrollment, id=uuid7(), answers=WRONG_TWO)
    client = Client()
    client.force_login(learning.officer)
    data = json.loads(client.get(reverse("privacy:export_json", args=[learning.person.pk])).content)
    [row] = data["learning"]["enrollments"]
    assert (row["course"], row["steps_done"], row["steps"], row["passed"]) == (
        "dien-thoai-an-toan",
        6,
        6,
        False,
    )
    assert [(a["score"], a["passed"]) for a in row["attempts"]] == [(3, False)]
    assert data["learning"]["certificates"] == []


def test_erasure_revokes_the_certificates_and_clears_the_holder(learning):
    cert = _passed(learning)
    request = data_request_create(
        actor=learning.officer, person=learning.person, kind="erasure", channel="office"
    )
    person_erase(actor=learning.officer, person=learning.person, request=request)
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    assert (cert.credential, cert.holder_birth_year) == ("", None)
    assert "Lò Thị Học" not in cert.holder_name
    bits = bytes(StatusList.objects.get(pk=cert.status_list_id).bits)
    assert bits[cert.status_index // 8] >> (7 - cert.status_index % 8) & 1 == 1
    # The signed list says so too.
    token = Client().get(reverse("learning:status_list", args=[1])).content.decode()
    body = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==").decode())
    encoded = body["credentialSubject"]["encodedList"][1:]
    listed = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert listed[cert.status_index // 8] >> (7 - cert.status_index % 8) & 1 == 1
    page = Client().get(reverse("learning:verify", args=[cert.pk])).content.decode()
    assert "Lò Thị Học" not in page
    assert "Đã thu hồi" in page or "Revoked" in page
    assert Enrollment.objects.get(pk=cert.enrollment_id).passed is True  # still counted
