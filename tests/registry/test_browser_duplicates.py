"""The duplicates worklist on a 360-px phone, the site's own CSP enforced: the officer sees the
pair and its reason, merges it and undoes the merge. No page is wider than the screen.
Screenshots go to ``artifacts/``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.registry.models import Person, PersonMerge
from hocvuso.registry.services import household_create, person_register
from tests.browser import phone_page, shot
from tests.factories import OFFICER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}


def test_the_officer_merges_and_splits_on_a_small_phone(
    live_server, chromium_path, settings, officer, commune, village, head
):
    settings.HOCVUSO_REQUIRE_2FA = False
    household = household_create(actor=officer, commune=commune, code="LOP-9A2F", village=village)
    twin = person_register(
        actor=officer, household=household, full_name="Giang Mi Po", sex="M", birth_year=1970
    )
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", officer.username)
        page.fill("#id_password", OFFICER_PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        page.goto(live_server.url + reverse("ui:commune", args=[commune.code]))
        page.click("text=Bản ghi trùng lặp")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Bản ghi trùng lặp"
        assert "Trùng tên và năm sinh" in page.locator("#pairs").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "duplicates-360")
        page.click("text=Gộp vào bản ghi được giữ")
        page.wait_for_load_state()
        assert "Đã gộp" in page.content()
        assert "Không có bản ghi nào có vẻ trùng lặp" in page.locator("#pairs").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "duplicates-merged-360")
        page.click("text=Tách lại")
        page.wait_for_load_state()
        assert "Đã tách lại" in page.content()
        assert [e for e in page.errors if "Content Security Policy" in e] == []
    merge = PersonMerge.objects.get()
    assert merge.split_at is not None
    assert Person.objects.filter(pk__in=[head.pk, twin.pk]).count() == 2
