"""Layouts that hold, for everyone: the pages each role reaches (the crawl of ``tests/ui/sweep``),
opened in headless Chromium on a 360-px phone with the text at 200 %, must not be wider than the
screen, and axe-core (from npm, injected into the page) must find no critical or serious
violation. One page of each kind per role, a kind seen for one role not repeated for the next.
Screenshots of every page go to ``artifacts/sweep/``.

The field roles' pages (the visit form, the desk log, the plan, the worklists…) hold at page zoom
×2 as well: a 360-px phone zoomed to 200 % lays the page out in 180 CSS px, and nothing may be
wider than that (screenshots in ``artifacts/zoom/``)."""

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
    """How much wider than the screen the page lays out. Measured against the viewport set, not
    ``innerWidth``: a phone browser widens its layout viewport to fit content that overflows."""
    return int(page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"])


def _culprits(page) -> str:  # type: ignore[no-untyped-def]
    """The elements that break out past the screen's right edge, their parent still inside it
    (to say what to fix)."""
    return str(
        page.evaluate(
            """(w) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .filter(e => e.parentElement.getBoundingClientRect().right <= w + 1)
                .slice(0, 3)
                .map(e => e.tagName.toLowerCase()
                    + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '')
                    + ' ' + Math.round(e.getBoundingClientRect().right))
                .join(', ')""",
            page.viewport_size["width"],
        )
    )


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


def _sign_in(page, live_server, user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return client


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
            client = _sign_in(page, live_server, user)
            pages = [p for p in crawl(client, role) if shape(p.path) not in done][:PER_ROLE]
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
                    report.append(
                        f"{role} {found.path}: {wider} px wider than the screen ({_culprits(page)})"
                    )
                for violation in _axe(page):
                    report.append(f"{role} {found.path}: {violation}")
    assert checked > 30
    assert report == [], "\n" + "\n".join(report)


# The roles that work in the field, on a phone.
FIELD_ROLES = ("team_member", "team_leader", "desk_staff", "youth_volunteer", "mentor", "citizen")
ZOOMED = {"width": 180, "height": 390}  # a 360 × 780 phone at page zoom 200 %
PER_FIELD_ROLE = 12
# Seen first, whatever the crawl's order: the visit form, the desk log, the plan, the field app.
FIRST = ("/tham/", "/quay/ghi/", "/quay/", "/ke-hoach/", "/thuc-dia/")


def _forms(accounts) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The field forms a link leads to only after an action (the visit form of a household the
    member has taken), by role."""
    from hocvuso.registry.models import Household
    from hocvuso.teams.models import TeamMember

    forms: dict[str, list[str]] = {}
    member = TeamMember.objects.filter(user=accounts["team_member"], removed_at__isnull=True)
    team = member.select_related("team").first().team
    household = Household.objects.filter(village__in=team.villages.all()).order_by("code").first()
    forms["team_member"] = [f"/to-cong-nghe/{team.pk}/ho/{household.pk}/tham/"]
    forms["desk_staff"] = ["/xa/00715/quay/ghi/"]
    return forms


def test_field_pages_hold_at_zoom_x2(live_server, chromium_path, units):
    from tests.ui.sweep import Page

    accounts = demo_accounts()
    forms = _forms(accounts)
    done: set[str] = set()
    report: list[str] = []
    seen: set[str] = set()
    folder = ARTIFACTS / "zoom"
    folder.mkdir(parents=True, exist_ok=True)
    with phone_page(chromium_path) as page:
        page.set_viewport_size(ZOOMED)
        for role in FIELD_ROLES:
            if role not in accounts:
                continue
            client = _sign_in(page, live_server, accounts[role])
            found = [Page(role, path, "") for path in forms.get(role, [])]
            found += [p for p in crawl(client, role) if shape(p.path) not in done]
            found.sort(key=lambda p: not any(k in p.path for k in FIRST))  # stable: then the rest
            for item in found[:PER_FIELD_ROLE]:
                done.add(shape(item.path))
                seen.add(shape(item.path))
                page.goto(live_server.url + item.path)
                page.wait_for_load_state()
                name = f"{role}{shape(item.path)}".replace("/", "_").replace("#", "n")
                page.screenshot(path=str(folder / f"{name[:80]}.png"), full_page=True)
                wider = _overflow(page)
                if wider > 0:
                    report.append(
                        f"{role} {item.path}: {wider} px wider than the screen ({_culprits(page)})"
                    )
    # The pages the brief names were among them: the visit form and the desk log.
    assert report == [], "\n" + "\n".join(report)
    assert any(s.endswith("/tham/") for s in seen), sorted(seen)
    assert any(s.endswith("/quay/ghi/") for s in seen), sorted(seen)
