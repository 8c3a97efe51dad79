"""Log-in throttling: per account and per address, a lockout page, everything audited, never
the password."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from hocvuso.core.models import AuditLog
from tests.factories import OFFICER_PASSWORD, password_step

pytestmark = pytest.mark.django_db
WRONG = "not-the-password-9"


def test_five_failures_lock_the_account_even_with_the_right_password(citizen, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(4):
        response = password_step(client, "dan", WRONG)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    locked = password_step(client, "dan", WRONG)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "tạm dừng" in page
    assert "15 phút" in page
    right = password_step(client, "dan", OFFICER_PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session

    failed = AuditLog.objects.filter(action="auth.login_failed")
    assert failed.count() == 6
    assert {r.changes["username"] for r in failed} == {"dan"}
    assert {r.object_id for r in failed} == {str(citizen.pk)}
    assert AuditLog.objects.filter(action="auth.locked_out").count() >= 1
    assert not AuditLog.objects.filter(action="auth.login").exists()
    for row in AuditLog.objects.all():
        assert WRONG not in str(row.changes)
        assert OFFICER_PASSWORD not in str(row.changes)
    for attempt in AccessAttempt.objects.all():
        assert WRONG not in attempt.post_data


def test_lockout_per_account_from_any_address(citizen):
    for n in range(5):
        password_step(Client(), "dan", WRONG, REMOTE_ADDR=f"10.0.0.{n + 1}")
    elsewhere = password_step(Client(), "dan", OFFICER_PASSWORD, REMOTE_ADDR="10.0.9.9")
    assert elsewhere.status_code == 429
    # Another account from yet another address is not affected.
    from tests.factories import make_user

    make_user("khac")
    assert password_step(Client(), "khac", REMOTE_ADDR="10.0.9.8")["Location"] == reverse("ui:home")


def test_lockout_per_address_whatever_the_username(citizen):
    for n in range(5):
        password_step(Client(), f"doan-{n}", WRONG, REMOTE_ADDR="10.1.1.1")
    same_address = password_step(Client(), "dan", OFFICER_PASSWORD, REMOTE_ADDR="10.1.1.1")
    assert same_address.status_code == 429
    other_address = password_step(Client(), "dan", OFFICER_PASSWORD, REMOTE_ADDR="10.1.1.2")
    assert other_address["Location"] == reverse("ui:home")
    unknown = AuditLog.objects.filter(action="auth.login_failed", changes__username="doan-0").get()
    assert unknown.object_id == ""
    assert unknown.actor is None
    assert unknown.changes["ip"] == "10.1.1.1"


def test_cool_off_ends_the_lockout(citizen):
    for _ in range(5):
        password_step(Client(), "dan", WRONG)
    assert password_step(Client(), "dan").status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert password_step(Client(), "dan")["Location"] == reverse("ui:home")


def test_an_id_number_typed_as_username_is_not_stored(db):
    password_step(Client(), "002070123456", WRONG)
    row = AuditLog.objects.get(action="auth.login_failed")
    assert "002070123456" not in str(row.changes)


def test_log_in_and_log_out_are_audited(citizen):
    client = Client()
    password_step(client, "dan")
    client.post(reverse("logout"))
    rows = list(AuditLog.objects.filter(actor=citizen).order_by("id"))
    assert [r.action for r in rows] == ["auth.login", "auth.logout"]
    assert rows[0].changes == {"ip": "127.0.0.1"}
    assert rows[0].object_id == str(citizen.pk)
