"""Session lifetime: idle timeout and absolute lifetime, from the session's own clocks."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from hocvuso.accounts.middleware import SEEN, STARTED
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(citizen) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(citizen)
    return client


def set_clocks(client: Client, *, started: int, seen: int) -> None:
    session = client.session
    session[STARTED] = started
    session[SEEN] = seen
    session.save()


def test_log_in_starts_the_clocks(client_in):
    now = int(time.time())
    assert abs(client_in.session[STARTED] - now) <= 2
    assert client_in.session[SEEN] == client_in.session[STARTED]


def test_idle_for_31_minutes_logs_out(client_in, citizen, settings):
    assert settings.HOCVUSO_SESSION_IDLE_MINUTES == 30
    now = int(time.time())
    set_clocks(client_in, started=now - 3600, seen=now - 31 * 60)
    response = client_in.get(reverse("ui:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại."
    ]
    assert "_auth_user_id" not in client_in.session
    row = AuditLog.objects.filter(action="auth.logout").get()
    assert row.actor == citizen
    assert row.changes["reason"] == "idle"


def test_active_within_30_minutes_stays_and_moves_the_clock(client_in):
    now = int(time.time())
    set_clocks(client_in, started=now - 3600, seen=now - 29 * 60)
    assert client_in.get(reverse("ui:home")).status_code == 200
    assert client_in.session[SEEN] >= now


def test_absolute_lifetime_ends_an_active_session(client_in, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    now = int(time.time())
    set_clocks(client_in, started=now - 12 * 3600 - 5, seen=now - 10)
    assert client_in.get(reverse("ui:home"))["Location"].startswith(reverse("login"))
    assert AuditLog.objects.get(action="auth.logout").changes["reason"] == "lifetime"


def test_idle_minutes_from_settings(client_in, settings):
    settings.HOCVUSO_SESSION_IDLE_MINUTES = 5
    now = int(time.time())
    set_clocks(client_in, started=now - 600, seen=now - 6 * 60)
    assert client_in.get(reverse("ui:home")).status_code == 302


def test_expired_session_on_the_api_is_a_json_401(client_in):
    now = int(time.time())
    set_clocks(client_in, started=now, seen=now - 31 * 60)
    response = client_in.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["code"] == "session_expired"


def test_a_page_view_within_the_minute_does_not_write_the_session(client_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client_in.get(reverse("ui:home"))
    with CaptureQueriesContext(connection) as captured:
        assert client_in.get(reverse("ui:home")).status_code == 200
    writes = [q["sql"] for q in captured if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []
