"""The platform's own scheduler: each due run is recorded once whatever the number of
schedulers, run by the task worker with its end recorded, and a missed run shows on the health
check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core import schedule
from hocvuso.core.models import ScheduledRun

pytestmark = pytest.mark.django_db


def _local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))  # noqa: DTZ001 - made aware, local time


def test_latest_due_times_follow_the_local_clock():
    daily, _purge, weekly, _partitions = schedule.SCHEDULE
    # Tuesday 1 December 2026, 00:04 local: yesterday's 00:05 is the latest daily due time.
    assert schedule.latest_due(daily, _local(2026, 12, 1, 0, 4)) == _local(2026, 11, 30, 0, 5)
    assert schedule.latest_due(daily, _local(2026, 12, 1, 0, 5)) == _local(2026, 12, 1, 0, 5)
    # check_summaries on Mondays at 01:00: from a Tuesday, the day before.
    assert schedule.latest_due(weekly, _local(2026, 12, 1, 9, 0)) == _local(2026, 11, 30, 1, 0)
    assert schedule.latest_due(weekly, _local(2026, 11, 30, 0, 59)) == _local(2026, 11, 23, 1, 0)


def test_a_due_run_is_recorded_and_enqueued_once(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    now = _local(2026, 12, 1, 2, 0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = schedule.tick(now)
    assert sorted(first) == [
        "check_summaries", "partitions", "purge_import_rejects", "roll_summaries",
    ]  # fmt: skip
    assert len(callbacks) == 4
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert schedule.tick(now) == []  # a second scheduler, or the next minute: nothing
        assert schedule.tick(now + dt.timedelta(minutes=1)) == []
    assert callbacks == []
    assert ScheduledRun.objects.count() == 4


def test_a_run_records_its_end_and_runs_once(units):
    run = ScheduledRun.objects.create(job="purge_import_rejects", due_at=_local(2026, 12, 1, 0, 20))
    schedule.run(run.pk)
    run.refresh_from_db()
    assert run.ok is True
    assert run.finished_at is not None
    assert '"jobs_emptied": 0' in run.output
    finished = run.finished_at
    schedule.run(run.pk)  # a retried task: already started, left alone
    run.refresh_from_db()
    assert run.finished_at == finished


def test_a_failing_job_is_recorded_as_failed(units, monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr("django.core.management.call_command", broken)
    run = ScheduledRun.objects.create(job="roll_summaries", due_at=_local(2026, 12, 1, 0, 5))
    schedule.run(run.pk)
    run.refresh_from_db()
    assert (run.ok, "disk full" in run.output) == (False, True)


def test_missed_runs(units):
    now = _local(2026, 12, 1, 9, 0)  # a Tuesday morning
    assert schedule.missed(now) == []  # a new installation: its scheduler never ran
    # Yesterday's runs all recorded and done well; today's daily ones recorded, one failed.
    for job in schedule.SCHEDULE:
        ScheduledRun.objects.create(
            job=job.command,
            due_at=schedule.latest_due(job, now - dt.timedelta(days=1)),
            finished_at=now,
            ok=True,
        )
    ScheduledRun.objects.create(
        job="roll_summaries", due_at=_local(2026, 12, 1, 0, 5), finished_at=now, ok=True
    )
    ScheduledRun.objects.create(
        job="purge_import_rejects", due_at=_local(2026, 12, 1, 0, 20), finished_at=now, ok=False
    )
    ScheduledRun.objects.create(
        job="partitions", due_at=_local(2026, 12, 1, 0, 30), finished_at=now, ok=True
    )
    # roll ok; purge failed; partitions ok; the weekly check (due Monday 01:00) was recorded
    # yesterday and ok.
    assert schedule.missed(now) == ["purge_import_rejects"]
    # Within its grace a failed run is not yet reported missed.
    assert schedule.missed(_local(2026, 12, 1, 1, 0)) == []
    # A day the scheduler did not run: tomorrow's daily runs are missed once past their grace.
    assert schedule.missed(_local(2026, 12, 2, 9, 0)) == [
        "roll_summaries", "purge_import_rejects", "partitions",
    ]  # fmt: skip


def test_the_health_check_reports_missed_runs(client, units, monkeypatch):
    body = client.get(reverse("healthz")).json()
    assert (body["status"], body["scheduled"]["missed"]) == ("ok", [])
    assert body["scheduled"]["last"]["roll_summaries"] is None
    monkeypatch.setattr(schedule, "missed", lambda now=None: ["check_summaries"])
    body = client.get(reverse("healthz")).json()
    assert (body["status"], body["scheduled"]["missed"]) == ("degraded", ["check_summaries"])
