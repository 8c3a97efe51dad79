"""Background jobs (``core.jobs``): one under way per kind and unit, started only by who may,
claimed by one run, reported with a heartbeat a lost run cannot overwrite, progress (rate, time
left) from the run's own times, results sealed at rest and gone when they expire, and the pages
behind the access policy."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core import crypto, jobs
from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import NotFound
from hocvuso.core.models import Job, JobStatus
from hocvuso.kpi import summaries
from hocvuso.kpi.models import CohortSummary, CommuneSummary
from tests.factories import build_commune, login, make_user

pytestmark = pytest.mark.django_db


def _export(actor, code: str, fmt: str = "csv") -> Job:  # type: ignore[no-untyped-def]
    return jobs.start(
        actor=actor, kind="kpi.export", level="province", code=code,
        params={"fmt": fmt, "area": "all", "lang": "vi"},
    )  # fmt: skip


def test_one_job_under_way_per_kind_unit_and_parameters(commune):
    officer = make_user("tinh", "province_officer", province=commune.province)
    first = _export(officer, commune.province_id)
    assert _export(officer, commune.province_id).pk == first.pk  # the one under way
    assert _export(officer, commune.province_id, "xlsx").pk != first.pk  # other parameters
    assert Job.objects.count() == 2
    jobs.execute(str(first.pk))
    assert Job.objects.get(pk=first.pk).status == JobStatus.DONE
    again = _export(officer, commune.province_id)  # done: a new one
    assert again.pk != first.pk


def test_a_job_is_started_only_by_who_may_and_a_refusal_writes_nothing(commune, other_commune):
    officer = make_user("tinh", "province_officer", province=commune.province)
    clerk = make_user("xa", "commune_officer", commune=commune)
    with pytest.raises(NotFound):
        _export(officer, other_commune.province_id)  # another province
    with pytest.raises(NotFound):
        _export(clerk, commune.province_id)  # a commune officer: not the province's export
    with pytest.raises(NotFound):
        jobs.start(actor=officer, kind="kpi.rebuild")  # country-wide work: national only
    with pytest.raises(NotFound):
        jobs.start(actor=SYSTEM, kind="no.such.kind")
    assert not Job.objects.exists()


def test_the_export_result_is_sealed_downloaded_by_its_owner_and_expires(commune, other_commune):
    build_commune(commune, households=6, seed=31)
    officer = make_user("tinh", "province_officer", province=commune.province)
    job = _export(officer, commune.province_id)
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 1, 1)
    assert job.result.startswith(crypto.PREFIX)  # sealed at rest
    opened = base64.b64decode(crypto.unseal(jobs.RESULT_PURPOSE, job.result)).decode()
    rows = list(csv.reader(io.StringIO(opened.lstrip("\ufeff"))))
    # The province's own row, then its communes: Lũng Cú counts the people built above.
    row = CommuneSummary.objects.get(commune=commune)
    lungcu = [r for r in rows if r[1] == commune.code and r[3] == "identity_level2"]
    assert rows[0][0] == "level"
    assert [(r[6], r[7]) for r in lungcu] == [(str(row.vneid2_16), str(row.persons_16))]
    assert row.persons_16 > 0
    assert job.expires_at is not None
    assert job.expires_at - job.finished_at == dt.timedelta(days=7)

    client = login(officer)
    page = client.get(reverse("ui:job", args=[job.pk])).content.decode()
    assert "Tải về" in page  # Vietnamese first
    download = client.get(reverse("ui:job_result", args=[job.pk]))
    assert download.status_code == 200
    assert download.content.decode() == opened
    assert job.result_name in download["Content-Disposition"]
    # Someone else of the same province, not its owner: not found; a national admin: yes.
    colleague = make_user("tinh2", "province_officer", province=commune.province)
    assert login(colleague).get(reverse("ui:job", args=[job.pk])).status_code == 404
    assert login(colleague).get(reverse("ui:job_result", args=[job.pk])).status_code == 404
    admin = make_user("quocgia", "national_admin")
    assert login(admin).get(reverse("ui:job_result", args=[job.pk])).status_code == 200
    # Past its time: the file is emptied and the page says so.
    assert jobs.expire(job.expires_at + dt.timedelta(seconds=1)) == 1
    assert Job.objects.get(pk=job.pk).result == ""
    assert client.get(reverse("ui:job_result", args=[job.pk])).status_code == 404
    assert "đã hết hạn" in client.get(reverse("ui:job", args=[job.pk])).content.decode()


def test_one_claim_wins_and_a_lost_run_cannot_report(commune, settings):
    job = jobs.start(actor=SYSTEM, kind="kpi.rebuild")
    first = jobs.claim(str(job.pk))
    assert first is not None
    assert jobs.claim(str(job.pk)) is None  # held, heartbeat fresh
    run = jobs.Run(first)
    run.progress(10, 100, checkpoint={"after": "00010"})
    # Its heartbeat lapses; another run claims the job and resumes from the checkpoint.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    assert jobs.revive() == [str(job.pk)]
    second = jobs.claim(str(job.pk))
    assert second is not None
    assert (second.attempts, second.resumed_from, second.checkpoint) == (2, 10, {"after": "00010"})
    with pytest.raises(jobs.Lost):
        run.progress(20, 100, checkpoint={"after": "00020"})  # the first run, stale
    stored = Job.objects.get(pk=job.pk)
    assert (stored.done, stored.checkpoint) == (10, {"after": "00010"})


def test_progress_rate_and_time_left_come_from_the_runs_own_times():
    now = timezone.now()
    job = Job(
        status=JobStatus.RUNNING, done=250, total=1000, resumed_from=50,
        claimed_at=now - dt.timedelta(seconds=40), heartbeat_at=now,
    )  # fmt: skip
    p = jobs.progress_of(job, now)
    assert p.percent == 25
    assert p.rate == 5.0  # 200 since this run began, in 40 s
    assert p.left == dt.timedelta(seconds=150)  # 750 left at 5 a second
    job.status = JobStatus.DONE
    assert jobs.progress_of(job, now).rate is None


def test_the_rebuild_job_repairs_the_figures_and_shows_its_progress(commune, national_client):
    build_commune(commune, households=8, seed=32)
    CohortSummary.objects.filter(commune=commune).update(vneid2=99)
    assert summaries.check() != []
    response = national_client.post(reverse("ui:job_start"), {"kind": "kpi.rebuild"})
    job = Job.objects.get()
    assert response["Location"] == reverse("ui:job", args=[job.pk])
    page = national_client.get(response["Location"]).content.decode()
    assert "Đang chờ" in page  # queued: waiting for its turn
    assert 'http-equiv="refresh"' in page
    jobs.execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.done == job.total > 3000
    assert summaries.check() == []
    page = national_client.get(reverse("ui:job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page  # done: no more refreshing
    assert f"{job.total:,}".replace(",", ".") in page


def test_each_country_wide_kind_does_its_work(other_commune, head, settings):
    """The kinds national administrators start: each run does what its command does, notes its
    figures, and resumes after its checkpoint."""
    from hocvuso.kpi.models import MonthSummary
    from hocvuso.registry import cccd as cccd_lib
    from hocvuso.registry.models import Person
    from hocvuso.skills.models import PersonSkillStatus

    commune = other_commune
    build_commune(commune, households=6, seed=33)

    def run(kind: str, **params: object) -> Job:
        job = jobs.start(actor=SYSTEM, kind=kind, params=params)
        jobs.execute(str(job.pk))
        job.refresh_from_db()
        assert job.status == JobStatus.DONE, (kind, job.error)
        return job

    # Rebuild with two months of history: the month rows of the two months before this one.
    CohortSummary.objects.filter(commune=commune).update(bank=0)
    job = run("kpi.rebuild", history=2)
    assert summaries.check() == []
    assert job.summary["month_rows"] == 2 * CommuneSummary.objects.filter(persons__gt=0).count()
    last = summaries.previous_month(summaries.month_of(timezone.localdate()))
    assert MonthSummary.objects.filter(commune=commune, month=last).exists()
    # The check: a planted difference is its result file, by its key and column.
    CommuneSummary.objects.filter(commune=commune).update(households=999)
    job = run("kpi.check")
    assert job.summary == {"differences": 1}  # the commune row (its month row is right)
    text = jobs.result_of(job)
    assert text is not None
    assert f"commune {commune.code} households: stored 999" in text.decode()
    # The statuses recounted from the events: a wrong one put right.
    status = PersonSkillStatus.objects.filter(person__commune=commune, vneid_level=2).first()
    assert status is not None
    PersonSkillStatus.objects.filter(pk=status.pk).update(vneid_level=0)
    job = run("skills.status_rebuild")
    assert job.summary["differences"] >= 1
    assert PersonSkillStatus.objects.get(pk=status.pk).vneid_level == 2
    # The key rotation: with the old key dropped afterwards, the CCCD is still found and shown.
    old_key = settings.HOCVUSO_ID_KEYS[0]
    settings.HOCVUSO_ID_KEYS = ["a-brand-new-key-for-2027", old_key]
    job = run("registry.rotate_id_key")
    protected = Person.objects.exclude(cccd_ciphertext="")
    assert job.summary == {"rewritten": protected.count()}
    assert job.done == job.total == protected.count() > 0
    settings.HOCVUSO_ID_KEYS = ["a-brand-new-key-for-2027"]
    rotated = Person.objects.get(pk=head.pk)
    assert rotated.cccd_hash == cccd_lib.lookup_hash("002070123456")
    assert cccd_lib.reveal(rotated.cccd_ciphertext) == "002070123456"


@pytest.mark.django_db(transaction=True)
def test_a_long_step_keeps_its_heartbeat_until_it_ends_and_stops_once_the_claim_is_lost(
    settings,
):
    import time

    settings.HOCVUSO_JOB_LEASE_SECONDS = 0.3
    job = jobs.start(actor=SYSTEM, kind="kpi.check")
    claimed = jobs.claim(str(job.pk))
    assert claimed is not None
    run = jobs.Run(claimed)
    start = Job.objects.get(pk=job.pk).heartbeat_at
    with run.keeping_alive():
        time.sleep(1.0)  # a step that reports nothing for three leases
        beat = Job.objects.get(pk=job.pk).heartbeat_at
        assert beat > start
        # Another run takes the job over: the thread stops renewing a claim it lost.
        Job.objects.filter(pk=job.pk).update(claimed_at=timezone.now())
        time.sleep(0.3)
        taken = Job.objects.get(pk=job.pk).heartbeat_at
        time.sleep(0.5)
        assert Job.objects.get(pk=job.pk).heartbeat_at == taken
    # Without it, the same silence lets the job be revived.
    Job.objects.filter(pk=job.pk).update(claimed_at=claimed.claimed_at)
    time.sleep(0.4)
    assert jobs.revive() == [str(job.pk)]
