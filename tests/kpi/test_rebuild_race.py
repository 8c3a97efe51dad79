"""A recount of whole tables racing a live write (PostgreSQL, two connections): the write in
flight when ``rebuild_summaries`` starts is counted, not overwritten (``kpi.summaries.locks``).

The writer records a skill event and adds its deltas to the summary rows, then holds its
transaction open; the rebuild starts and must wait; the writer commits; the rebuild finishes.
Without the lock the rebuild's recount, read before the writer committed, waited on the
writer's summary rows and then replaced them by counts that lack the event."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.kpi import summaries
from hocvuso.kpi.models import CohortSummary
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.models import Skill, SkillEvent
from hocvuso.skills.services import skill_event_record

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_on_a_lock(pid: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT wait_event FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            [pid],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _with_bank_account(commune: Any) -> int:
    rows = CohortSummary.objects.filter(commune=commune).values_list("bank", flat=True)
    return sum(rows)


def test_a_rebuild_counts_the_write_in_flight_when_it_started(commune):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite serialises the whole database)")
    household = household_create(actor=SYSTEM, commune=commune, code="R-1")
    people = [
        person_register(
            actor=SYSTEM, household=household, full_name=f"Người {i}", sex="F", birth_year=1980
        )
        for i in range(3)
    ]
    summaries.rebuild()
    assert summaries.check() == []
    skill = Skill.objects.get(code="bank.account")
    assert _with_bank_account(commune) == 0
    written, commit = threading.Event(), threading.Event()
    rebuild_pid: list[int] = []
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with transaction.atomic():
                skill_event_record(
                    actor=SYSTEM,
                    id=uuid7(),
                    person=people[0],
                    skill=skill,
                    happened_on=timezone.localdate(),
                    channel="home_visit",
                )
                written.set()  # the deltas are in the summary rows, not yet committed
                assert commit.wait(60)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            written.set()
        finally:
            connections.close_all()

    def rebuild() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                rebuild_pid.append(cursor.fetchone()[0])
            summaries.rebuild()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    assert written.wait(60)
    recounter = threading.Thread(target=rebuild)
    recounter.start()
    waited: str | None = None
    for _ in range(600):  # the rebuild reaches a lock the writer holds, and waits
        if rebuild_pid and (waited := _waiting_on_a_lock(rebuild_pid[0])):
            break
        time.sleep(0.05)
    commit.set()
    writer.join(60)
    recounter.join(120)
    assert errors == []
    assert waited is not None  # the rebuild did wait for the writer
    assert SkillEvent.objects.filter(person=people[0]).count() == 1
    assert _with_bank_account(commune) == 1  # the one person given an account, by hand
    assert summaries.check() == []  # the figures equal a recount: the event was not lost
    assert waited == "advisory"  # it waited before reading, not on a row half-way through
