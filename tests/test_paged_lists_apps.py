"""A page of a list costs what a page costs (issue 15), for the lists of the other apps: the
desk log, classes, back-check rounds, help requests, mentors, the commune's online learners and
its data-protection requests, as pages and as API. Each runs the same absolute number of queries
and the same SQL at page 1 and page 50 and at two list lengths; the page's ids are selected
first, without the rows' joins and aggregates, and any GROUP BY covers the page's ids only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.registry.services import person_register
from tests.factories import log, login, record
from tests.test_paged_lists import _page, _shape

PER_PAGE = 2
ENTRIES = 101  # 51 pages of 2


@dataclass
class World:
    commune: Any
    village: Any
    household: Any
    officer: Any
    desk: Any
    people: list[Any]
    made: int = 0


def _person(w: World, i: int) -> Any:
    return person_register(
        actor=w.officer, household=w.household, full_name=f"Hà Thị {i:03d}", sex="F"
    )


def _desk(w: World, count: int) -> None:
    for i in range(count):
        log(w.desk, w.commune, person=w.people[i % len(w.people)])


def _classes(w: World, count: int) -> None:
    from hocvuso.classes.services import class_create

    start = timezone.now() + dt.timedelta(days=1)
    for i in range(w.made, w.made + count):
        class_create(
            actor=w.officer,
            commune=w.commune,
            title=f"Lớp kỹ năng số {i}",
            starts_at=start + dt.timedelta(hours=i),
            capacity=20,
        )


def _rounds(w: World, count: int) -> None:
    from hocvuso.skills.checks import check_round_draw

    if not w.made:
        for p in w.people[:2]:
            record(w.desk, p, "vneid.install", helped_by=w.desk, channel="support_desk")
    today = timezone.localdate()
    for i in range(w.made, w.made + count):
        check_round_draw(
            actor=SYSTEM,
            commune=w.commune,
            period_from=today - dt.timedelta(days=30),
            period_to=today,
            percent=Decimal(50),
            seed=i,
        )


def _help(w: World, count: int) -> None:
    from hocvuso.assistance.models import HelpRequest

    HelpRequest.objects.bulk_create(
        HelpRequest(
            id=uuid7(),
            person=w.people[i % len(w.people)],
            commune=w.commune,
            village=w.village,
            need=f"Cài VNeID {i}",
            contact="visit",
            status="open",
        )
        for i in range(w.made, w.made + count)
    )


def _mentors(w: World, count: int) -> None:
    from hocvuso.mentoring.services import mentor_create

    for i in range(w.made, w.made + count):
        user = get_user_model().objects.create_user(username=f"ds{i:03d}", password=None)
        mentor_create(actor=SYSTEM, person=_person(w, i), user=user)


def _learners(w: World, count: int) -> None:
    from hocvuso.learning.models import Course, Enrollment
    from hocvuso.learning.services import courses_load

    if not w.made:
        courses_load(actor=SYSTEM)
    course = Course.objects.filter(current__isnull=False).order_by("code").first()
    assert course is not None
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"hv{i:03d}") for i in range(w.made, w.made + count)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            user=u,
            person=w.people[i % len(w.people)],
            commune=w.commune,
            course=course,
            version=course.current,
        )
        for i, u in enumerate(users)
    )


def _requests(w: World, count: int) -> None:
    from hocvuso.privacy.services import data_request_create

    for i in range(count):
        data_request_create(
            actor=w.officer,
            person=w.people[i % len(w.people)],
            kind="access",
            channel="office",
            notes="",
        )


@dataclass(frozen=True)
class Listed:
    url: str  # a url name taking the commune's code
    make: Callable[[World, int], None]
    queries: int  # of one page: absolute, the same at every page and every length
    table: str  # the listed table: its ids are selected first
    grouped: bool = False  # its rows carry per-row counts (a GROUP BY over the page's ids)
    # aggregates of the page's figures over the whole commune, still counted from the rows:
    # the back-check rates (a GROUP BY of the commune's checks by helper and channel)
    figures: int = 0


LISTS = [
    Listed("desk:visits", _desk, 7, "desk_deskvisit"),
    Listed("api:desk_visits", _desk, 7, "desk_deskvisit"),
    Listed("classes:list", _classes, 8, "classes_classevent", grouped=True),
    Listed("api:classes_list", _classes, 8, "classes_classevent", grouped=True),
    Listed("skills:check_rounds", _rounds, 8, "classes_checkround", grouped=True, figures=1),
    Listed("assistance:worklist", _help, 7, "assistance_helprequest"),
    Listed("api:assistance_requests", _help, 7, "assistance_helprequest"),
    # the figures beside the list from the commune's summary row (one query)
    Listed("mentoring:mentors", _mentors, 11, "mentoring_mentor", grouped=True),
    Listed("api:mentoring_mentors", _mentors, 11, "mentoring_mentor", grouped=True),
    Listed("learning:commune", _learners, 9, "learning_enrollment"),
    Listed("privacy:commune_requests", _requests, 7, "privacy_datarequest"),
]


@pytest.fixture
def world(commune, village, household, officer, desk) -> World:  # type: ignore[no-untyped-def]
    people = [_person(World(commune, village, household, officer, desk, []), i) for i in (0, 1)]
    return World(commune, village, household, officer, desk, people)


def _grow(w: World, listed: Listed, count: int) -> None:
    listed.make(w, count)
    w.made += count


def _ids_query(sqls: list[str], table: str) -> str:
    """The page's ids: the one query selecting only the listed table's primary key."""
    (ids,) = [q for q in sqls if re.match(rf'SELECT "{table}"\."id"( AS "pk")? FROM', q)]
    return ids


@pytest.mark.parametrize("listed", LISTS, ids=[x.url for x in LISTS])
def test_page_50_runs_the_sql_of_page_1(listed, world, settings):
    settings.HOCVUSO_PAGE_SIZE = PER_PAGE
    _grow(world, listed, ENTRIES)
    client = login(world.officer)
    from django.urls import reverse

    url = reverse(listed.url, args=[world.commune.code])
    first, fiftieth = _page(client, url, 1), _page(client, url, 50)
    assert (len(first), len(fiftieth)) == (listed.queries, listed.queries)
    assert [_shape(q) for q in first] == [_shape(q) for q in fiftieth]
    assert first != fiftieth  # page 50 is not page 1 served again
    ids = _ids_query(fiftieth, listed.table)
    # the page's ids are read with no join to what the rows show and no aggregate
    assert "GROUP BY" not in ids, ids
    assert "COUNT(" not in ids, ids
    aggregates = [q for q in fiftieth if "GROUP BY" in q]
    per_row = [q for q in aggregates if f'"{listed.table}"."id" IN (' in q]
    assert len(per_row) == (1 if listed.grouped else 0), per_row
    for sql in per_row:
        # over the page's ids only: WHERE ... "<table>"."id" IN (its 2 ids)
        listed_ids = re.search(rf'"{listed.table}"\."id" IN \(([^)]*)\)', sql)
        assert listed_ids is not None, sql
        assert listed_ids.group(1).count(",") == PER_PAGE - 1, sql
    assert len(aggregates) - len(per_row) == listed.figures, aggregates


@pytest.mark.parametrize("listed", LISTS, ids=[x.url for x in LISTS])
def test_page_queries_pinned_at_two_lengths(listed, world):
    """The same absolute number at 3 entries (page 1) and at 30 (page 2 of 25)."""
    from django.urls import reverse

    client = login(world.officer)
    url = reverse(listed.url, args=[world.commune.code])
    _grow(world, listed, 3)
    small = _page(client, url, 1)
    _grow(world, listed, 27)
    large = _page(client, url, 2)
    assert (len(small), len(large)) == (listed.queries, listed.queries)
