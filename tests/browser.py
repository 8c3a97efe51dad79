"""Driving Debian's headless Chromium with Playwright (never a downloaded browser): a page on a
phone-sized screen, and screenshots in ``artifacts/``. The ``chromium_path`` and
``browser_page`` fixtures are in the root conftest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"width": 390, "height": 844}


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


def shot(page, name: str, *, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
