"""One real headless Chromium on a phone-sized screen: log in, find the commune without typing
diacritics, find a household by a member's name, open it, see the member and the masked CCCD.

Uses the system's ``chromium`` (never downloads a browser). Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import PHONE, shot
from tests.factories import OFFICER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_finds_a_household_on_a_phone(
    live_server, units, officer, household, head, member, browser_page
):
    # The data fixtures come before ``browser_page`` so they are written before Playwright starts.
    page = browser_page
    page.goto(live_server.url + reverse("ui:home"))
    assert page.url.startswith(live_server.url + reverse("login"))
    shot(page, "01-login")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + reverse("ui:home"))
    assert "Cán bộ xã" in page.inner_text("header")

    page.fill("#id_q", "lung cu")
    page.press("#id_q", "Enter")
    page.wait_for_load_state()
    link = page.locator("a.row-link", has_text="Xã Lũng Cú")
    shot(page, "02-communes")
    link.click()
    page.wait_for_url(live_server.url + reverse("ui:commune", args=["00715"]))
    assert page.get_by_role("heading", level=1).inner_text() == "Xã Lũng Cú"
    shot(page, "03-commune")

    page.fill("#id_hq", "giang thi my")  # a member who is not the head, without diacritics
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table.stack tbody tr")
    assert rows.count() == 1
    shot(page, "04-search")
    rows.first.get_by_role("link", name="LC-001").click()
    page.wait_for_url(live_server.url + reverse("registry:household", args=[household.pk]))

    members = page.locator("#members")
    assert "Giàng Thị Mỷ" in members.inner_text()
    row = members.locator("tr", has_text="Giàng Mí Pó")
    assert "*********456" in row.inner_text()
    assert "002070123456" not in page.content()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "05-household")
    # Readers who set a large text size (here 200%) still get a page that fits the screen.
    page.add_style_tag(content="html { font-size: 225% !important; }")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    members.scroll_into_view_if_needed()
    shot(page, "05b-household-large-text", full_page=False)

    page.goto(live_server.url + reverse("ui:person", args=[head.pk]))
    shot(page, "06-person")
    page.goto(live_server.url + reverse("registry:person_edit", args=[head.pk]))
    shot(page, "07-person-edit")
