"""Device tokens: shown once, stored hashed, one look-up per request, revocable, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import DeviceToken
from hocvuso.accounts.services.tokens import token_authenticate, token_create
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db
ME = "/api/v1/accounts/me"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_create_on_the_page_shows_the_secret_once(citizen):
    client = Client()
    client.force_login(citizen)
    response = client.post(reverse("accounts:tokens"), {"name": "Điện thoại", "days": 90})
    assert response["Location"] == reverse("accounts:tokens")
    page = client.get(reverse("accounts:tokens"))
    secret = page.context["new_secret"]
    assert secret.startswith("hvs_")
    assert len(secret) == 36
    assert secret in page.content.decode()
    token = DeviceToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert 89 <= (token.expires_at - timezone.now()).days <= 90
    assert secret not in str(list(DeviceToken.objects.values()))
    assert secret not in str(list(AuditLog.objects.values()))
    assert AuditLog.objects.filter(action="token.create").count() == 1
    again = client.get(reverse("accounts:tokens"))
    assert again.context["new_secret"] is None
    assert secret not in again.content.decode()


def test_valid_token_authenticates_the_api(citizen):
    token, secret = token_create(actor=citizen, name="App")
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 200
    assert response.json() == {"username": "dan", "display_name": "dan", "roles": []}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_of_an_officer_carries_their_roles(officer):
    _token, secret = token_create(actor=officer, name="App")
    assert Client().get(ME, **bearer(secret)).json()["roles"] == ["commune_officer"]


@pytest.mark.parametrize("case", ["revoked", "expired", "unknown", "malformed", "inactive"])
def test_refused_tokens_are_a_json_401(citizen, case):
    token, secret = token_create(actor=citizen, name="App")
    if case == "revoked":
        token.revoked_at = timezone.now()
        token.save()
    elif case == "expired":
        DeviceToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif case == "unknown":
        secret = "hvs_" + "A" * 32
    elif case == "malformed":
        secret = "not-a-token"
    elif case == "inactive":
        citizen.is_active = False
        citizen.save()
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_anonymous_api_is_401_but_units_stay_public(units):
    assert Client().get(ME).status_code == 401
    assert Client().get("/api/v1/units/communes/00715").status_code == 200


def test_session_still_works_on_the_api(citizen):
    client = Client()
    client.force_login(citizen)
    assert client.get(ME).status_code == 200


def test_one_query_per_request_and_last_used_at_once_a_minute(citizen, django_assert_num_queries):
    _token, secret = token_create(actor=citizen, name="App")
    with django_assert_num_queries(2):  # look-up + the first last_used_at
        assert token_authenticate(secret) == citizen
    with django_assert_num_queries(1):  # look-up only: used less than a minute ago
        assert token_authenticate(secret) == citizen
    DeviceToken.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    with django_assert_num_queries(2):
        token_authenticate(secret)
    # A whole API request: the token look-up and the user's roles, no password hash.
    with django_assert_num_queries(2):
        assert Client().get(ME, **bearer(secret)).status_code == 200


def test_revoke_on_the_page(citizen, officer):
    token, secret = token_create(actor=citizen, name="App")
    other, _ = token_create(actor=officer, name="Khác")
    client = Client()
    client.force_login(citizen)
    assert client.post(reverse("accounts:token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert client.post(reverse("accounts:token_revoke", args=[token.pk]))["Location"] == reverse(
        "accounts:tokens"
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditLog.objects.filter(action="token.revoke", actor=citizen).count() == 1
    assert Client().get(ME, **bearer(secret)).status_code == 401


def test_a_token_write_is_not_refused_for_a_stray_session_cookie(officer, citizen, head):
    """A field device's POST with its token, sent by a browser that is also signed in (a session
    cookie and no CSRF token): the token decides, no CSRF check, the write goes through."""
    from hocvuso.core.ids import uuid7

    secret = token_create(actor=officer, name="máy")[1]
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)  # the stray session cookie
    assert "sessionid" in client.cookies
    body = {
        "id": str(uuid7()),
        "person_id": str(head.pk),
        "skill": "vneid.install",
        "happened_on": str(timezone.localdate()),
        "channel": "home_visit",
    }
    response = client.post(
        "/api/v1/skills/events", body, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 201, response.content
    # Without a token, a session's POST without a CSRF token is refused.
    session = Client(enforce_csrf_checks=True)
    session.force_login(citizen)
    body["id"] = str(uuid7())
    refused = session.post("/api/v1/skills/events", body, content_type="application/json")
    assert refused.status_code == 403
