"""The summary tables equal a recount from the raw records after every kind of write, on both
databases; rebuild and check commands; the age-based counts stay true as the years pass."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.geo.models import Village
from hocvuso.kpi import summaries
from hocvuso.kpi.measures import COMMUNE_COLUMNS
from hocvuso.kpi.models import CohortSummary, CommuneSummary, MonthSummary
from hocvuso.registry.models import Person
from hocvuso.registry.services import (
    household_create,
    household_update,
    person_register,
    person_update,
    village_create,
)
from hocvuso.skills.models import Skill, SkillEvent
from hocvuso.skills.services import skill_event_record, skill_event_reverse
from tests.factories import build_commune, recount_by_hand

pytestmark = pytest.mark.django_db


def _no_difference() -> None:
    found = summaries.check()
    assert found == [], "\n".join(str(d) for d in found[:20])


def _figures(code: str) -> dict[str, int]:
    row = CommuneSummary.objects.get(commune_id=code)
    return {
        f.name: getattr(row, f.name)
        for f in row._meta.fields
        if f.get_internal_type() == "IntegerField"
    }


def test_mixed_workload_leaves_no_difference(commune, other_commune, officer):
    build_commune(commune, households=30, seed=3)  # import + a batch of events + reversals
    _no_difference()
    year = timezone.localdate().year
    got = _figures(commune.code)
    want = recount_by_hand([commune.code], year)
    assert {k: got[k] for k in want} == want
    assert got["persons"] > 0
    assert got["vneid2_16"] > 0
    assert got["households_trained"] > 0

    # Single writes through the services: register, event, reversal, moves, updates.
    village = Village.objects.filter(commune=commune).order_by("name").first()
    other_village = village_create(actor=officer, commune=commune, name="Thôn Mới")
    h = household_create(actor=officer, commune=commune, code="NEW-1", village=village)
    p = person_register(
        actor=officer,
        household=h,
        full_name="Lò Văn Mới",
        sex="M",
        birth_year=1990,
        occupation="trader",
    )
    _no_difference()
    for code in ["vneid.level2", "pay.qr", "bank.account"]:
        e = skill_event_record(
            actor=officer,
            person=p,
            skill=Skill.objects.get(code=code),
            id=uuid7(),
            happened_on=timezone.localdate(),
            channel="home_visit",
        )
    _no_difference()
    skill_event_reverse(actor=officer, event=e, reason="nhầm", id=uuid7())
    _no_difference()
    household_update(actor=officer, household=h, village=other_village)
    _no_difference()
    second = household_create(actor=officer, commune=commune, code="NEW-2", village=village)
    person_update(actor=officer, person=p, household=second, birth_year=2012, occupation="student")
    _no_difference()
    # A person who already has the whole basic set moves: both households' "trained" change.
    trained = Person.objects.filter(commune=commune, skill_status__basic_complete=True).first()
    assert trained is not None
    person_update(actor=officer, person=trained, household=h)
    _no_difference()
    assert summaries.check() == []


def test_erasure_keeps_the_counts(commune, officer):
    from hocvuso.privacy.services import data_request_create, person_erase

    build_commune(commune, households=10, seed=4)
    before = _figures(commune.code)
    person = Person.objects.filter(commune=commune, skill_status__vneid_level=2).first()
    assert person is not None
    request = data_request_create(actor=officer, person=person, kind="erasure", channel="office")
    person_erase(actor=officer, person=person, request=request)
    _no_difference()
    assert _figures(commune.code) == before


def test_rebuild_repairs_and_check_command_exits_1(commune, officer):
    build_commune(commune, households=10, seed=5)
    CohortSummary.objects.filter(commune=commune).update(vneid2=0)
    CommuneSummary.objects.filter(commune=commune).update(households=999)
    MonthSummary.objects.filter(commune=commune).delete()
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("check_summaries", stdout=out)
    assert exc.value.code == 1
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["differences"] > 0
    assert "households" in out.getvalue()
    call_command("rebuild_summaries", stdout=StringIO())
    out = StringIO()
    call_command("check_summaries", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["differences"] == 0


def test_people_cross_16_as_the_years_pass(commune, officer):
    village = village_create(actor=officer, commune=commune, name="Thôn Tuổi")
    h = household_create(actor=officer, commune=commune, code="T-1", village=village)
    this_year = timezone.localdate().year
    teen = person_register(
        actor=officer, household=h, full_name="Cháu Mười Lăm", sex="F", birth_year=this_year - 15
    )
    person_register(actor=officer, household=h, full_name="Mẹ", sex="F", birth_year=this_year - 40)
    skill_event_record(
        actor=officer,
        person=teen,
        skill=Skill.objects.get(code="vneid.level2"),
        id=uuid7(),
        happened_on=timezone.localdate(),
        channel="home_visit",
    )
    row = CommuneSummary.objects.get(commune=commune)
    assert (row.persons_16, row.vneid2_16) == (1, 0)
    next_year = dt.date(this_year + 1, 1, 2)
    assert summaries.roll_forward(today=next_year) == 1
    row.refresh_from_db()
    assert (row.year, row.persons_16, row.vneid2_16) == (this_year + 1, 2, 1)
    assert summaries.check(today=next_year) == []
    assert MonthSummary.objects.filter(commune=commune, month=next_year.replace(day=1)).exists()
    assert summaries.roll_forward(today=next_year) == 0  # once a year


def test_status_batch_costs_a_fixed_number_of_queries(
    commune, officer, django_assert_max_num_queries
):
    from hocvuso.skills.services import EventInput, skill_events_record_batch

    build_commune(commune, households=20, seed=6)
    # People without a bank account: each event below changes a counted flag.
    people = list(
        Person.objects.filter(commune=commune)
        .exclude(skill_status__has_bank_account=True)
        .order_by("pk")
    )
    skill = Skill.objects.get(code="bank.account")

    def batch(n: int) -> list[EventInput]:
        return [
            EventInput(
                id=uuid7(), person=p, skill=skill, happened_on=timezone.localdate(), channel="class"
            )
            for p in people[:n]
        ]

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        skill_events_record_batch(actor=officer, events=batch(5))
    with CaptureQueriesContext(connection) as large:
        skill_events_record_batch(actor=officer, events=batch(len(people)))
    assert len(people) > 40
    summary_queries = [q for q in large.captured_queries if "kpi_" in q["sql"]]
    small_summary = [q for q in small.captured_queries if "kpi_" in q["sql"]]
    assert len(small_summary) > 0  # the batch did move the summaries
    assert len(summary_queries) == len(small_summary)  # independent of the batch size
    _no_difference()
    assert SkillEvent.objects.filter(skill=skill).count() >= len(people)


def test_history_of_this_month_equals_the_live_rows(kpi_world, officer):
    from hocvuso.mentoring.services import mentor_create, mentorship_start
    from tests.factories import make_user

    # Networks too: a mentor with a mentee, a desk staff member.
    people = list(Person.objects.filter(commune=kpi_world.lungcu).order_by("pk")[:3])
    mentor = mentor_create(
        actor=SYSTEM, person=people[0], user=make_user("cv"), capacity=5, languages=[]
    )
    mentorship_start(actor=SYSTEM, mentor=mentor, mentee=people[1])
    make_user("quay", "desk_staff", commune=kpi_world.lungcu)
    codes = [kpi_world.lungcu.code, kpi_world.neighbour.code, kpi_world.hanoi.code]
    month = summaries.month_of(timezone.localdate())
    rebuilt = summaries.history(codes, [month])
    live = {
        c: tuple(getattr(CommuneSummary.objects.get(commune_id=c), n) for n in COMMUNE_COLUMNS)
        for c in codes
    }
    assert {c: rebuilt[(c, month)] for c in codes} == live
    assert live[kpi_world.lungcu.code][COMMUNE_COLUMNS.index("mentors")] == 1
    # Six months back: nothing gained after that month's end is counted then.
    earlier = (month - dt.timedelta(days=170)).replace(day=1)
    before = summaries.history(codes, [earlier])[(kpi_world.lungcu.code, earlier)]
    vneid = COMMUNE_COLUMNS.index("vneid2_16")
    assert before[vneid] <= live[kpi_world.lungcu.code][vneid]
    assert summaries.backfill(codes, months=3) == 9
    assert MonthSummary.objects.filter(commune_id__in=codes).count() == 12
    _no_difference()


def test_closed_months_add_up_and_feed_the_national_trend(kpi_world, national_admin):
    from hocvuso.kpi import selectors
    from hocvuso.kpi.models import ProvinceMonthSummary

    codes = [kpi_world.lungcu.code, kpi_world.neighbour.code, kpi_world.hanoi.code]
    summaries.backfill(codes, months=3)
    nation = selectors.unit_get(actor=national_admin, level="national")
    months = selectors.trend(nation)
    assert len(months) == 4  # three closed months and this one
    for month, f in months[:-1]:
        rows = MonthSummary.objects.filter(month=month)
        assert f["persons"] == sum(r.persons for r in rows)
        assert f["vneid2_16"] == sum(r.vneid2_16 for r in rows)
    assert months[-1][1] == selectors.figures(nation) | {"communes": 3321}
    remote = selectors.trend(nation, area="remote")
    first = months[0][0]
    assert (
        remote[0][1]["persons"]
        == MonthSummary.objects.get(month=first, commune=kpi_world.lungcu).persons
    )
    assert summaries.check() == []
    ProvinceMonthSummary.objects.filter(month=first).update(persons=1)
    found = summaries.check()
    assert {d.table for d in found} == {"province_month"}
    # When the month turns, the month that ended is closed for the trends.
    this = summaries.month_of(timezone.localdate())
    next_month = (this + dt.timedelta(days=32)).replace(day=1)
    summaries.roll_forward(today=next_month)
    assert ProvinceMonthSummary.objects.filter(month=this).exists()
