"""The README's tour as tests: for each demo account the tour names, a real headless Chromium on a
360-px phone signs in as the tour says (the demo's password, and for officers the code
``hocvuso demo_code`` prints), then does what the tour says that account does, and sees what the
tour says it sees. The demo is the real one (``hocvuso demo``, a few households per village).
A step that fails here is a sentence of the README that is not true. Screenshots in
``artifacts/tour/``."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from hocvuso.demo.registry import DEMO_PASSWORD
from tests.browser import ARTIFACTS, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}
ADMIN_PASSWORD = "hocvuso-admin-2026"  # the README's (development only)


@pytest.fixture
def demo(units) -> None:  # type: ignore[no-untyped-def]
    call_command("demo", "--households", "16", "--no-migrate", stdout=io.StringIO())


@pytest.fixture
def tour(live_server, chromium_path, demo):  # type: ignore[no-untyped-def]
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        page.base = live_server.url
        yield page
        assert [e for e in page.errors if "Content Security Policy" in e] == []


def shot(page: Any, name: str) -> None:
    folder = ARTIFACTS / "tour"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], page.url


def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """As the tour says: the password, then — for officers — the 6 digits of `demo_code`."""
    page.goto(page.base + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    if "/tai-khoan/xac-thuc/" in page.url:
        out = io.StringIO()
        call_command("demo_code", username, stdout=out)
        page.fill("#id_code", out.getvalue().strip())
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
    assert "/login/" not in page.url, page.url
    assert "/xac-thuc/" not in page.url, page.url


def test_commune_officer_finds_the_commune_a_household_and_a_person(tour):
    """Steps 1–4: `canbo.lungcu` signs in with the second factor, finds the commune typing
    without diacritics, finds a household by a member's name, opens it and a person."""
    from hocvuso.core.text import fold
    from hocvuso.registry.models import Person

    page = tour
    # A member who is not the head, with a CCCD on record, found by name typed without accents.
    member = (
        Person.objects.filter(commune_id="00715", relationship__in=["spouse", "child"])
        .exclude(cccd_last3="")
        .order_by("full_name")
        .first()
    )
    sign_in(page, "canbo.lungcu")
    page.fill("#id_q", "lung cu")
    page.press("#id_q", "Enter")
    page.wait_for_load_state()
    page.locator("a.row-link", has_text="Xã Lũng Cú").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Xã Lũng Cú"
    assert "Thôn Thèn Pả" in page.content()  # its villages
    fits(page)
    shot(page, "officer-commune")
    page.fill("#id_hq", fold(member.full_name))
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    row = page.locator("table.stack tbody tr", has_text=member.household.code)
    assert row.count() == 1
    row.locator("a", has_text=member.household.code).click()
    page.wait_for_load_state()
    assert member.full_name in page.locator("#members").inner_text()
    fits(page)
    page.locator("#members a", has_text=member.full_name).first.click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert f"*********{member.cccd_last3}" in text  # the CCCD, masked
    assert "Ghi nhận kỹ năng" in text
    fits(page)
    shot(page, "officer-person")


def test_desk_staff_takes_answers_and_closes_the_citizens_request(tour):
    """Step 6: `motcua.lungcu` finds the requests for help on the home with the number waiting
    (the demo citizen has asked once), opens one, takes it, answers it and closes it; the
    desk's day is one tap away."""
    page = tour
    sign_in(page, "motcua.lungcu")
    assert page.locator(".home-work a[href$='/quay/']").count() == 1
    link = page.locator("a.help-worklist")
    assert "đang chờ" in link.inner_text()
    link.click()
    page.wait_for_load_state()
    fits(page)
    page.locator("main a.row-link").first.click()
    page.wait_for_load_state()
    page.click("button.help-take")  # Nhận yêu cầu này
    page.wait_for_load_state()
    assert "Đang được hỗ trợ" in page.locator(".help-state").inner_text()
    page.fill("#id_answer", "Mời bác ra quầy sáng thứ hai")
    page.click("button.help-answer-save")
    page.wait_for_load_state()
    page.click("button.help-close")  # Đóng yêu cầu
    page.wait_for_load_state()
    assert "Đã đóng" in page.locator(".help-state").inner_text()
    fits(page)
    shot(page, "desk-request-closed")
    page.goto(page.base + "/")
    page.locator(".home-work a[href$='/quay/']").click()
    page.wait_for_load_state()
    assert "/quay/" in page.url
    fits(page)


def test_team_member_sees_the_teams_villages_takes_a_household_and_records_a_visit(tour):
    """Steps 6–7: `to.thenpa` opens the door-to-door plan from the home, takes a household and
    records the visit; the plan holds only the team's villages."""
    from hocvuso.teams.models import TeamMember, Visit

    page = tour
    sign_in(page, "to.thenpa")
    team = TeamMember.objects.get(user__username="to.thenpa", removed_at=None).team
    villages = set(team.villages.values_list("name", flat=True))
    assert len(villages) == 3  # "the households of their team's three villages"
    page.locator("a.button", has_text="Kế hoạch đến từng nhà").click()
    page.wait_for_load_state()
    fits(page)
    shot(page, "team-plan")
    row = page.locator("li.household").first
    row.locator("form[action$='/nhan/'] button").click()
    page.wait_for_load_state()
    page.locator("li.household a[href$='/tham/']").first.click()
    page.wait_for_load_state()
    fits(page)
    before = Visit.objects.count()
    page.locator("input[name=present]").first.check()
    page.click("form.visit button[type=submit].primary")
    page.wait_for_load_state()
    assert Visit.objects.count() == before + 1
    assert Visit.objects.order_by("-created_at").first().visited_by.username == "to.thenpa"


def test_youth_volunteer_creates_a_class_from_the_home(tour):
    """Step 6 and 8: `doan.lungcu`'s home leads to the commune's classes; they create one."""
    from hocvuso.classes.models import ClassEvent

    page = tour
    sign_in(page, "doan.lungcu")
    page.locator("a.button", has_text="Tạo lớp học").click()
    page.wait_for_load_state()
    fits(page)
    page.fill("#id_title", "Cài VNeID cho người cao tuổi")
    page.fill("#id_starts_at", "2026-12-20T08:00")
    page.click("main form button[type=submit].primary")
    page.wait_for_load_state()
    assert ClassEvent.objects.filter(title="Cài VNeID cho người cao tuổi").count() == 1
    assert "Cài VNeID cho người cao tuổi" in page.locator("main").inner_text()
    fits(page)
    shot(page, "youth-class-created")


def test_citizen_reaches_their_record_asks_for_help_and_withdraws_it(tour):
    """Step 8: `dan.thenpa`'s home leads to their own record and skills; *Nhờ hỗ trợ* asks for
    help, the request shows under *Yêu cầu hỗ trợ của tôi*, *Rút yêu cầu của tôi* withdraws it."""
    page = tour
    sign_in(page, "dan.thenpa")
    assert page.locator(".home-asked").count() == 1  # "has asked for help once"
    page.locator("a.button", has_text="Hồ sơ và kỹ năng của tôi").click()
    page.wait_for_load_state()
    assert "/nguoi/" in page.url
    fits(page)
    page.goto(page.base + "/")
    page.click("a.help-ask")
    page.wait_for_load_state()
    page.select_option("#id_skill", "pay.qr")
    page.check("input[name=contact][value=visit]")
    page.click("text=Gửi yêu cầu")
    page.wait_for_load_state()
    assert "Chờ người hỗ trợ" in page.locator(".help-state").inner_text()
    page.click("text=Rút yêu cầu của tôi")
    page.wait_for_load_state()
    assert "Đã đóng" in page.locator(".help-state").inner_text()
    assert page.locator("text=Rút yêu cầu của tôi").count() == 0
    fits(page)
    shot(page, "citizen-withdrawn")


def test_province_officer_lands_on_the_province(tour):
    """Step 10: `canbo.tuyenquang`'s home leads to Tuyên Quang's dashboard, its communes behind
    on their targets and the province's monthly report."""
    page = tour
    sign_in(page, "canbo.tuyenquang")
    steering = page.locator(".home-steering")
    assert "Tuyên Quang" in steering.inner_text()
    steering.locator("a", has_text="Báo cáo tháng của tỉnh").click()
    page.wait_for_load_state()
    assert "Tuyên Quang" in page.locator("h1").inner_text()
    page.goto(page.base + "/")
    page.locator(".home-steering a.primary").click()
    page.wait_for_load_state()
    assert "Tuyên Quang" in page.locator("h1").inner_text()
    fits(page)
    shot(page, "province-dashboard")


def test_national_admin_lands_on_the_nation_and_opens_the_back_office(tour):
    """Steps 10 and 12: `admin`'s home leads in one tap to the national dashboard, the national
    monthly report and the targets; `/admin/` is the back office, in Vietnamese."""
    page = tour
    sign_in(page, "admin", ADMIN_PASSWORD)
    steering = page.locator(".home-steering")
    for name in ("Bảng điều khiển toàn quốc", "Báo cáo tháng toàn quốc", "Chỉ tiêu"):
        assert steering.locator("a", has_text=name).count() == 1, name
    steering.locator("a", has_text="Báo cáo tháng toàn quốc").click()
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1
    page.goto(page.base + "/admin/")
    page.wait_for_load_state()
    assert "sổ dân cư" in page.locator("#content").inner_text().lower()
    shot(page, "admin-back-office")


def test_content_editor_lands_on_the_course_content(tour):
    """Step 11: `noidung` lands on *Nội dung khóa học* and opens *Sửa và công bố khóa học*."""
    page = tour
    sign_in(page, "noidung")
    page.locator(".home-content a", has_text="Sửa và công bố khóa học").click()
    page.wait_for_load_state()
    assert "/noi-dung/" in page.url
    fits(page)
    shot(page, "editor-content")
