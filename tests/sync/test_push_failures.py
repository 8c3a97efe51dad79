"""A push that dies in the middle leaves nothing — an error in the process, and a real server
process killed (SIGKILL) half-way through a batch; the same batch sent twice at once is stored
once (PostgreSQL: two connections racing); eight phones of one commune at once lose no update."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from django.db import connection, connections

from hocvuso.sync import services
from hocvuso.sync.models import Device, SyncRecord
from hocvuso.sync.services import push_apply
from hocvuso.teams.models import Claim, Visit
from tests.sync.conftest import visit_data


@pytest.mark.django_db
def test_a_server_killed_in_the_middle_of_a_batch_commits_nothing(sync_world, monkeypatch):
    w = sync_world
    hs = w.households()[:3]
    records = [w.phone.record("claim", {"household_id": str(h.pk)}) for h in hs] + [
        w.phone.record("visit", visit_data(h, w.members(h)[:1], ["vneid.install"])) for h in hs
    ]
    real = services.APPLY["visit"]

    def dies_after_writing(actor: Any, items: list[Any]) -> None:
        real(actor, items)  # the visits are written…
        raise RuntimeError("the server stops here")  # …and the process dies before the log

    monkeypatch.setitem(services.APPLY, "visit", dies_after_writing)
    response = w.phone.push(records)
    assert response.status_code == 500
    assert (Visit.objects.count(), Claim.objects.count(), SyncRecord.objects.count()) == (0, 0, 0)
    assert Device.objects.get(pk=w.phone.device.pk).last_seq == 0
    # The phone heard nothing and sends the same batch again: everything lands, once.
    monkeypatch.setitem(services.APPLY, "visit", real)
    body = w.phone.push(records).json()
    assert [a["status"] for a in body["answers"]] == ["accepted"] * 6
    assert (Visit.objects.count(), Claim.objects.count(), SyncRecord.objects.count()) == (3, 3, 6)


@pytest.mark.django_db(transaction=True)
def test_the_same_batch_sent_twice_at_once_is_stored_once(sync_world):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite serialises the whole database)")
    w = sync_world
    hs = w.households()[:5]
    records = [
        w.phone.record("visit", visit_data(h, w.members(h)[:2], ["bank.account"])) for h in hs
    ]
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(push_apply(device=w.phone.device, records=records))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    statuses = sorted(tuple(a.status for a in r.answers) for r in results)
    assert statuses == [("accepted",) * 5, ("duplicate",) * 5]
    assert Visit.objects.filter(pk__in=[r["id"] for r in records]).count() == 5
    assert SyncRecord.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_eight_devices_of_one_commune_pushing_at_once_lose_no_update(sync_world, officer):
    """Eight members' phones push visits with gains at the same moment, each in its own
    connection: no deadlock, every record accepted, and the commune's summary row — which all
    eight move in their own transactions — equals a recount by hand."""
    if connection.vendor != "postgresql":
        pytest.skip("writers at once need PostgreSQL (SQLite serialises the whole database)")
    from django.utils import timezone

    from hocvuso.kpi.models import CommuneSummary
    from hocvuso.skills.models import SkillEvent
    from hocvuso.teams.services import team_member_add
    from tests.factories import make_user, recount_by_hand
    from tests.sync.conftest import Phone

    w = sync_world
    phones = [w.phone, w.other_phone]
    for i in range(6):
        user = make_user(f"to.them.{i}")
        team_member_add(actor=officer, team=w.team, user=user)
        phones.append(Phone(*services.device_register(actor=user, name=f"Máy {i}")))
    households = [h for h in w.households() if w.members(h)]
    assert len(households) >= 16
    batches = [
        [
            phone.record("visit", visit_data(h, w.members(h)[:3], ["bank.account", "3.1"]))
            for h in households[i::8]
        ]
        for i, phone in enumerate(phones)
    ]
    events_before = SkillEvent.objects.count()
    barrier = threading.Barrier(len(phones))
    results: list[Any] = []
    errors: list[BaseException] = []

    def send(phone: Any, records: list[Any]) -> None:
        try:
            barrier.wait()
            results.append(push_apply(device=phone.device, records=records))
        except BaseException as exc:  # a deadlock surfaces here
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=pair) for pair in zip(phones, batches, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(r.answers) for r in results) == sorted(len(b) for b in batches)
    assert {a.status for r in results for a in r.answers} == {"accepted"}
    sent = sum(len(b) for b in batches)
    assert Visit.objects.count() == sent
    gained = sum(len(rec["data"]["present"]) * 2 for b in batches for rec in b)
    assert SkillEvent.objects.count() - events_before == gained
    want = recount_by_hand([w.commune.code], timezone.localdate().year)
    row = CommuneSummary.objects.get(commune_id=w.commune.code)
    assert {k: getattr(row, k) for k in want} == want
    assert row.households_visited == len(households)


@pytest.mark.django_db(transaction=True)
def test_a_server_process_killed_in_the_middle_of_a_batch_loses_and_doubles_nothing(
    sync_world, tmp_path
):
    """A real server process (``hocvuso runserver``) is killed (SIGKILL) while it applies a
    batch: its visits are written, then it waits on a row another session holds, and dies there.
    Nothing of the batch stays; the phone sends the same batch again: stored once."""
    if connection.vendor != "postgresql":
        pytest.skip("another session holding a row needs PostgreSQL")
    import json
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    import psycopg
    from django.conf import settings

    from tests.core.test_server_logs import _free_port

    w = sync_world
    hs = [h for h in w.households() if w.members(h)][:4]
    records = [
        w.phone.record("visit", visit_data(h, w.members(h)[:2], ["bank.account"])) for h in hs
    ]
    held = w.members(hs[-1])[0]
    db = connection.settings_dict
    dsn = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCVUSO_")}
    env.update(
        DATABASE_URL=dsn,
        HOCVUSO_DATA_DIR=str(settings.DATA_DIR),  # the same keys as this test's process
        HOCVUSO_REQUIRE_2FA="0",
        HOCVUSO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="hocvuso.config.settings",
        PYTHONUNBUFFERED="1",
    )
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "hocvuso", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    blocker = psycopg.connect(dsn)
    try:
        for _ in range(300):  # the server is up
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        # Another session holds one person of the batch: the push writes its visits, then waits
        # for that row (the skill events lock their people).
        blocker.execute("SELECT id FROM registry_person WHERE id = %s FOR UPDATE", [held.pk])
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/sync/push",
            data=json.dumps({"records": records}).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {w.phone.secret}"},
        )  # fmt: skip
        sent = threading.Thread(target=_send_dying, args=(request,))
        sent.start()
        waiting = None
        with psycopg.connect(dsn, autocommit=True) as watch:
            for _ in range(300):
                waiting = watch.execute(
                    "SELECT pid, backend_xid IS NOT NULL FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).fetchone()
                if waiting:
                    break
                time.sleep(0.1)
            assert waiting is not None, (tmp_path / "server.log").read_text()[-2000:]
            assert waiting[1] is True  # the blocked transaction has written already
            os.kill(server.pid, signal.SIGKILL)  # the server dies in the middle of the batch
            server.wait(timeout=30)
            blocker.rollback()  # the row is free: the orphaned transaction cannot go on
            for _ in range(300):
                alive = watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [waiting[0]]
                ).fetchone()[0]
                if not alive:
                    break
                time.sleep(0.1)
            assert alive == 0
        sent.join(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
        blocker.close()
        log.close()
    assert (Visit.objects.count(), SyncRecord.objects.count()) == (0, 0)
    assert Device.objects.get(pk=w.phone.device.pk).last_seq == 0
    # The phone heard nothing and sends the same batch again: everything lands, once.
    body = w.phone.push(records).json()
    assert [a["status"] for a in body["answers"]] == ["accepted"] * len(records)
    body = w.phone.push(records).json()
    assert [a["status"] for a in body["answers"]] == ["duplicate"] * len(records)
    assert (Visit.objects.count(), SyncRecord.objects.count()) == (len(records), len(records))


def _send_dying(request: Any) -> None:
    """Send ``request`` to a server that dies before answering (its error is the point)."""
    import urllib.request

    with contextlib.suppress(OSError):
        urllib.request.urlopen(request, timeout=60)  # noqa: S310
