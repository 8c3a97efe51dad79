"""A lesson of the learning app read once with signal opens again without it (the field app's
service worker keeps it, with its styles); a lesson never opened does not. Headless Chromium on
a 360-px phone under the site's CSP. Screenshot ``artifacts/learning-offline-lesson.png``."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.browser import shot
from tests.factories import OFFICER_PASSWORD
from tests.learning.conftest import COURSE
from tests.sync.test_browser_field import SCREEN, _until, phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lesson_read_with_signal_opens_again_offline(live_server, learning, chromium_path):
    base = live_server.url
    lesson = reverse("learning:lesson", args=[COURSE, 1])
    with phone(chromium_path) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + reverse("login"))
        page.fill("#id_username", "hoc_vien")
        page.fill("#id_password", OFFICER_PASSWORD)
        page.click("main button[type=submit].primary")
        page.wait_for_load_state()
        page.goto(base + reverse("learning:course", args=[COURSE]))
        page.click("main button[type=submit].primary")
        page.wait_for_url("**" + lesson)
        title = page.locator("main h1").inner_text()
        assert title
        # The page registers the service worker; once it controls the page, reading the lesson
        # again (as a learner does) keeps it.
        _until(page, "!!navigator.serviceWorker.controller", timeout=20)
        page.reload()
        page.locator("main h1").wait_for()
        _until(
            page,
            "window.__kept = window.__kept || caches.open('hocvuso-field-lessons').then(c => "
            "c.match(location.pathname)).then(r => { window.__hit = !!r; }), window.__hit === true",
        )

        context.set_offline(True)
        page.reload()
        assert page.locator("main h1").inner_text() == title
        assert page.locator("section.step").count() >= 1
        # Its styles came from the cache too: the page is laid out as online.
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
        shot(page, "learning-offline-lesson")
        # A lesson never opened is not there.
        other = json.dumps(reverse("learning:lesson", args=[COURSE, 2]))
        response_ok = page.evaluate(f"fetch({other}).then(r => r.ok, () => false)")
        assert response_ok is False
        assert errors == []
