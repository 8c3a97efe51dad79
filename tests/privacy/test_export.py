"""Access: everything held about a person, as JSON and as a readable page; audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hocvuso.core.models import AuditLog
from hocvuso.privacy.services import consent_record, data_request_create

pytestmark = pytest.mark.django_db


def test_json_download_holds_everything_and_no_secret(officer, officer_client, head, member):
    consent_record(actor=officer, person=head, purpose="skills", method="paper")
    data_request_create(actor=officer, person=head, kind="access", channel="office")
    response = officer_client.get(reverse("privacy:export_json", args=[head.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    data = json.loads(body)
    assert data["person"]["full_name"] == "Giàng Mí Pó"
    assert data["person"]["date_of_birth"] == "1970-03-04"
    assert data["person"]["ethnicity_label"] == "Mông"
    assert data["person"]["special_needs"] == "Mắt kém"
    assert data["person"]["phone"] == "+84912345678"
    assert data["person"]["cccd"] == "*********456"
    assert data["household"] == {
        "id": str(head.household_id),
        "code": "LC-001",
        "address": "Số 5, Thèn Pả",
        "village": "Thôn Thèn Pả",
        "is_head": True,
    }
    assert [c["purpose"] for c in data["consents"]] == ["skills"]
    assert [r["kind"] for r in data["requests"]] == ["access"]
    actions = [a["action"] for a in data["audit"]]
    assert actions == [
        "person.register",
        "consent.record",
        "privacy.request",
        "privacy.export",
    ]
    # No full number, no hash, no ciphertext, nothing about the other member.
    head.refresh_from_db()
    assert "002070123456" not in body
    assert head.cccd_hash not in body
    assert head.cccd_ciphertext not in body
    assert "cccd_hash" not in body
    assert "Giàng Thị Mỷ" not in body
    [row] = AuditLog.objects.filter(action="privacy.export")
    assert (row.actor, row.object_id, row.changes) == (officer, str(head.pk), {"format": "json"})


def test_readable_page(officer_client, officer, head):
    response = officer_client.get(reverse("privacy:export", args=[head.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Giàng Mí Pó", "Mông", "Mắt kém", "*********456", "LC-001"):
        assert text in page
    assert "002070123456" not in page
    assert AuditLog.objects.filter(
        action="privacy.export", changes={"format": "html"}, actor=officer
    ).exists()


def test_the_person_downloads_their_own_data(self_user, head):
    from tests.factories import client_for

    response = client_for(self_user).get(reverse("privacy:export_json", args=[head.pk]))
    assert response.status_code == 200
    assert json.loads(response.content)["person"]["full_name"] == "Giàng Mí Pó"
    assert AuditLog.objects.filter(action="privacy.export", actor=self_user).count() == 1


def test_out_of_scope_download_is_404_and_not_recorded(head, other_officer, citizen):
    from tests.factories import client_for

    for user in (other_officer, citizen):
        response = client_for(user).get(reverse("privacy:export_json", args=[head.pk]))
        assert response.status_code == 404
    assert not AuditLog.objects.filter(action="privacy.export").exists()
