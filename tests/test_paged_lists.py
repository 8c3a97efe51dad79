"""A page of a list costs what a page costs (issue 15): the commune's household list and the
identity / family / 4T worklists, as pages and as API, run the same absolute number of queries
and the same SQL at page 1 and at page 50, and no query of the page groups over the whole
commune: the only GROUP BY (the commune page's member counts) is over the page's ids; the family
worklists read the facts stored on each household and group nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hocvuso.registry.services import household_create, person_register
from tests.factories import login

# name, queries of one page (absolute: the same at every page and every commune size)
LISTS = [
    ("ui:commune", 11),  # its households and people from the commune's summary row
    ("outreach:identity", 9),  # the count from the cohorts + the people left off
    ("outreach:families", 10),  # the village summaries' sum + two small counts
    ("outreach:t4", 9),
    ("api:outreach_identity", 8),
    ("api:outreach_families", 9),
    ("api:outreach_t4", 8),
]
COUNTED = {"ui:commune"}
REGISTRY = r'"registry_(household|person)"'
PER_PAGE = 2
ENTRIES = 101  # 51 pages of 2


def _add(commune: Any, village: Any, officer: Any, start: int, count: int) -> None:
    """``count`` households of one adult farmer with no skill: an entry on every list."""
    for i in range(start, start + count):
        h = household_create(actor=officer, commune=commune, code=f"P-{i:03d}", village=village)
        person_register(
            actor=officer,
            household=h,
            full_name=f"Lò Văn {i:03d}",
            sex="M",
            birth_year=1980,
            phone="0912345678",
            occupation="farmer",
            relationship="head",
        )


_LITERAL = re.compile(r"'[^']*'|\b[0-9a-f]{32}\b|\b\d+\b")
_IN_LIST = re.compile(r"IN \((?:\?, )*\?\)")


def _shape(sql: str) -> str:
    """The SQL with its literals (ids, offsets, dates) replaced and the offset dropped (page 1
    has none): what differs between pages."""
    return _IN_LIST.sub("IN (…)", _LITERAL.sub("?", sql)).replace(" OFFSET ?", "")


def _page(client: Any, url: str, number: int) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page": number})
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def big(commune, village, officer, settings):  # type: ignore[no-untyped-def]
    settings.HOCVUSO_PAGE_SIZE = PER_PAGE
    _add(commune, village, officer, 0, ENTRIES)
    return login(officer)


@pytest.mark.parametrize(("name", "queries"), LISTS)
def test_page_50_runs_the_sql_of_page_1(name, queries, big, commune):
    url = reverse(name, args=[commune.code])
    first, fiftieth = _page(big, url, 1), _page(big, url, 50)
    assert (len(first), len(fiftieth)) == (queries, queries)
    assert [_shape(q) for q in first] == [_shape(q) for q in fiftieth]
    # The page query's offset did move: page 50 is not page 1 served again.
    assert first != fiftieth
    grouped = [q for q in fiftieth if "GROUP BY" in q and re.search(REGISTRY, q)]
    # The commune page's member counts are the only aggregate over the registry; the family
    # lists read the stored facts, the person lists have none, the village counts come from
    # the summaries.
    assert len(grouped) == (1 if name in COUNTED else 0)
    for sql in grouped:
        # over the page's ids only: WHERE ... "registry_household"."id" IN (its 2 ids)
        listed = re.search(r'"registry_household"\."id" IN \(([^)]*)\)', sql)
        assert listed is not None, sql
        assert listed.group(1).count(",") == PER_PAGE - 1, sql


@pytest.mark.parametrize(("name", "queries"), LISTS)
def test_page_queries_pinned_at_two_sizes(name, queries, commune, village, officer, settings):
    """The same absolute number at 5 entries and at 40 (page 2 of 25)."""
    client = login(officer)
    url = reverse(name, args=[commune.code])
    _add(commune, village, officer, 0, 5)
    small = len(_page(client, url, 1))
    _add(commune, village, officer, 5, 35)
    assert (small, len(_page(client, url, 2))) == (queries, queries)


def test_the_plan_page_50_runs_the_sql_of_page_1(settings, commune, village, officer):
    """The door-to-door plan: its per-row figures (visits, members, who lacks what, the claim)
    are computed for the page's households only, whatever the page."""
    from hocvuso.core.actors import SYSTEM
    from hocvuso.teams.services import team_create

    team = team_create(actor=SYSTEM, commune=commune, name="Tổ 1", villages=[village])
    settings.HOCVUSO_PAGE_SIZE = PER_PAGE
    _add(commune, village, officer, 0, ENTRIES)
    client = login(officer)
    for name in ("teams:plan", "api:teams_plan"):
        url = reverse(name, args=[team.pk])
        first, fiftieth = _page(client, url, 1), _page(client, url, 50)
        assert len(first) == len(fiftieth) == (8 if name == "teams:plan" else 7)
        assert [_shape(q) for q in first] == [_shape(q) for q in fiftieth]
        (rows,) = [q for q in fiftieth if "lacking_identity" in q]
        listed = re.search(r'"registry_household"\."id" IN \(([^)]*)\)', rows)
        assert listed is not None, rows
        assert listed.group(1).count(",") == PER_PAGE - 1, rows
        # the page's ids are selected without the per-row figures
        (ids,) = [q for q in fiftieth if q.startswith('SELECT "registry_household"."id" AS "pk"')]
        assert "teams_claim" not in ids
        assert "skills_personskillstatus" not in ids


def test_village_counts_of_the_commune_page_equal_a_recount(commune, village, officer):
    """The villages' household counts come from the summaries: they equal a count of the
    registry's rows (a second village, and a household with no village, included)."""
    from hocvuso.registry.models import Household
    from hocvuso.registry.services import village_create

    other = village_create(actor=officer, commune=commune, name="Thôn Séo Lủng")
    _add(commune, village, officer, 0, 3)
    _add(commune, other, officer, 3, 2)
    household_create(actor=officer, commune=commune, code="P-NONE")
    response = login(officer).get(reverse("ui:commune", args=[commune.code]))
    shown = {v.pk: v.household_count for v in response.context["villages"]}
    want = {v.pk: Household.objects.filter(village=v).count() for v in (village, other)}
    assert shown == want == {village.pk: 3, other.pk: 2}
    # the paginator's count is the commune page's household figure (one count, not two)
    total = Household.objects.filter(commune=commune).count()
    assert response.context["page"].paginator.count == total == 6


def test_api_families_rows_as_the_schema_says(commune, village, officer):
    """The worklist answers dicts validated by its response schema: the row's fields, typed."""
    import uuid

    _add(commune, village, officer, 0, 3)
    body = login(officer).get(reverse("api:outreach_families", args=[commune.code])).json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    row = body["results"][0]
    assert set(row) == {"id", "code", "village", "head", "member_count", "priority"}
    assert uuid.UUID(row["id"])
    assert (row["code"], row["village"], row["head"]) == ("P-000", village.name, "Lò Văn 000")
    flagged = village.is_remote or village.is_ethnic_minority or commune.is_remote
    area = flagged or commune.is_ethnic_minority
    # one adult of 1980: area first (0), else "the rest" (3)
    assert (row["member_count"], row["priority"]) == (1, 0 if area else 3)
