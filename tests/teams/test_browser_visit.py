"""One real headless Chromium on a phone-sized screen: a team member logs in, takes a household
from the door-to-door plan and records a visit (who was at home, what they can now do).

Same launch pattern and skip rule as tests/web/test_browser.py. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.skills.models import SkillEvent
from hocvuso.teams.models import Claim, Visit
from hocvuso.teams.services import team_create, team_member_add
from tests.browser import PHONE, shot
from tests.factories import OFFICER_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team_setup(officer, commune, village, household, head):  # type: ignore[no-untyped-def]
    team = team_create(actor=officer, commune=commune, name="Tổ Thèn Pả", villages=[village])
    user = make_user("to.thenpa")
    user.display_name = "Tổ viên Thèn Pả"
    user.save(update_fields=["display_name"])
    team_member_add(actor=officer, team=team, user=user, organisation="youth_union")
    return team, user


def test_team_member_takes_a_household_and_records_a_visit(
    live_server,
    team_setup,
    household,
    head,
    browser_page,
):
    team, user = team_setup
    page = browser_page
    plan_url = live_server.url + reverse("teams:plan", args=[team.pk])
    page.goto(plan_url)
    page.fill("#id_username", "to.thenpa")
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(plan_url)
    row = page.locator("li.household", has_text="LC-001")
    assert row.count() == 1
    shot(page, "teams-01-plan")
    row.locator("form[action$='/nhan/'] button").click()
    page.wait_for_url(plan_url)
    assert Claim.objects.filter(household=household, claimed_by=user, released_at=None).exists()
    shot(page, "teams-02-taken")
    page.locator("li.household a[href$='/tham/']").click()
    page.wait_for_load_state()
    page.check(f"input[name=present][value='{head.pk}']")
    page.locator("details summary").first.click()
    page.check(f"input[name='gained_{head.pk}'][value='vneid.level2']")
    page.check("input[name=issues][value='no_signal']")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "teams-03-visit-form")
    page.click("form.visit button[type=submit].primary")
    page.wait_for_url(plan_url)
    shot(page, "teams-04-after-visit")
    visit = Visit.objects.get(household=household)
    assert visit.visited_by == user
    assert visit.issues == ["no_signal"]
    assert SkillEvent.objects.filter(
        person=head, skill__code="vneid.level2", channel="home_visit"
    ).exists()
    assert not Claim.objects.filter(household=household, released_at=None).exists()
