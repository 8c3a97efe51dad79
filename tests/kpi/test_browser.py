"""Headless Chromium (phone screen, the site's own CSP enforced): the national dashboard and its
map render with no console error; a tap on a province opens its dashboard with its communes as
points; the commune dashboard fits the phone. Screenshots go to ``artifacts/``.

Same launch pattern and skip rule as tests/web/test_browser.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.kpi import summaries
from hocvuso.kpi.models import Target
from tests.browser import PHONE, phone_page, shot
from tests.factories import OFFICER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strict_page(chromium_path):  # type: ignore[no-untyped-def]
    """The site's own CSP applies (no bypass); console errors are collected."""
    with phone_page(chromium_path, bypass_csp=False) as page:
        yield page


def test_national_dashboard_and_map_on_a_phone(live_server, kpi_world, national_admin, strict_page):
    summaries.backfill(
        [kpi_world.lungcu.code, kpi_world.neighbour.code, kpi_world.hanoi.code], months=5
    )
    page = strict_page
    url = live_server.url + reverse("kpi:national")
    page.goto(url)
    page.fill("#id_username", national_admin.username)
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(url)
    assert page.locator("h1").inner_text().startswith("Bảng điều khiển")
    assert page.locator(".map svg path").count() >= 34
    assert page.locator(".kpi").count() >= 10
    assert page.locator("table.rank tbody tr").count() == 34
    assert page.locator(".spark polyline").count() >= 5  # months of history drawn
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "kpi-01-national")
    # Every commune as a point.
    page.click("text=Hiện tất cả các xã")
    page.wait_for_load_state()
    assert page.locator(".map circle.pt").count() > 3000
    shot(page, "kpi-02-national-communes")
    # Drill down: Tuyên Quang on the map.
    page.locator(
        f".map a[href*='/tinh/{kpi_world.lungcu.province_id}/'] path"
    ).first.dispatch_event("click")
    page.wait_for_url(f"**/tinh/{kpi_world.lungcu.province_id}/**")
    assert page.locator(".map circle.pt").count() > 50
    assert page.locator("table.rank tbody tr").first.locator("th").inner_text() != ""
    shot(page, "kpi-03-province")
    page.locator(f"table.rank a[href*='/xa/{kpi_world.lungcu.code}/']").click()
    page.wait_for_url(f"**/xa/{kpi_world.lungcu.code}/**")
    assert kpi_world.lungcu.name in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "kpi-04-commune")
    page.goto(live_server.url + reverse("kpi:commune_report", args=[kpi_world.lungcu.code]))
    shot(page, "kpi-05-report")
    # Setting a target as a person would: the form's own choices, a Vietnamese decimal comma.
    page.goto(
        live_server.url + reverse("kpi:targets_province", args=[kpi_world.lungcu.province_id])
    )
    page.select_option("#t-unit", f"c:{kpi_world.lungcu.code}")
    page.select_option("#t-ind", "bank_account")
    page.fill("#t-value", "62,5")
    page.click("form.targets-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".msg").inner_text() == "Đã lưu chỉ tiêu."
    target = Target.objects.get(commune=kpi_world.lungcu, indicator_id="bank_account")
    assert target.value == Decimal("62.50")
    assert target.year == timezone.localdate().year
    shot(page, "kpi-06-targets")
    assert page.errors == []  # type: ignore[attr-defined]


def test_national_admin_home_leads_to_the_national_report(
    live_server, kpi_world, national_admin, strict_page
):
    """One tap from the home to the nation's monthly report: a row per province, on a phone."""
    summaries.backfill(
        [kpi_world.lungcu.code, kpi_world.neighbour.code, kpi_world.hanoi.code], months=2
    )
    page = strict_page
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", national_admin.username)
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "kpi-06-national-home")
    page.click("text=Báo cáo tháng toàn quốc")
    page.wait_for_url(f"**{reverse('kpi:national_report')}")
    assert "Việt Nam" in page.locator("h1").inner_text()
    assert page.locator(".report table").nth(1).locator("tbody tr").count() == 34
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "kpi-07-national-report", full_page=False)
    page.locator(".report h2").first.scroll_into_view_if_needed()
    shot(page, "kpi-08-national-report-provinces", full_page=False)
    assert [e for e in page.errors if "Content Security Policy" in e] == []
