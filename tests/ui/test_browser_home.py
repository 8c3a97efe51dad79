"""A citizen on a 360-px phone, the site's own CSP enforced: signs in, lands on their own page,
opens their record and skills; a youth volunteer lands on their commune's classes. No page is
wider than the screen. Screenshots go to ``artifacts/``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.core.actors import SYSTEM
from hocvuso.roles.services import role_grant
from tests.browser import phone_page, shot
from tests.factories import OFFICER_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}


def _sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def test_citizen_and_volunteer_homes_on_a_small_phone(live_server, chromium_path, head, commune):
    citizen = make_user("gmp.phone")
    role_grant(actor=SYSTEM, user=citizen, role="citizen", person=head)
    volunteer = make_user("doan.phone", "youth_volunteer", commune=commune)
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _sign_in(page, live_server.url, citizen.username)
        page.goto(live_server.url + reverse("ui:home"))
        assert page.locator("h1").inner_text() == "Xin chào, gmp.phone"
        assert "Trang của tôi" in page.locator("h2").first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "home-citizen-360")
        page.click("text=Hồ sơ và kỹ năng của tôi")
        page.wait_for_load_state()
        assert "Giàng Mí Pó" in page.locator("h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "home-citizen-record-360")
        assert [e for e in page.errors if "Content Security Policy" in e] == []
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _sign_in(page, live_server.url, volunteer.username)
        page.goto(live_server.url + reverse("ui:home"))
        page.click("text=Các lớp học của xã")
        page.wait_for_load_state()
        assert page.url.endswith(reverse("classes:list", args=[commune.code]))
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "home-volunteer-classes-360")
