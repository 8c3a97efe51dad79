"""The API's docs page works in a real browser under the site's own CSP, from our own static
files (no CDN: the page loads nothing from another origin)."""

from __future__ import annotations

import pytest

from tests.browser import phone_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_from_our_own_files(live_server, chromium_path):
    with phone_page(chromium_path, bypass_csp=False) as page:
        origins: set[str] = set()
        page.on("request", lambda r: origins.add(r.url.split("/")[2]))
        page.goto(live_server.url + "/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        assert page.locator(".opblock").count() > 20
        assert "hocvuso" in page.locator(".title").first.inner_text()
        shot(page, "api-docs")
        assert origins == {live_server.url.split("/")[2]}
        assert [e for e in page.errors if "Content Security Policy" in e] == []
