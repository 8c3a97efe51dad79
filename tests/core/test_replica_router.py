"""The replica router's decisions, without a replica: which reads it would send where, the pin
after a write, the lag limit, and the view run again on the primary when a replica fails.
(The real primary and replica are in test_replicas.py, in the PostgreSQL run.)"""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from hocvuso.core import replicas
from hocvuso.kpi.models import CommuneSummary

router = replicas.ReplicaRouter()


@pytest.fixture
def one_replica(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.HOCVUSO_REPLICAS = ["replica1"]
    settings.HOCVUSO_REPLICA_PIN_SECONDS = 15
    settings.HOCVUSO_REPLICA_MAX_LAG_SECONDS = 10
    settings.HOCVUSO_REPLICA_CHECK_SECONDS = 2
    replicas.forget_health()
    picked: list[str] = []

    def pick() -> str:
        picked.append("replica1")
        return "replica1"

    monkeypatch.setattr(replicas, "pick_replica", pick)
    monkeypatch.setattr(replicas, "_close", lambda alias: None)
    yield picked
    replicas.forget_health()


def _through_middleware(request, view):  # type: ignore[no-untyped-def]
    seen: dict[str, object] = {}

    def get_response(req):  # type: ignore[no-untyped-def]
        seen["response"] = view(req)
        return seen["response"]

    return replicas.ReplicaPinMiddleware(get_response)(request)


def _reading_view(into: list[str | None]):  # type: ignore[no-untyped-def]
    @replicas.replica_reads
    def view(request):  # type: ignore[no-untyped-def]
        into.append(router.db_for_read(CommuneSummary))
        return HttpResponse("ok")

    return view


def test_a_marked_view_reads_from_the_replica_and_an_unmarked_one_from_the_primary(one_replica):
    marked: list[str | None] = []
    response = _through_middleware(RequestFactory().get("/"), _reading_view(marked))
    assert marked == ["replica1"]
    assert "hocvuso_pin" not in response.cookies  # a read pins nobody

    unmarked: list[str | None] = []

    def plain(request):  # type: ignore[no-untyped-def]
        unmarked.append(router.db_for_read(CommuneSummary))
        return HttpResponse("ok")

    _through_middleware(RequestFactory().get("/"), plain)
    assert unmarked == [None]  # None: Django's default, the primary
    assert router.db_for_write(CommuneSummary) == "default"
    assert router.allow_migrate("default", "kpi") is True
    assert router.allow_migrate("replica1", "kpi") is False


def test_a_write_pins_the_browser_for_the_window_and_the_request_at_once(one_replica):
    response = _through_middleware(RequestFactory().post("/"), lambda r: HttpResponse("ok"))
    cookie = response.cookies["hocvuso_pin"]
    assert cookie["max-age"] == 15
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    until = float(cookie.value)
    assert time.time() + 14 <= until <= time.time() + 16

    pinned: list[str | None] = []
    request = RequestFactory().get("/", HTTP_COOKIE=f"hocvuso_pin={until}")
    _through_middleware(request, _reading_view(pinned))
    assert pinned == [None]
    ended: list[str | None] = []
    request = RequestFactory().get("/", HTTP_COOKIE=f"hocvuso_pin={time.time() - 1}")
    _through_middleware(request, _reading_view(ended))
    assert ended == ["replica1"]

    # Within one request: once it wrote, it reads what it wrote.
    seen: list[str | None] = []

    @replicas.replica_reads
    def writes_then_reads(request):  # type: ignore[no-untyped-def]
        seen.append(router.db_for_read(CommuneSummary))
        router.db_for_write(CommuneSummary)
        seen.append(router.db_for_read(CommuneSummary))
        return HttpResponse("ok")

    response = _through_middleware(RequestFactory().get("/"), writes_then_reads)
    assert seen == ["replica1", None]
    assert "hocvuso_pin" in response.cookies


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(one_replica):
    seen: list[str | None] = []

    @replicas.replica_reads
    def view(request):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            seen.append(router.db_for_read(CommuneSummary))
        seen.append(router.db_for_read(CommuneSummary))
        return HttpResponse("ok")

    _through_middleware(RequestFactory().get("/"), view)
    assert seen == [None, "replica1"]


def test_without_replicas_nothing_is_routed_and_no_cookie_set(settings):
    settings.HOCVUSO_REPLICAS = []
    seen: list[str | None] = []
    response = _through_middleware(RequestFactory().post("/"), _reading_view(seen))
    assert seen == [None]
    assert "hocvuso_pin" not in response.cookies


def test_a_replica_failing_inside_the_view_runs_it_again_on_the_primary(one_replica):
    runs: list[str | None] = []

    @replicas.replica_reads
    def view(request):  # type: ignore[no-untyped-def]
        runs.append(router.db_for_read(CommuneSummary))
        if runs[-1] == "replica1":
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("from the primary")

    response = _through_middleware(RequestFactory().get("/"), view)
    assert response.content == b"from the primary"
    assert runs == ["replica1", None]
    assert replicas._health["replica1"].usable is False

    # An error of the primary is not hidden: no replica was used, it is raised.
    @replicas.replica_reads
    def broken(request):  # type: ignore[no-untyped-def]
        raise OperationalError("the primary is down")

    with pytest.raises(OperationalError, match="primary is down"):
        _through_middleware(RequestFactory().get("/"), broken)


@pytest.mark.parametrize(
    ("lag", "usable", "reason"),
    [
        (0.0, True, "ok"),
        (9.5, True, "ok"),
        (10.5, False, "lag 10.5 s > 10 s"),
        (None, False, "not in recovery"),
    ],
)
def test_a_replica_behind_the_limit_is_skipped(settings, monkeypatch, lag, usable, reason):
    settings.HOCVUSO_REPLICAS = ["replica1"]
    settings.HOCVUSO_REPLICA_MAX_LAG_SECONDS = 10
    settings.HOCVUSO_REPLICA_CHECK_SECONDS = 2
    replicas.forget_health()
    calls: list[int] = []

    def measured(alias):  # type: ignore[no-untyped-def]
        calls.append(1)
        return lag

    monkeypatch.setattr(replicas, "measure_lag", measured)
    monkeypatch.setattr(replicas, "_close", lambda alias: None)
    assert replicas.pick_replica() == ("replica1" if usable else None)
    health = replicas.replica_health("replica1")
    assert (health.usable, health.lag_s, health.reason) == (usable, lag, reason)
    assert len(calls) == 1  # measured once, remembered for the check interval
    replicas.forget_health()


def test_an_unreachable_replica_is_skipped(settings, monkeypatch):
    monkeypatch.setattr(replicas, "_close", lambda alias: None)
    settings.HOCVUSO_REPLICAS = ["replica1"]
    settings.HOCVUSO_REPLICA_CHECK_SECONDS = 2
    replicas.forget_health()

    def unreachable(alias):  # type: ignore[no-untyped-def]
        raise OperationalError("connection refused")

    monkeypatch.setattr(replicas, "measure_lag", unreachable)
    assert replicas.pick_replica() is None
    assert replicas.replica_health("replica1").reason == "unreachable: OperationalError"
    replicas.forget_health()


def test_the_settings_refuse_a_short_pin_and_never_outlive_a_transaction(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://u@127.0.0.1:5999/x")
    monkeypatch.setenv("HOCVUSO_REPLICA_PIN_SECONDS", "5")
    monkeypatch.setenv("HOCVUSO_REPLICA_MAX_LAG_SECONDS", "10")
    saved = sys.modules.pop("hocvuso.config.settings")
    try:
        with pytest.raises(ImproperlyConfigured, match="HOCVUSO_REPLICA_PIN_SECONDS"):
            importlib.import_module("hocvuso.config.settings")
        monkeypatch.setenv("HOCVUSO_REPLICA_PIN_SECONDS", "12")
        fresh = importlib.import_module("hocvuso.config.settings")
        assert fresh.HOCVUSO_REPLICAS == ["replica1"]
        assert fresh.DATABASES["replica1"]["PORT"] == 5999
        assert fresh.DATABASES["replica1"]["TEST"] == {"MIRROR": "default"}
        # Transaction pooling (pgbouncer): nothing may outlive a transaction.
        monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5998/y")
        sys.modules.pop("hocvuso.config.settings")
        fresh = importlib.import_module("hocvuso.config.settings")
        for alias in ("default", "replica1"):
            assert fresh.DATABASES[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
            options = fresh.DATABASES[alias].get("OPTIONS", {})
            assert "prepare_threshold" not in options  # Django: None, no prepared statements
            assert options.get("server_side_binding") is not True
    finally:
        sys.modules["hocvuso.config.settings"] = saved
