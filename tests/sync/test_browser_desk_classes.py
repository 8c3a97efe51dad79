"""The desk log and a class's attendance offline, through the field app's outbox, in a real
headless Chromium on a 360-px phone: desk staff sign in with signal, the line goes down, they
find a citizen in the phone's copy and log two visits, reopen the page offline (both still
waiting), the line comes back and they send: the server holds exactly those two desk visits.
A youth volunteer does the same with the attendance and the skills gained at a class that is
under way. Screenshots ``artifacts/field-desk-*.png``, ``artifacts/field-class-*.png``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.classes.models import ClassGain, ClassRegistration
from hocvuso.classes.services import class_create, class_register
from hocvuso.core.ids import uuid7
from hocvuso.desk.models import DeskVisit
from hocvuso.registry.models import Person
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.models import Skill, SkillEvent
from hocvuso.sync.models import SyncRecord
from tests.browser import shot
from tests.factories import OFFICER_PASSWORD, make_user
from tests.sync.test_browser_field import SCREEN, _until, phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(officer, commune, village):  # type: ignore[no-untyped-def]
    h = household_create(actor=officer, commune=commune, code="QB-01", village=village)
    return [
        person_register(actor=officer, household=h, full_name=name, sex=sex, birth_year=year)
        for name, sex, year in (("Lò Văn Quầy", "M", 1966), ("Lò Thị Bàn", "F", 1971))
    ]


def _sign_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(url)


def _pending_is(page, n: int) -> None:  # type: ignore[no-untyped-def]
    _until(
        page,
        "(document.getElementById('field-pending') || {textContent: ''})"
        f".textContent.trim().startsWith('{n} ')",
    )


def test_the_desk_log_works_offline_through_the_outbox(live_server, commune, people, chromium_path):
    make_user("quay.xa", "desk_staff", commune=commune)
    url = live_server.url + reverse("desk:field")
    with phone(chromium_path) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _sign_in(page, url, "quay.xa")
        page.locator("#desk-q").wait_for()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        context.set_offline(True)
        for name in ("Lo Van", "Bàn"):  # typed with or without the tones
            page.fill("#desk-q", name)
            page.locator("#desk-results button.pick").first.click()
            page.select_option("#desk-procedure", "bhyt")
            page.locator("input[name=outcome][value=done_alone]").check()
            page.locator("#desk-alone").check()
            shot(page, "field-desk-01-offline")
            page.locator("#desk-save").click()
            page.locator("#desk-form").wait_for(state="detached")
        _pending_is(page, 2)
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
        assert DeskVisit.objects.count() == 0
        page.reload()  # closed and opened again, still offline
        _pending_is(page, 2)
        assert page.locator("#desk-logged li").count() == 2
        shot(page, "field-desk-02-reopened-offline")
        context.set_offline(False)  # sends by itself when the line comes back
        _pending_is(page, 0)
        shot(page, "field-desk-03-sent")
    visits = DeskVisit.objects.order_by("person__birth_year")
    assert [(v.person_id, v.procedure, v.outcome, v.can_do_alone) for v in visits] == [
        (people[0].pk, "bhyt", "done_alone", True),
        (people[1].pk, "bhyt", "done_alone", True),
    ]
    assert SyncRecord.objects.filter(kind="desk_visit", status="accepted").count() == 2
    assert errors == []


def test_a_class_attendance_and_gains_work_offline_through_the_outbox(
    live_server, officer, commune, people, chromium_path
):
    volunteer = make_user("doan.vien", "youth_volunteer", commune=commune)
    skill = Skill.objects.get(code="vneid.install")
    klass = class_create(
        actor=officer, commune=commune, title="Cài VNeID ở nhà văn hoá", capacity=20,
        starts_at=timezone.now() - dt.timedelta(hours=1), skills=[skill], volunteers=[volunteer],
    )  # fmt: skip
    for p in people:
        class_register(actor=officer, id=uuid7(), klass=klass, person=p)
    url = live_server.url + reverse("classes:field")
    with phone(chromium_path) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        _sign_in(page, url, "doan.vien")
        page.locator(f"section.klass[data-class='{klass.pk}'] button.take-attendance").click()
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        context.set_offline(True)
        form = page.locator("#class-form")
        form.locator(f"input[name=present][value='{people[0].pk}']").check()
        form.locator("div.person", has_text=people[0].full_name).locator("summary").click()
        form.locator(f"input[name='gain_{people[0].pk}'][value='vneid.install']").check()
        shot(page, "field-class-01-offline")
        page.locator("#class-save").click()
        form.wait_for(state="detached")
        _pending_is(page, 1)
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
        page.reload()
        _pending_is(page, 1)
        assert "1" in page.locator(f"section.klass[data-class='{klass.pk}']").inner_text()
        context.set_offline(False)
        _pending_is(page, 0)
        shot(page, "field-class-02-sent")
    attended = dict(ClassRegistration.objects.filter(klass=klass).values_list("person", "attended"))
    assert attended == {people[0].pk: True, people[1].pk: False}
    gain = ClassGain.objects.get(klass=klass)
    assert (gain.person_id, gain.skill_id) == (people[0].pk, skill.pk)
    assert SkillEvent.objects.filter(person=people[0], skill=skill).count() == 1
    assert not SkillEvent.objects.filter(person=people[1], skill=skill).exists()
    assert Person.objects.filter(commune=commune).count() == 2
    assert errors == []


def test_logging_out_with_records_waiting_asks_first_then_wipes(
    live_server, commune, people, chromium_path
):
    """A record that could not be sent (the push fails) keeps the copy: logging out asks; no
    keeps everything, yes wipes the phone's copy and signs out."""
    make_user("quay.xa2", "desk_staff", commune=commune)
    url = live_server.url + reverse("desk:field")
    with phone(chromium_path) as context:
        page = context.new_page()
        _sign_in(page, url, "quay.xa2")
        page.locator("#desk-q").wait_for()
        context.route("**/api/v1/sync/push", lambda route: route.abort())
        page.fill("#desk-q", "Quầy")
        page.locator("#desk-results button.pick").first.click()
        page.locator("#desk-save").click()
        page.locator("#desk-form").wait_for(state="detached")
        page.locator("#field-send").click()
        _pending_is(page, 1)
        asked: list[str] = []

        def answer(dialog, accept: bool) -> None:  # type: ignore[no-untyped-def]
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", lambda d: answer(d, False))
        page.locator("form[action$='/logout/'] button").first.click()
        page.wait_for_timeout(500)
        assert len(asked) == 1
        assert "1" in asked[0]
        assert page.url == url  # still signed in, the record still waiting
        _pending_is(page, 1)
        page.once("dialog", lambda d: answer(d, True))
        page.locator("form[action$='/logout/'] button").first.click()
        page.wait_for_url("**/login/**")
        _until(page, "indexedDB.databases().then(d => !d.some(x => x.name === 'hocvuso-field'))")
        assert len(asked) == 2
    assert DeskVisit.objects.count() == 0  # never sent, as the user chose
