"""Sign-in that cannot be turned against its users: wrong passwords slow down only their own
(account, client) pair — a known device of the account, or else the address —, the wait doubles
and ends, nobody is ever locked out by a stranger, everything is audited, never the password."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import SignInFailure
from hocvuso.core.models import AuditLog
from tests.factories import OFFICER_PASSWORD, make_user, password_step

pytestmark = pytest.mark.django_db
WRONG = "not-the-password-9"
HOME = reverse("ui:home")


def _signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response["Location"] == HOME


def test_five_wrong_passwords_slow_down_that_client_only(citizen, settings):
    assert settings.HOCVUSO_SIGNIN_FREE_TRIES == 5
    client = Client()
    for _ in range(5):
        response = password_step(client, "dan", WRONG)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
    slowed = password_step(client, "dan", OFFICER_PASSWORD)
    assert slowed.status_code == 429
    page = slowed.content.decode()
    assert "1 phút" in page  # the first wait is one minute
    assert "không bị khoá" in page
    assert "_auth_user_id" not in client.session

    failed = AuditLog.objects.filter(action="auth.login_failed")
    assert failed.count() == 5
    assert {r.changes["username"] for r in failed} == {"dan"}
    assert {r.object_id for r in failed} == {str(citizen.pk)}
    assert AuditLog.objects.filter(action="auth.locked_out").count() == 1
    assert not AuditLog.objects.filter(action="auth.login").exists()
    for row in AuditLog.objects.all():
        assert WRONG not in str(row.changes)
        assert OFFICER_PASSWORD not in str(row.changes)


def test_a_stranger_never_locks_the_owner_out(citizen):
    """The owner signs in from their phone (a known device from then on); a stranger then fails
    on the same account from another address, again and again: the owner still gets in."""
    phone = Client()
    assert _signed_in(password_step(phone, "dan"))
    phone.post(reverse("logout"))
    for _ in range(12):
        password_step(Client(), "dan", WRONG, REMOTE_ADDR="10.9.9.9")
    assert password_step(Client(), "dan", REMOTE_ADDR="10.9.9.9").status_code == 429
    assert _signed_in(password_step(phone, "dan"))
    # Even from the stranger's own address (one office behind one NAT), the known device is
    # counted on its own.
    phone.post(reverse("logout"))
    assert _signed_in(password_step(phone, "dan", REMOTE_ADDR="10.9.9.9"))


def test_made_up_names_from_one_address_slow_nobody_else(citizen):
    for n in range(30):
        password_step(Client(), f"doan-{n % 6}", WRONG, REMOTE_ADDR="10.1.1.1")
    assert password_step(Client(), "doan-0", WRONG, REMOTE_ADDR="10.1.1.1").status_code == 429
    # A real user behind the same address, on a new device, signs in at once.
    assert _signed_in(password_step(Client(), "dan", REMOTE_ADDR="10.1.1.1"))
    unknown = AuditLog.objects.filter(action="auth.login_failed", changes__username="doan-0")
    assert unknown.count() == 5
    assert {(r.object_id, r.actor_id, r.changes["ip"]) for r in unknown} == {("", None, "10.1.1.1")}


def test_the_wait_doubles_then_ends(citizen):
    for _ in range(5):
        password_step(Client(), "dan", WRONG)
    assert password_step(Client(), "dan").status_code == 429
    # A minute later the pair may try again; another failure makes the next wait two minutes.
    SignInFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=61))
    assert password_step(Client(), "dan", WRONG).status_code == 200
    response = password_step(Client(), "dan")
    assert response.status_code == 429
    assert "2 phút" in response.content.decode()
    SignInFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=121))
    assert _signed_in(password_step(Client(), "dan"))
    assert SignInFailure.objects.count() == 0  # the pair starts again after a success


def test_failures_are_kept_as_keyed_hashes_only(citizen):
    password_step(Client(), "dan", WRONG, REMOTE_ADDR="10.4.4.4")
    row = SignInFailure.objects.get()
    assert "dan" not in row.account
    assert "10.4.4.4" not in row.client
    assert len(row.account) == len(row.client) == 64


def test_the_owner_hears_of_failed_attempts_after_signing_in(citizen):
    phone = Client()
    assert _signed_in(password_step(phone, "dan"))
    phone.post(reverse("logout"))
    for _ in range(3):
        password_step(Client(), "dan", WRONG, REMOTE_ADDR="10.5.5.5")
    response = password_step(phone, "dan")
    assert _signed_in(response)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("3" in m and "đăng nhập không thành công" in m for m in shown), shown
    phone.get(HOME)  # the message is shown (and so used up)
    # The next sign-in has nothing new to tell.
    phone.post(reverse("logout"))
    again = password_step(phone, "dan")
    assert not [str(m) for m in get_messages(again.wsgi_request)]


def test_an_officer_keeps_their_known_device_behind_a_shared_address(commune):
    """The device cookie is given only once the second factor is passed; from then on a
    stranger at the same address cannot slow the officer down."""
    from tests.factories import verified_client

    officer = make_user("canbo.nat", "commune_officer", commune=commune)
    office = verified_client(officer)
    office.post(reverse("logout"))
    for _ in range(20):
        password_step(Client(), officer.username, WRONG)  # the same 127.0.0.1
    assert password_step(Client(), officer.username).status_code == 429
    again = password_step(office, officer.username)
    assert again.status_code == 302
    assert again["Location"] == reverse("accounts:otp")


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
