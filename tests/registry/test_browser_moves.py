"""A household moves to another commune, on a 360-px phone with the site's own CSP: the officer
opens the household, taps "Chuyển sang xã khác", gives a wrong code first (told why, nothing
moved), then finds the commune by its name typed without accents and taps it (no code to know,
no script); the household leaves their commune's list. No page is wider than
the screen. Screenshots go to ``artifacts/``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.registry.models import Household
from tests.browser import phone_page, shot
from tests.factories import OFFICER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 360, "height": 780}


def test_the_officer_moves_a_household_on_a_small_phone(
    live_server, chromium_path, settings, officer, commune, other_commune, household, head, member
):
    settings.HOCVUSO_REQUIRE_2FA = False
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", officer.username)
        page.fill("#id_password", OFFICER_PASSWORD)
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        page.goto(live_server.url + reverse("registry:household", args=[household.pk]))
        page.click("text=Chuyển sang xã khác")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "Chuyển sang xã khác"
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "move-household-360")
        page.fill("#id_commune", "99999")  # no such commune
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        assert "Không có xã/phường nào mang mã này." in page.locator("main").inner_text()
        assert Household.objects.get(pk=household.pk).commune_id == commune.code
        page.fill("#id_q", "ba dinh")  # Phường Ba Đình, without its accents
        page.click("form.search button[type=submit]")
        page.wait_for_load_state()
        choice = page.get_by_label(
            f"{other_commune.name} — {other_commune.province.name}", exact=False
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "move-household-picker-360")
        choice.check()
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
        assert page.url.endswith(reverse("ui:commune", args=[commune.code]))
        assert f"Đã chuyển sang {other_commune.name}." in page.locator("body").inner_text()
        assert household.code not in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
        shot(page, "move-household-done-360")
        assert [e for e in page.errors if "Content Security Policy" in e] == []
    moved = Household.objects.get(pk=household.pk)
    assert moved.commune_id == other_commune.code
    assert set(moved.members.values_list("commune_id", flat=True)) == {other_commune.code}
