"""Layouts that hold, for everyone: the pages each role reaches (the crawl of ``tests/ui/sweep``),
opened in headless Chromium on a 360-px phone with the text at 200 %, must not be wider than the
screen, and axe-core (from npm, injected into the page) must find no critical or serious
violation. One page of each kind per role, a kind seen for one role not repeated for the next.
Screenshots of every page go to ``artifacts/sweep/``."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.browser import ARTIFACTS, phone_page
from tests.ui.sweep import crawl, demo_accounts, shape

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PER_ROLE = 6
# Large text as a reader sets it: the root font size doubled, everything in rem and em follows.
LARGE_TEXT = "html { font-size: 200% !important; }"


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _axe(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations
                .filter(v => v.impact === 'critical' || v.impact === 'serious')
                .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
                    .map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    return list(result)


def test_every_kind_of_page_holds_at_360_px_with_large_text(live_server, chromium_path, units):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make js installs it from npm)")
    accounts = demo_accounts()
    done: set[str] = set()
    report: list[str] = []
    checked = 0
    folder = ARTIFACTS / "sweep"
    folder.mkdir(parents=True, exist_ok=True)
    with phone_page(chromium_path) as page:
        page.set_viewport_size(NARROW)
        for role, user in accounts.items():
            client = Client()
            client.force_login(user)
            pages = [p for p in crawl(client, role) if shape(p.path) not in done][:PER_ROLE]
            page.context.clear_cookies()
            page.context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
            for found in pages:
                done.add(shape(found.path))
                page.goto(live_server.url + found.path)
                page.wait_for_load_state()
                page.add_style_tag(content=LARGE_TEXT)
                checked += 1
                name = f"{role}{shape(found.path)}".replace("/", "_").replace("#", "n")
                page.screenshot(path=str(folder / f"{name[:80]}.png"), full_page=True)
                wider = _overflow(page)
                if wider > 0:
                    report.append(f"{role} {found.path}: {wider} px wider than the screen")
                for violation in _axe(page):
                    report.append(f"{role} {found.path}: {violation}")
    assert checked > 30
    assert report == [], "\n" + "\n".join(report)
