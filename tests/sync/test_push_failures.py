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
