"""The identity and 4T worklists count their entries from the summary tables (``core.counts``,
``kpi.counters``): the count equals a count of the list's own rows and a count by hand, for every
need, every T and every village, with erased and restricted people (counted by the dashboards,
left off the lists), people of unknown age and people turning 16 this year; a search term or an
actor who sees only some villages gets no count from the summaries (the list counts itself)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.geo.models import Village
from hocvuso.outreach import selectors
from hocvuso.privacy.services import data_request_complete, data_request_create, person_erase
from hocvuso.registry.models import Person
from hocvuso.registry.services import person_register
from hocvuso.skills.facts import T4_ALL, T4_CODES, T4_OCCUPATIONS
from tests.factories import build_commune, login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(commune, officer):  # type: ignore[no-untyped-def]
    build_commune(commune, households=30, seed=21)
    year = timezone.localdate().year
    people = list(Person.objects.filter(commune=commune).select_related("household").order_by("pk"))
    household = people[0].household
    # turning 16 this year, and of unknown age: on the list, and not
    person_register(
        actor=officer,
        household=household,
        full_name="Lò Văn Mười Sáu",
        sex="M",
        birth_year=year - 16,
        occupation="farmer",
    )
    person_register(
        actor=officer,
        household=household,
        full_name="Lò Thị Không Rõ",
        sex="F",
        occupation="trader",
    )
    # one erased, one restricted: counted by the dashboards, off the lists
    erased, restricted = people[1], people[2]
    request = data_request_create(actor=officer, person=erased, kind="erasure", channel="office")
    person_erase(actor=officer, person=erased, request=request)
    request = data_request_create(
        actor=officer, person=restricted, kind="restriction", channel="office"
    )
    data_request_complete(actor=officer, request=request)
    return commune


def _by_hand_identity(commune: Any, need: str, village: Village | None) -> int:
    year = timezone.localdate().year
    n = 0
    for p in Person.objects.filter(commune=commune).select_related("household", "skill_status"):
        if p.erased_at or p.restricted_at:
            continue
        if village is not None and p.household.village_id != village.pk:
            continue
        born = p.birth_year or (p.birth_date.year if p.birth_date else 0)
        if not born or year - born < 16:
            continue
        status = getattr(p, "skill_status", None)
        if need == "vneid":
            n += status is None or status.vneid_level < 2
        else:
            n += status is None or not status.has_bank_account
    return n


def _by_hand_t4(commune: Any, missing: str, village: Village | None) -> int:
    n = 0
    for p in Person.objects.filter(commune=commune).select_related("household", "skill_status"):
        if p.erased_at or p.restricted_at or p.occupation not in T4_OCCUPATIONS:
            continue
        if village is not None and p.household.village_id != village.pk:
            continue
        status = getattr(p, "skill_status", None)
        mask = status.t4_mask if status is not None else 0
        if missing == "any":
            n += mask != T4_ALL
        elif missing:
            n += not mask & (1 << T4_CODES.index(missing))
        else:
            n += 1
    return n


def test_counts_from_the_summaries_equal_the_lists(world, officer):
    commune = world
    villages = [None, *Village.objects.filter(commune=commune).order_by("name")]
    today = timezone.localdate()
    for village in villages:
        for need in selectors.NEEDS:
            got = selectors.identity_count(
                actor=officer, commune=commune, need=need, village=village, today=today
            )
            listed = selectors.identity_worklist(
                actor=officer, commune=commune, need=need, village=village, today=today
            ).count()
            assert got == listed == _by_hand_identity(commune, need, village), (need, village)
        for missing in ("", "any", *T4_CODES):
            got = selectors.t4_count(
                actor=officer, commune=commune, missing=missing, village=village
            )
            listed = selectors.t4_worklist(
                actor=officer, commune=commune, missing=missing, village=village
            ).count()
            assert got == listed == _by_hand_t4(commune, missing, village), (missing, village)
    assert selectors.identity_count(actor=officer, commune=commune, need="vneid", today=today) > 0


def test_no_count_from_the_summaries_for_a_search_or_a_village_scope(world, officer):
    commune = world
    village = Village.objects.filter(commune=commune).order_by("name").first()
    member = make_user("to.vien", "team_member", villages=[village])
    assert selectors.identity_count(actor=officer, commune=commune, need="vneid", q="lò") is None
    assert selectors.t4_count(actor=officer, commune=commune, q="lò") is None
    assert selectors.identity_count(actor=member, commune=commune, need="vneid") is None
    assert selectors.t4_count(actor=member, commune=commune) is None
    # the commune page's figures: from the summary row for the officer, counted for the member
    from hocvuso.core import counts
    from hocvuso.registry.models import Household
    from hocvuso.registry.selectors import commune_counts

    assert counts.count("registry.commune", actor=member, commune=commune) is None
    assert counts.count("registry.commune", actor=officer, commune=commune) == {
        "households": Household.objects.filter(commune=commune).count(),
        "persons": Person.objects.filter(commune=commune).count(),
    }
    seen = commune_counts(actor=member, commune=commune)
    assert seen["households"] == Household.objects.filter(village=village).count()
    assert 0 < seen["persons"] < Person.objects.filter(commune=commune).count()


@pytest.mark.parametrize("name", ["outreach:identity", "outreach:t4", "api:outreach_identity"])
def test_the_pages_show_the_count_without_counting_the_people(name, world, officer):
    """No query of the page counts the commune's people: the count comes from the cohorts."""
    client = login(officer)
    url = reverse(name, args=[world.code])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    counting = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT COUNT(") and '"registry_person"' in q["sql"]
    ]
    # only the small count of the people left off the list (erased or restricted)
    assert len(counting) == 1, counting
    assert '"registry_person"."erased_at" IS NOT NULL' in counting[0]
