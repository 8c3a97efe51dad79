"""A push that dies in the middle leaves nothing; the same batch sent twice at once is stored
once (PostgreSQL: two connections racing)."""

from __future__ import annotations

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
