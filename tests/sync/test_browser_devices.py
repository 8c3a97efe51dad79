"""The commune officer's page of field devices and conflicts, in a real headless Chromium on a
phone: the conflict read, the phone's value taken. Screenshot: ``artifacts/sync-devices.png``."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.ids import uuid7
from hocvuso.registry.services import household_create, person_register, person_update
from hocvuso.sync.models import Conflict
from hocvuso.sync.services import device_register, push_apply
from tests.browser import PHONE, shot
from tests.factories import OFFICER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_takes_the_phones_value(live_server, officer, commune, village, browser_page):
    household = household_create(actor=officer, commune=commune, code="TP-9", village=village)
    person = person_register(
        actor=officer, household=household, full_name="Lò Văn Cũ", sex="M", birth_year=1980
    )
    stale = person.updated_at.isoformat()
    person_update(actor=officer, person=person, full_name="Lò Văn Ở Xã")
    device, _secret = device_register(actor=officer, name="Điện thoại cán bộ")
    push_apply(
        device=device,
        records=[
            {"id": str(uuid7()), "seq": 1, "kind": "person_edit", "at": timezone.now().isoformat(),
             "data": {"person_id": str(person.pk), "base_version": stale,
                      "base": {"full_name": "Lò Văn Cũ"}, "changes": {"full_name": "Lò Văn Máy"}}}
        ],
    )  # fmt: skip
    page = browser_page
    url = live_server.url + reverse("sync:devices", args=[commune.code])
    page.goto(url)
    page.fill("#id_username", officer.username)
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(url)
    assert page.locator("article.conflict").count() == 1
    assert "Lò Văn Máy" in page.locator("article.conflict").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "sync-devices")
    page.click("article.conflict button[value=theirs]")
    page.wait_for_url(url)
    person.refresh_from_db()
    assert person.full_name == "Lò Văn Máy"
    assert Conflict.objects.get().status == "taken"
    assert page.locator("article.conflict").count() == 0
    shot(page, "sync-devices-decided")
