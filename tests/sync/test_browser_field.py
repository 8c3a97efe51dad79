"""The field app in a real headless Chromium on a 360-px phone: a team member signs in once
with signal, goes offline, takes two households, records three visits and a newcomer, closes
the app and opens it again offline (the records are still there, waiting), comes back online and
sends: the server holds exactly those records, once — also when the answer of the first push
is lost on the way back — and the dashboards' figures equal a recount. Leaving the team clears
the copy at the next pull; revoking the device's token wipes it and signs the browser out.

Screenshots go to ``artifacts/`` (``field-*.png``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import DeviceToken
from hocvuso.kpi.models import CommuneSummary
from hocvuso.registry.models import Person
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.models import SkillEvent
from hocvuso.sync.models import Device, SyncRecord
from hocvuso.teams.models import Claim, Visit
from hocvuso.teams.services import team_create, team_member_add
from tests.browser import ARTIFACTS, shot
from tests.factories import OFFICER_PASSWORD, make_user, recount_by_hand

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {"width": 360, "height": 740}


@contextmanager
def phone(chromium_path: str) -> Iterator[Any]:
    """A 360-px phone's browser context (service workers allowed, the site's CSP applied)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        context = browser.new_context(
            viewport=SCREEN, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
            browser.close()
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def field_world(officer, commune, village):  # type: ignore[no-untyped-def]
    households = []
    for i in range(3):
        h = household_create(actor=officer, commune=commune, code=f"TP-0{i + 1}", village=village)
        for name, sex, year in (
            ("Giàng Mí " + "ABC"[i], "M", 1970 + i),
            ("Vàng Thị " + "ABC"[i], "F", 1980 + i),
        ):
            person_register(actor=officer, household=h, full_name=name, sex=sex, birth_year=year,
                            relationship="head" if sex == "M" else "spouse")  # fmt: skip
        households.append(h)
    team = team_create(actor=officer, commune=commune, name="Tổ Thèn Pả", villages=[village])
    user = make_user("to.thenpa")
    user.display_name = "Tổ viên Thèn Pả"
    user.save(update_fields=["display_name"])
    team_member_add(actor=officer, team=team, user=user)
    return team, user, households


def _until(page: Any, script: str, timeout: float = 15.0) -> None:
    """Wait until ``script`` is true in the page (polled from here: the site's CSP forbids the
    eval that Playwright's wait_for_function uses)."""
    for _ in range(int(timeout * 10)):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


def _transferred(page: Any) -> int:
    """Bytes of the page and its files that came over the network (the API left out)."""
    return int(
        page.evaluate(
            "performance.getEntriesByType('navigation').concat("
            "performance.getEntriesByType('resource')).filter(e => !e.name.includes('/api/'))"
            ".reduce((n, e) => n + (e.transferSize || 0), 0)"
        )
    )


def _pending(page: Any) -> str:
    return page.locator("#field-pending").inner_text()


def _visit(page: Any, code: str, people: list[Person], gained: str | None = None) -> None:
    page.locator(f"li.household[data-code='{code}'] button.visit").click()
    form = page.locator("#visit-form")
    for p in people:
        form.locator(f"input[name=present][value='{p.pk}']").check()
    if gained:
        form.locator("details summary").first.click()
        form.locator(f"input[name='gained_{people[0].pk}'][value='{gained}']").check()
    page.locator("#visit-save").click()
    form.wait_for(state="detached")


def test_offline_visits_survive_a_reopen_and_reach_the_server_once(
    live_server, field_world, commune, officer, chromium_path
):
    _team, user, (h1, h2, h3) = field_world
    url = live_server.url + reverse("teams:field")
    with phone(chromium_path) as context:
        # Each page counts its requests for persistent storage (so that the browser does not
        # evict the waiting records when the phone runs short of space).
        context.add_init_script(
            "(() => { const s = navigator.storage; window.__persistAsked = 0;"
            " if (!s || !s.persist) return; const real = s.persist.bind(s);"
            " s.persist = () => { window.__persistAsked += 1; return real(); }; })();"
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.fill("#id_username", "to.thenpa")
        page.fill("#id_password", OFFICER_PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_url(url)
        page.locator("li.household[data-code='TP-03']").wait_for()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        assert Device.objects.filter(user=user).count() == 1
        assert page.evaluate("window.__persistAsked") >= 1  # persistent storage requested
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
        shot(page, "field-01-plan-online")
        first_load = _transferred(page)
        page.reload()
        page.locator("li.household[data-code='TP-03']").wait_for()
        repeat_load = _transferred(page)
        # Figures for docs/benchmarks.md (printed, never asserted: the test server sends the
        # files uncompressed; the shell and its files, not the API's answers).
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "field-transfer.json").write_text(
            json.dumps({"first_load_bytes": first_load, "repeat_load_bytes": repeat_load})
        )
        print(f"field app shell: first load {first_load} B, repeat {repeat_load} B")

        # No signal from here on.
        context.set_offline(True)
        page.locator("li.household[data-code='TP-01'] button.take").click()
        page.locator("li.household[data-code='TP-02'] button.take").click()
        page.locator("li.household[data-code='TP-02'] .badge", has_text="Bạn đã nhận").wait_for()
        m1 = list(Person.objects.filter(household=h1).order_by("birth_year"))
        m2 = list(Person.objects.filter(household=h2).order_by("birth_year"))
        _visit(page, "TP-01", m1, gained="vneid.install")
        _visit(page, "TP-02", m2[:1])
        # A newcomer to the third household, found at home.
        page.locator("li.household[data-code='TP-03'] button.visit").click()
        page.locator("details.newcomer summary").click()
        page.fill("#np-name", "Giàng Thị Mới")
        page.fill("#np-year", "2004")
        page.select_option("#np-sex", "F")
        shot(page, "field-02-visit-form-offline")
        page.locator("#np-add").click()
        page.locator("#visit-form label", has_text="Giàng Thị Mới").wait_for()
        page.locator("#visit-form label", has_text="Giàng Thị Mới").locator("input").check()
        page.locator("#visit-save").click()
        page.locator("#visit-form").wait_for(state="detached")
        assert "6" in _pending(page)
        assert Visit.objects.count() == 0  # nothing reached the server
        shot(page, "field-03-waiting-offline")

        # The app is closed and opened again, still offline: the records are still there.
        page.close()
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.locator("#field-pending").wait_for()
        _until(page, "document.getElementById('field-pending').textContent.includes('6')")
        assert page.locator("li.household").count() == 3
        shot(page, "field-04-reopened-offline")

        # Back in signal; the first push's answer is lost on the way back.
        lost: list[int] = []

        def lose_answer(route: Any) -> None:
            if not lost:
                route.fetch()  # the server receives and stores the batch…
                lost.append(1)
                route.abort()  # …and the phone never hears back
            else:
                route.continue_()

        context.route("**/api/v1/sync/push", lose_answer)
        context.set_offline(False)  # the app sends by itself when the connection returns
        for _ in range(150):
            if lost:
                break
            page.wait_for_timeout(100)
        assert lost == [1]
        page.wait_for_timeout(300)
        assert Visit.objects.count() == 3  # stored, but the phone does not know
        assert "6" in _pending(page)
        page.locator("#field-send").click()
        _until(page, "document.getElementById('field-pending').textContent.startsWith(' 0')")
        shot(page, "field-05-sent")

        # Exactly those records, once each.
        assert SyncRecord.objects.count() == 6
        assert Visit.objects.filter(visited_by=user).count() == 3
        newcomer = Person.objects.get(full_name="Giàng Thị Mới")
        assert (newcomer.household_id, newcomer.birth_year, newcomer.sex) == (h3.pk, 2004, "F")
        assert Visit.objects.get(household=h3).present.get().person_id == newcomer.pk
        assert Claim.objects.filter(claimed_by=user).count() == 2
        assert not Claim.objects.filter(released_at__isnull=True).exists()  # released by visits
        assert SkillEvent.objects.filter(person=m1[0], skill__code="vneid.install").count() == 1
        want = recount_by_hand([commune.code], timezone.localdate().year)
        row = CommuneSummary.objects.get(commune_id=commune.code)
        assert {k: getattr(row, k) for k in want} == want
        assert row.households_visited == 3
        assert errors == []

        # The member leaves the team (the assignment moved): the next pull resets the copy.
        from hocvuso.teams.models import TeamMember
        from hocvuso.teams.services import team_member_remove

        team_member_remove(actor=officer, member=TeamMember.objects.get(user=user))
        page.reload()
        _until(page, "document.querySelectorAll('li.household').length === 0")
        # The list empties first; the stored copy is cleared in the same reset, a moment later.
        count_households = (
            "new Promise(r => { const q = indexedDB.open('hocvuso-field'); q.onsuccess = () => {"
            " const c = q.result.transaction('households').objectStore('households').count();"
            " c.onsuccess = () => { r(c.result); q.result.close(); }; }; })"
        )
        households_left = None
        for _ in range(150):
            households_left = page.evaluate(count_households)
            if households_left == 0:
                break
            page.wait_for_timeout(100)
        assert households_left == 0

        # The device is signed out on the server: its next contact wipes the copy and signs the
        # browser out.
        DeviceToken.objects.filter(user=user).update(revoked_at=timezone.now())
        page.reload()
        page.wait_for_url("**/login/**")
        _until(page, "indexedDB.databases().then(d => !d.some(x => x.name === 'hocvuso-field'))")
        # The cached field page (it names its user) is gone too; static files may stay.
        no_page = (
            "caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k)"
            ".then(c => c.match('/thuc-dia/'))))).then(r => r.every(x => !x))"
        )
        assert page.evaluate(no_page) is True
        shot(page, "field-06-wiped")
