"""A background export in headless Chromium on a 360-px phone, the site's own CSP enforced: a
province officer asks for the province's Excel in the background, lands on the job's page
(waiting, then running with done / total, rate and time left — the page refreshes itself), and
downloads the file once the worker is done. Screenshots in ``artifacts/jobs-*.png``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.core import jobs
from hocvuso.core.models import Job, JobStatus
from tests.browser import phone_page, shot
from tests.factories import OFFICER_PASSWORD, build_commune, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_a_background_export_on_a_small_phone(live_server, commune, chromium_path):
    build_commune(commune, households=5, seed=51)
    officer = make_user("tinh.nen", "province_officer", province=commune.province)
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        url = live_server.url + reverse("kpi:province", args=[commune.province_id])
        page.goto(url)
        page.fill("#id_username", officer.username)
        page.fill("#id_password", OFFICER_PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(url)
        page.click("text=Chuẩn bị tệp Excel ở chế độ nền")
        page.wait_for_url("**/cong-viec/**")
        job = Job.objects.get()
        assert (job.kind, job.level, job.code) == ("kpi.export", "province", commune.province_id)
        assert page.locator("h1").inner_text() == "Xuất bảng điều khiển"
        assert "Đang chờ" in page.locator("[role=status]").inner_text()
        _fits(page)
        shot(page, "jobs-01-queued")
        # A worker claims it and reports half of it done: the page shows it at its next refresh.
        run = jobs.Run(jobs.claim(str(job.pk)))  # type: ignore[arg-type]
        run.progress(1, 2)
        page.locator("#progress-text", has_text="1 / 2").wait_for(timeout=15_000)
        assert page.locator("progress.bar").get_attribute("value") == "1"
        assert page.locator("#left").inner_text() != ""
        _fits(page)
        shot(page, "jobs-02-running")
        # The worker finishes (the same run): the file is offered, and downloads.
        Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, heartbeat_at=None)
        jobs.execute(str(job.pk))
        page.wait_for_selector("#result a.button", timeout=15_000)
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        _fits(page)
        shot(page, "jobs-03-done")
        with page.expect_download() as download:
            page.click("#result a.button")
        assert download.value.suggested_filename.endswith(".xlsx")
        assert download.value.suggested_filename.startswith(
            f"hocvuso-province-{commune.province_id}"
        )
        assert page.errors == []
