"""Asking for help on a 360-px phone, the site's own CSP enforced: the citizen asks from their
home, the village's team member finds the request on their home, takes it, answers it and
closes it, and the citizen sees it closed with the answer. No page is wider than the screen.
Screenshots go to ``artifacts/``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.assistance.models import HelpRequest
from hocvuso.core.actors import SYSTEM
from hocvuso.roles.services import role_grant
from tests.browser import phone_page, shot
from tests.factories import OFFICER_PASSWORD, make_user
from tests.ui.test_layout_sweep import AXE, LARGE_TEXT, _axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}


def _sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


SEEN: list[tuple[str, list[dict[str, object]]]] = []


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    """No wider than the screen; the page is kept (with the user's cookies) for the large-text
    and axe-core pass at the end."""
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], page.url
    SEEN.append((page.url, page.context.cookies()))


def _large_text_and_axe(chromium_path: str) -> None:
    """Each page seen again with the text at 200 %: no wider than the screen, and no critical or
    serious axe-core violation (axe is injected, so this pass lets the page's CSP through)."""
    report: list[str] = []
    with phone_page(chromium_path) as page:
        page.set_viewport_size(NARROW)
        for url, cookies in SEEN:
            page.context.clear_cookies()
            page.context.add_cookies(cookies)  # type: ignore[arg-type]
            page.goto(url)
            page.wait_for_load_state()
            page.add_style_tag(content=LARGE_TEXT)
            # Against the width set, not innerWidth: a phone browser widens its layout viewport
            # to fit what overflows, so innerWidth would hide it.
            wider = int(page.evaluate("document.documentElement.scrollWidth")) - NARROW["width"]
            if wider > 0:
                report.append(f"{url}: {wider} px wider than the screen")
            if AXE.exists():
                report += [f"{url}: {v}" for v in _axe(page)]
    assert report == [], "\n" + "\n".join(report)


def test_a_citizen_asks_the_team_answers_and_closes(live_server, chromium_path, head, village):
    SEEN.clear()
    citizen = make_user("gmp.nho")
    role_grant(actor=SYSTEM, user=citizen, role="citizen", person=head)
    member = make_user("to.nho", "team_member", villages=[village])
    base = live_server.url
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _sign_in(page, base, citizen.username)
        page.click("a.help-ask")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Nhờ hỗ trợ"
        page.select_option("#id_skill", "pay.qr")
        page.fill("#id_need", "Con tôi ở xa, tôi muốn nhận tiền qua mã QR")
        page.check("input[name=contact][value=visit]")
        _fits(page)
        shot(page, "help-ask-360")
        page.click("text=Gửi yêu cầu")
        page.wait_for_load_state()
        assert "Chờ người hỗ trợ" in page.locator(".help-state").inner_text()
        _fits(page)
        assert [e for e in page.errors if "Content Security Policy" in e] == []
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _sign_in(page, base, member.username)
        link = page.locator("a.help-worklist")
        assert "1 đang chờ" in link.inner_text()
        link.click()
        page.wait_for_load_state()
        _fits(page)
        shot(page, "help-worklist-360")
        page.click(f"text={head.full_name}")
        page.wait_for_load_state()
        page.click("button.help-take")
        page.wait_for_load_state()
        assert "Đang được hỗ trợ" in page.locator(".help-state").inner_text()
        page.fill("#id_answer", "Sáng mai tổ đến nhà hướng dẫn bác")
        page.click("button.help-answer-save")
        page.wait_for_load_state()
        _fits(page)
        shot(page, "help-answered-360")
        page.click("button.help-close")
        page.wait_for_load_state()
        assert "Đã đóng" in page.locator(".help-state").inner_text()
        assert [e for e in page.errors if "Content Security Policy" in e] == []
    assert HelpRequest.objects.get().status == "closed"
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _sign_in(page, base, citizen.username)
        mine = page.locator(".home-asked")
        assert "Đã đóng" in mine.inner_text()
        _fits(page)
        shot(page, "help-home-closed-360")
        mine.locator("a.row-link").first.click()
        page.wait_for_load_state()
        assert "Sáng mai tổ đến nhà hướng dẫn bác" in page.locator(".help-answer").inner_text()
        assert page.locator("button.help-take").count() == 0
        _fits(page)
    _large_text_and_axe(chromium_path)
