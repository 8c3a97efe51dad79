"""One real headless Chromium on a phone-sized screen: log in, find the commune without typing
diacritics, find a household by a member's name, open it, see the member and the masked CCCD.

Uses the system's ``chromium`` (never downloads a browser). Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.urls import reverse

from tests.conftest import OFFICER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium); browser test skipped")
    return path


@contextmanager
def phone_page(chromium_path: str, *, bypass_csp: bool = True) -> Iterator[Any]:
    """A page of headless Chromium on a phone-sized screen. ``bypass_csp``: let the test inject
    a style (large text); without it the site's own CSP applies, and every console error and
    page error is collected in ``page.errors``."""
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright runs an event loop in this thread; Django's ORM calls in the test are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="vi-VN",
            bypass_csp=bypass_csp,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.errors = errors
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright's loop runs get their own connection (asgiref's
            # Local is per context): close it, or PostgreSQL cannot drop the test database.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_page(chromium_path):  # type: ignore[no-untyped-def]
    with phone_page(chromium_path) as page:
        yield page


def shot(page, name: str, *, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_officer_finds_a_household_on_a_phone(
    live_server, units, officer, household, head, member, browser_page
):
    # The data fixtures come before ``browser_page`` so they are written before Playwright starts.
    page = browser_page
    page.goto(live_server.url + reverse("web:home"))
    assert page.url.startswith(live_server.url + reverse("login"))
    shot(page, "01-login")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server.url + reverse("web:home"))
    assert "Cán bộ xã" in page.inner_text("header")

    page.fill("#id_q", "lung cu")
    page.press("#id_q", "Enter")
    page.wait_for_load_state()
    link = page.get_by_role("link", name="Xã Lũng Cú")
    shot(page, "02-communes")
    link.click()
    page.wait_for_url(live_server.url + reverse("web:commune", args=["00715"]))
    assert page.get_by_role("heading", level=1).inner_text() == "Xã Lũng Cú"
    shot(page, "03-commune")

    page.fill("#id_hq", "giang thi my")  # a member who is not the head, without diacritics
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table.stack tbody tr")
    assert rows.count() == 1
    shot(page, "04-search")
    rows.first.get_by_role("link", name="LC-001").click()
    page.wait_for_url(live_server.url + reverse("web:household", args=[household.pk]))

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

    page.goto(live_server.url + reverse("web:person", args=[head.pk]))
    shot(page, "06-person")
    page.goto(live_server.url + reverse("web:person_edit", args=[head.pk]))
    shot(page, "07-person-edit")
