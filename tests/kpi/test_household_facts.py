"""The facts stored on each household for its lists (live members, members holding the basic
set, the Digital Family priority) equal a count by hand from the raw rows after every kind of
write: registering, editing, moving, merging and erasing people, skill events, an import and a
re-import, a sync push, a village's or a commune's flags, a new year; check_summaries reports a
wrong one and rebuild_summaries repairs it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.geo.models import Village
from hocvuso.kpi import summaries
from hocvuso.registry.importing.service import registry_import
from hocvuso.registry.models import Household
from hocvuso.registry.priority import priority_of
from hocvuso.registry.services import (
    household_create,
    person_register,
    person_update,
    village_create,
    village_update,
)
from hocvuso.registry.services.merges import person_merge
from hocvuso.registry.services.units import commune_flags_set
from tests.factories import (
    basic_codes,
    household_facts,
    household_facts_by_hand,
    household_facts_true,
    record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plain(commune, officer) -> Village:  # type: ignore[no-untyped-def]
    """A village of no flagged area, in a commune of none: the priorities 1-3 can show."""
    assert not commune.is_remote
    assert not commune.is_ethnic_minority
    return village_create(actor=officer, commune=commune, name="Thôn Gần")


def test_the_rulehousehold_facts_by_hand():
    assert priority_of(area=True, members=2, elderly=2, special=1) == 0
    assert priority_of(area=False, members=2, elderly=2, special=1) == 1
    assert priority_of(area=False, members=2, elderly=1, special=1) == 2
    assert priority_of(area=False, members=2, elderly=1, special=0) == 3
    assert priority_of(area=False, members=0, elderly=0, special=0) == 1  # nobody younger


def test_the_rule_in_python_and_in_sql_agree_on_every_combination(commune, plain, officer):
    """The import uses ``priority_of``, a recount ``priority_case``: every combination of a
    flagged area, 0-2 members, how many are 60+ and how many have special needs."""
    year = timezone.localdate().year
    remote = village_create(actor=officer, commune=commune, name="Bản Xa", is_remote=True)
    want = {}
    for area, village in ((False, plain), (True, remote)):
        for n in range(3):
            for elderly in range(n + 1):
                for special in range(n + 1):
                    code = f"R-{int(area)}{n}{elderly}{special}"
                    h = household_create(actor=officer, commune=commune, code=code, village=village)
                    for i in range(n):
                        person_register(
                            actor=officer,
                            household=h,
                            full_name=f"Lò Văn {code} {i}",
                            sex="M",
                            birth_year=year - (70 if i < elderly else 30),
                            special_needs="Nghe kém" if i < special else "",
                        )
                    want[code] = priority_of(area=area, members=n, elderly=elderly, special=special)
    got = dict(Household.objects.filter(code__startswith="R-").values_list("code", "priority"))
    assert got == want
    assert set(want.values()) == {0, 1, 2, 3}
    household_facts_true(commune, year)


def test_single_writes_keep_the_facts(commune, plain, officer):
    year = timezone.localdate().year
    h = household_create(actor=officer, commune=commune, code="F-1", village=plain)
    assert household_facts(h) == (0, 0, household_facts_by_hand(h, year)[2])
    young = person_register(
        actor=officer, household=h, full_name="Lò Văn A", sex="M", birth_year=year - 30
    )
    old = person_register(
        actor=officer, household=h, full_name="Lò Thị B", sex="F", birth_year=year - 70
    )
    assert household_facts(h)[:2] == (2, 0)
    assert household_facts_true(commune) == 1
    # the young one's year corrected: everyone 60+ now, elderly only
    person_update(actor=officer, person=young, birth_year=year - 65)
    assert household_facts(h) == (2, 0, 1)
    # a special-needs note: still elderly only (it comes first); then a young member
    person_update(actor=officer, person=old, special_needs="Nghe kém")
    child = person_register(
        actor=officer, household=h, full_name="Lò Văn C", sex="M", birth_year=year - 10
    )
    assert household_facts(h) == (3, 0, 2)
    # moved to another household: both change
    other = household_create(actor=officer, commune=commune, code="F-2", village=plain)
    person_update(actor=officer, person=child, household=other)
    assert (household_facts(h), household_facts(other)) == ((2, 0, 1), (1, 0, 3))
    # the village flagged remote: both households come first; unflagged: back
    village_update(actor=officer, village=plain, is_remote=True)
    assert (household_facts(h)[2], household_facts(other)[2]) == (0, 0)
    village_update(actor=officer, village=plain, is_remote=False)
    assert (household_facts(h)[2], household_facts(other)[2]) == (1, 3)
    # renamed: the households' place in the order follows; a household with no village last
    village_update(actor=officer, village=plain, name="Bản Đổi Tên")
    assert Household.objects.get(pk=h.pk).village_key == "0Bản Đổi Tên"
    nowhere = household_create(actor=officer, commune=commune, code="F-0")
    person_register(
        actor=officer, household=nowhere, full_name="Lò Văn D", sex="M", birth_year=year - 20
    )
    assert Household.objects.get(pk=nowhere.pk).village_key == "1"
    household_facts_true(commune)
    # the basic set held: trained, and off the family worklist
    for code in basic_codes():
        record(SYSTEM, child, code)
    assert household_facts(other) == (1, 1, 3)
    from hocvuso.outreach.selectors import family_worklist

    assert [x.code for x in family_worklist(actor=officer, commune=commune)] == ["F-1", "F-0"]
    household_facts_true(commune)


def test_merge_and_erasure_keep_the_facts(commune, plain, officer):
    from hocvuso.privacy.services import data_request_create, person_erase

    year = timezone.localdate().year
    h = household_create(actor=officer, commune=commune, code="M-1", village=plain)
    a = person_register(
        actor=officer, household=h, full_name="Hà Văn Nam", sex="M", birth_year=1980
    )
    walk_in = household_create(actor=officer, commune=commune, code="M-2", village=plain)
    b = person_register(
        actor=officer, household=walk_in, full_name="Hà Văn Nam", sex="M", birth_year=1980
    )
    person_register(actor=officer, household=h, full_name="Hà Thị Lan", sex="F", birth_year=1950)
    assert (household_facts(h)[0], household_facts(walk_in)[0]) == (2, 1)
    person_merge(actor=officer, survivor=a, duplicate=b)
    assert household_facts(h)[0] == 2
    assert household_facts(walk_in)[0] == 0  # the duplicate is a tombstone now
    household_facts_true(commune, year)
    request = data_request_create(actor=officer, person=a, kind="erasure", channel="office")
    person_erase(actor=officer, person=a, request=request)
    assert household_facts(h) == (1, 0, 1)  # only the elderly member is left to train
    household_facts_true(commune, year)


def _csv(rows: list[list[str]]) -> bytes:
    header = ["Họ và tên", "Năm sinh", "Giới tính", "Mã hộ", "Thôn", "Quan hệ", "Ghi chú đặc biệt"]
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_an_import_writes_the_facts_of_its_households(commune, officer):
    assert not commune.is_remote
    assert not commune.is_ethnic_minority
    year = timezone.localdate().year
    village_create(actor=officer, commune=commune, name="Bản Xa", is_remote=True)
    old, young = str(year - 70), str(year - 30)
    first = _csv(
        [
            ["Lò Văn Một", old, "Nam", "I-1", "Thôn Gần", "Chủ hộ", ""],
            ["Lò Thị Hai", old, "Nữ", "I-1", "Thôn Gần", "Vợ", ""],
            ["Giàng A Ba", young, "Nam", "I-2", "Bản Xa", "Chủ hộ", ""],
            ["Vàng Thị Bốn", young, "Nữ", "I-3", "Thôn Gần", "Chủ hộ", "Khiếm thị"],
            ["Vàng Văn Năm", young, "Nam", "I-4", "Thôn Gần", "Chủ hộ", ""],
        ]
    )
    outcome = registry_import(
        actor=officer, commune=commune, data=first, filename="a.csv", create_villages=True
    )
    assert (outcome.inserted, outcome.rejected) == (5, 0)
    by_code = {h.code: household_facts(h) for h in Household.objects.filter(commune=commune)}
    assert by_code == {"I-1": (2, 0, 1), "I-2": (1, 0, 0), "I-3": (1, 0, 2), "I-4": (1, 0, 3)}
    household_facts_true(commune, year)
    # A second list: a young newcomer joins I-1 (no longer elderly only), Năm (the same
    # person: same household, name and year) now has a special-needs note.
    second = _csv(
        [
            ["Lò Văn Sáu", young, "Nam", "I-1", "Thôn Gần", "Con", ""],
            ["Vàng Văn Năm", young, "Nam", "I-4", "Thôn Gần", "Chủ hộ", "Khiếm thính"],
        ]
    )
    outcome = registry_import(actor=officer, commune=commune, data=second, filename="b.csv")
    assert (outcome.inserted, outcome.updated) == (1, 1)
    by_code = {h.code: household_facts(h) for h in Household.objects.filter(commune=commune)}
    assert by_code == {"I-1": (3, 0, 3), "I-2": (1, 0, 0), "I-3": (1, 0, 2), "I-4": (1, 0, 2)}
    household_facts_true(commune, year)


def test_commune_flags_and_a_new_year(commune, plain, officer, province_officer):
    year = timezone.localdate().year
    h = household_create(actor=officer, commune=commune, code="Y-1", village=plain)
    # 59 this year, 60 next year: elderly only from January
    person_register(
        actor=officer, household=h, full_name="Lò Văn Già", sex="M", birth_year=year - 59
    )
    person_register(
        actor=officer, household=h, full_name="Lò Thị Già", sex="F", birth_year=year - 65
    )
    assert household_facts(h)[2] == 3
    # the province marks the commune remote, then unmarks it
    province = province_officer
    commune_flags_set(
        actor=province, province_code=commune.province_id, flags={commune.code: (True, False)}
    )
    assert household_facts(h)[2] == 0
    commune_flags_set(
        actor=province, province_code=commune.province_id, flags={commune.code: (False, False)}
    )
    assert household_facts(h)[2] == 3
    household_facts_true(commune, year)
    # the new year: the daily roll re-derives the priorities of households whose members
    # turned 60
    next_year = dt.date(year + 1, 1, 2)
    summaries.roll_forward(today=next_year)
    assert household_facts(h)[2] == 1
    household_facts_true(commune, year + 1)


def test_check_reports_and_rebuild_repairs(commune, plain, officer):
    h = household_create(actor=officer, commune=commune, code="C-1", village=plain)
    person_register(actor=officer, household=h, full_name="Lò Văn Một", sex="M", birth_year=1990)
    assert summaries.check() == []
    Household.all_objects.filter(pk=h.pk).update(members_live=7, priority=0)
    found = {(d.table, d.key, d.column, d.stored, d.counted) for d in summaries.check()}
    assert found == {
        ("household", str(h.pk), "members_live", 7, 1),
        ("household", str(h.pk), "priority", 0, 3),
    }
    summaries.rebuild()
    assert summaries.check() == []
    assert household_facts(h)[0] == 1


def test_a_recount_is_one_statement_and_writes_only_what_differs(commune, plain, officer):
    """One ``UPDATE … FROM`` the grouped recount, whatever differs: no row when every
    household is true, exactly the wrong ones otherwise."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    h = household_create(actor=officer, commune=commune, code="N-1", village=plain)
    person_register(actor=officer, household=h, full_name="Lò Văn Một", sex="M", birth_year=1990)
    other = household_create(actor=officer, commune=commune, code="N-2", village=plain)
    year = timezone.localdate().year
    qs = Household.all_objects.filter(commune=commune)
    with CaptureQueriesContext(connection) as ctx:
        assert summaries.recount_facts(qs, year=year) == 0
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["UPDATE"]
    Household.all_objects.filter(pk=h.pk).update(members_live=0, village_key="0Sai")
    with CaptureQueriesContext(connection) as ctx:
        assert summaries.recount_facts(qs, year=year) == 1
    assert len(ctx.captured_queries) == 1
    assert household_facts(h)[0] == 1
    assert Household.objects.get(pk=h.pk).village_key == "0" + plain.name
    assert household_facts(other) == (0, 0, 1)  # untouched: nobody to train
    household_facts_true(commune, year)


def test_the_last_visit_is_kept_checked_and_repaired(commune, plain, officer):
    """The plan sorts on the household's stored last visit: a visit sets it, a later visit
    moves it, an earlier one (a device syncing late) does not; it equals the latest visit by
    hand; check_summaries reports a wrong one, rebuild repairs it."""
    from hocvuso.core.ids import uuid7
    from hocvuso.teams.models import Visit
    from hocvuso.teams.services import team_create, visit_record

    team = team_create(actor=SYSTEM, commune=commune, name="Tổ 1", villages=[plain])
    h = household_create(actor=officer, commune=commune, code="V-1", village=plain)
    never = household_create(actor=officer, commune=commune, code="V-2", village=plain)
    person_register(actor=officer, household=h, full_name="Lò Văn Một", sex="M", birth_year=1990)
    now = timezone.now().replace(microsecond=0)

    def stored(household: Household) -> dt.datetime | None:
        return Household.all_objects.get(pk=household.pk).last_visit_at

    def latest(household: Household) -> dt.datetime | None:
        times = Visit.objects.filter(household=household).values_list("visited_at", flat=True)
        return max(times, default=None)

    assert stored(h) is None
    for when in (now - dt.timedelta(days=3), now - dt.timedelta(days=1), now - dt.timedelta(5)):
        visit_record(actor=officer, team=team, id=uuid7(), household=h, visited_at=when)
        assert stored(h) == latest(h)
    assert stored(h) == now - dt.timedelta(days=1)  # the one synced late changed nothing
    assert stored(never) is None
    assert summaries.check() == []
    Household.all_objects.filter(pk=h.pk).update(last_visit_at=None)
    Household.all_objects.filter(pk=never.pk).update(last_visit_at=now)
    found = {(d.key, d.column, d.stored, d.counted) for d in summaries.check()}
    assert found == {
        (str(h.pk), "last_visit_at", None, now - dt.timedelta(days=1)),
        (str(never.pk), "last_visit_at", now, None),
    }
    summaries.rebuild()
    assert summaries.check() == []
    assert (stored(h), stored(never)) == (now - dt.timedelta(days=1), None)
