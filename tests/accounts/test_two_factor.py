"""Two-factor: required for officer roles, optional for others; recovery codes work once."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hocvuso.accounts.models import Authenticator, RecoveryCode, recovery_hash
from hocvuso.core.models import AuditLog
from tests.factories import (
    OFFICER_PASSWORD,
    give_two_factor,
    password_step,
    totp_now,
    verified_client,
)

pytestmark = pytest.mark.django_db


def actions(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        AuditLog.objects.filter(object_type="accounts.user", object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_officer_without_second_factor_cannot_open_a_commune_page(officer, commune):
    client = Client()
    client.force_login(officer)
    url = reverse("ui:commune", args=[commune.code])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp") + "?next=%2Fxa%2F00715%2F"
    # Nor through the API with the session.
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 401
    assert api.json()["code"] == "otp_required"
    # The log-out, the code step and static files stay open.
    assert client.get(reverse("accounts:otp")).status_code == 302  # → set-up (no app yet)
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200


def test_officer_enrols_after_the_password_then_opens_the_commune(officer, commune):
    client = Client()
    response = password_step(client, "canbo")
    assert response["Location"] == reverse("accounts:otp")
    # Not logged in yet: the password alone opens nothing.
    assert client.get(reverse("ui:commune", args=[commune.code]))["Location"].startswith(
        reverse("login")
    )
    assert client.get(reverse("accounts:otp"))["Location"] == reverse("accounts:otp_enrol")
    page = client.get(reverse("accounts:otp_enrol"))
    html = page.content.decode()
    assert '<svg class="qr" role="img"' in html
    # The QR is drawn on the server: no inline script (the site's own field.js aside, by src).
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "style=" not in html
    device = Authenticator.objects.get(user=officer, confirmed=False)
    assert page.context["secret"].replace(" ", "") in device.config_url

    wrong = client.post(reverse("accounts:otp_enrol"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Mã này không đúng" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=officer, confirmed=True).exists()

    done = client.post(reverse("accounts:otp_enrol"), {"code": totp_now(device)})
    assert done["Location"] == reverse("accounts:recovery_codes")
    shown = client.get(reverse("accounts:recovery_codes"))
    codes = shown.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    assert all(c in shown.content.decode() for c in codes)
    # Shown once.
    assert client.get(reverse("accounts:recovery_codes"))["Location"] == reverse("accounts:account")

    assert client.get(reverse("ui:commune", args=[commune.code])).status_code == 200
    assert actions(officer) == ["auth.otp_failed", "auth.2fa_enrol", "auth.login"]
    login_row = AuditLog.objects.get(action="auth.login", actor=officer)
    assert login_row.changes == {"ip": "127.0.0.1", "second_factor": "totp"}


def test_wrong_code_refused_right_code_opens(officer, commune):
    device, _codes = give_two_factor(officer)
    client = Client()
    password_step(client, "canbo")
    wrong = client.post(reverse("accounts:otp"), {"code": "123456"})
    assert wrong.status_code == 200
    assert "Mã này không đúng" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("ui:commune", args=[commune.code])).status_code == 302

    ok = client.post(reverse("accounts:otp"), {"code": totp_now(device)})
    assert ok["Location"] == reverse("ui:home")
    assert client.get(reverse("ui:commune", args=[commune.code])).status_code == 200
    assert client.get("/api/v1/accounts/me").json()["roles"] == ["commune_officer"]
    assert actions(officer) == ["auth.recovery_codes", "auth.otp_failed", "auth.login"]


def test_the_same_app_code_is_not_accepted_twice(officer):
    device, _codes = give_two_factor(officer)
    code = totp_now(device)
    first = Client()
    password_step(first, "canbo")
    assert first.post(reverse("accounts:otp"), {"code": code}).status_code == 302
    second = Client()
    password_step(second, "canbo")
    assert second.post(reverse("accounts:otp"), {"code": code}).status_code == 200


def test_recovery_code_works_once(officer, commune):
    _device, codes = give_two_factor(officer)
    client = Client()
    password_step(client, "canbo")
    response = client.post(reverse("accounts:otp"), {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "Còn 9" in response.content.decode()  # the warning counts the codes left
    assert client.get(reverse("ui:commune", args=[commune.code])).status_code == 200
    assert RecoveryCode.objects.filter(device__user=officer).count() == 9
    login_row = AuditLog.objects.get(action="auth.login", actor=officer)
    assert login_row.changes["second_factor"] == "recovery"
    assert AuditLog.objects.get(action="auth.recovery_code_used").changes["left"] == 9

    again = Client()
    password_step(again, "canbo")
    refused = again.post(reverse("accounts:otp"), {"code": codes[0]})
    assert refused.status_code == 200
    assert "_auth_user_id" not in again.session
    assert again.post(reverse("accounts:otp"), {"code": codes[1]}).status_code == 302


def test_five_wrong_codes_start_the_log_in_over(officer):
    give_two_factor(officer)
    client = Client()
    password_step(client, "canbo")
    for _ in range(4):
        assert client.post(reverse("accounts:otp"), {"code": "111111"}).status_code == 200
    fifth = client.post(reverse("accounts:otp"), {"code": "111111"})
    assert fifth["Location"] == reverse("login")
    assert client.get(reverse("accounts:otp"))["Location"] == reverse("login")
    assert actions(officer).count("auth.otp_failed") == 5


def test_the_code_step_remembers_the_page_asked_for(officer, commune):
    device, _codes = give_two_factor(officer)
    client = Client()
    url = reverse("ui:commune", args=[commune.code])
    response = client.post(
        reverse("login") + f"?next={url}",
        {"username": "canbo", "password": OFFICER_PASSWORD, "next": url},
    )
    assert response["Location"] == reverse("accounts:otp")
    done = client.post(reverse("accounts:otp"), {"code": totp_now(device)})
    assert done["Location"] == url


def test_open_redirect_refused(officer):
    device, _codes = give_two_factor(officer)
    client = Client()
    password_step(client, "canbo")
    done = client.post(
        reverse("accounts:otp"), {"code": totp_now(device), "next": "https://evil.example/"}
    )
    assert done["Location"] == reverse("ui:home")


def test_citizen_without_an_app_logs_in_with_the_password(citizen):
    client = Client()
    response = password_step(client, "dan")
    assert response["Location"] == reverse("ui:home")
    assert client.get(reverse("ui:home")).status_code == 200


def test_citizen_with_an_app_is_asked_for_the_code_and_may_turn_it_off(citizen):
    client = verified_client(citizen)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Tắt" in page
    assert client.post(reverse("accounts:otp_disable"))["Location"] == reverse("accounts:account")
    assert not Authenticator.objects.filter(user=citizen).exists()
    assert actions(citizen)[-1] == "auth.2fa_disable"


def test_officer_cannot_turn_it_off(officer):
    client = verified_client(officer)
    client.post(reverse("accounts:otp_disable"))
    assert Authenticator.objects.filter(user=officer, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old(officer):
    _device, old = give_two_factor(officer)
    client = verified_client(officer)
    assert client.post(reverse("accounts:recovery_regenerate"))["Location"] == reverse(
        "accounts:recovery_codes"
    )
    new = client.get(reverse("accounts:recovery_codes")).context["codes"]
    assert set(
        RecoveryCode.objects.filter(device__user=officer).values_list("code_hash", flat=True)
    ) == {recovery_hash(c) for c in new}
    assert not set(old) & set(new)


def test_switch_off_for_tests_that_do_not_test_it(settings, officer, commune):
    settings.HOCVUSO_REQUIRE_2FA = False
    client = Client()
    client.force_login(officer)
    assert client.get(reverse("ui:commune", args=[commune.code])).status_code == 200
    assert password_step(Client(), "canbo")["Location"] == reverse("ui:home")


def test_admin_resets_a_lost_phone(officer):
    give_two_factor(officer)
    call_command("reset_two_factor", "canbo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Authenticator.objects.filter(user=officer).exists()
    assert RecoveryCode.objects.filter(device__user=officer).count() == 0
    row = AuditLog.objects.filter(action="auth.2fa_disable").get()
    assert row.actor is None
    assert row.object_id == str(officer.pk)
    # Next log-in: set up a new app.
    client = Client()
    password_step(client, "canbo")
    assert client.get(reverse("accounts:otp"))["Location"] == reverse("accounts:otp_enrol")


def test_move_to_a_new_phone_replaces_the_old_app(officer):
    old, _codes = give_two_factor(officer)
    client = verified_client(officer)
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200
    new = Authenticator.objects.get(user=officer, confirmed=False)
    response = client.post(reverse("accounts:otp_enrol"), {"code": totp_now(new)})
    assert response["Location"] == reverse("accounts:recovery_codes")
    assert list(Authenticator.objects.filter(user=officer)) == [new]
    assert not Authenticator.objects.filter(pk=old.pk).exists()


def test_unverified_session_cannot_replace_the_app(officer):
    give_two_factor(officer)
    client = Client()
    password_step(client, "canbo")
    assert client.get(reverse("accounts:otp_enrol"))["Location"] == reverse("accounts:otp")


def test_the_second_factor_secrets_are_not_in_the_database_in_clear(officer):
    """Read access to the database does not give the second factor: the app's secret is sealed
    (and opens only with the ID key), the recovery codes are keyed hashes."""
    from django.db import connection

    device, codes = give_two_factor(officer)
    secret_hex = device.key
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticator WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT code_hash FROM accounts_recoverycode")
        hashes = [row[0] for row in cursor.fetchall()]
    assert stored.startswith("g1.")
    assert secret_hex not in stored
    assert device.base32_key not in stored
    assert len(hashes) == 10
    assert not set(codes) & set(hashes)
    assert all(code not in h for code in codes for h in hashes)
    # The sealed secret still gives the right codes.
    assert Authenticator.objects.get(pk=device.pk).verify_token(totp_now(device))
