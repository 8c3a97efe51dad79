"""The push endpoint: every kind, per-record answers, replays, scope, bad input, query counts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hocvuso.accounts.models import DeviceToken
from hocvuso.classes.models import ClassGain, ClassRegistration
from hocvuso.classes.services import class_create, class_register
from hocvuso.core.ids import uuid7
from hocvuso.desk.models import DeskVisit
from hocvuso.kpi.models import CommuneSummary
from hocvuso.outreach.models import FamilyGuide
from hocvuso.registry.models import Household, Person
from hocvuso.skills.facts import skill_sets
from hocvuso.skills.models import Skill, SkillEvent
from hocvuso.skills.status import status_refresh
from hocvuso.sync.models import Device, SyncRecord
from hocvuso.sync.services import device_register
from hocvuso.teams.models import Claim, Visit, VisitPerson
from tests.factories import (
    basic_codes,
    db_fingerprint,
    household_facts,
    household_facts_true,
    make_user,
    recount_by_hand,
)
from tests.sync.conftest import Phone, visit_data

pytestmark = pytest.mark.django_db

GAINS = ["vneid.install", "vneid.level2"]
# What a push writes besides the domain's tables: its own log and the device's row (and the
# token's last use). A refused record must leave everything else exactly as it was.
SYNC_TABLES = frozenset({"sync_syncrecord", "sync_device", "accounts_devicetoken"})


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.content.decode()
    return response.json()


def _statuses(body: Any) -> list[str]:
    return [a["status"] for a in body["answers"]]


def test_visits_with_persons_and_gains_are_stored_once(sync_world):
    w = sync_world
    households = [h for h in w.households() if len(w.members(h)) >= 2][:3]
    records = [w.phone.record("visit", visit_data(h, w.members(h)[:2], GAINS)) for h in households]
    body = _ok(w.phone.push(records, pending=0))
    assert _statuses(body) == ["accepted"] * 3
    assert body["last_seq"] == 3
    ids = [r["id"] for r in records]
    assert Visit.objects.filter(pk__in=ids, visited_by=w.member).count() == 3
    assert VisitPerson.objects.filter(visit_id__in=ids).count() == 6
    events = SkillEvent.objects.filter(channel="home_visit", recorded_by=w.member)
    assert events.count() == 12  # 3 visits × 2 persons × 2 skills
    assert Device.objects.get(pk=w.phone.device.pk).last_seq == 3

    # The answer was lost: the same batch again is answered duplicate and writes nothing.
    before = db_fingerprint(skip=frozenset({"accounts_devicetoken", "sync_device"}))
    again = _ok(w.phone.push(records))
    assert _statuses(again) == ["duplicate"] * 3
    assert [a["was"] for a in again["answers"]] == ["accepted"] * 3
    assert db_fingerprint(skip=frozenset({"accounts_devicetoken", "sync_device"})) == before


def test_every_kind_is_applied(sync_world, commune, officer):
    w = sync_world
    village = w.ours[0]
    target = w.households(village)[0]
    members = w.members(target)
    new_household = uuid7()
    newcomer = uuid7()
    records = [
        w.phone.record(
            "household", {"village_id": str(village.pk), "code": "MOI-01", "address": "Đầu bản"}
        ),
        w.phone.record(
            "person",
            {
                "household_id": str(new_household),
                "full_name": "Lò Thị Mới",
                "sex": "F",
                "birth_year": 1999,
                "relationship": "head",
            },
            id=newcomer,
        ),
        w.phone.record("claim", {"household_id": str(target.pk)}),
        w.phone.record(
            "skill_event",
            {
                "person_id": str(members[0].pk),
                "skill": "bank.account",
                "happened_on": timezone.localdate().isoformat(),
                "channel": "home_visit",
            },
        ),
        w.phone.record(
            "family_guide", {"household_id": str(target.pk), "person_id": str(members[0].pk)}
        ),
    ]
    records[0]["id"] = str(new_household)
    # The visit finds the newcomer of the new household at home.
    records.append(
        w.phone.record(
            "visit",
            {
                "household_id": str(new_household),
                "visited_at": timezone.now().isoformat(),
                "present": [{"person_id": str(newcomer), "gained": ["vneid.install"]}],
            },
        )
    )
    body = _ok(w.phone.push(records))
    assert _statuses(body) == ["accepted"] * 6, body
    household = Household.objects.get(pk=new_household)
    assert (household.code, household.village_id, household.commune_id) == (
        "MOI-01",
        village.pk,
        commune.code,
    )
    person = Person.objects.get(pk=newcomer)
    assert (
        person.full_name,
        person.household_id,
        household.__class__.objects.get(pk=new_household).head_id,
    ) == ("Lò Thị Mới", new_household, newcomer)
    assert Claim.objects.filter(household=target, claimed_by=w.member).count() == 1
    assert SkillEvent.objects.filter(pk=records[3]["id"], person=members[0]).exists()
    assert FamilyGuide.objects.get(household=target, ended_at__isnull=True).person_id == (
        members[0].pk
    )
    assert Visit.objects.get(pk=records[5]["id"]).household_id == new_household
    assert SkillEvent.objects.filter(person_id=newcomer, skill__code="vneid.install").count() == 1

    # The desk's phone logs a visit; the youth volunteer's ticks a class.
    desk_phone = Phone(
        *device_register(actor=make_user("motcua", "desk_staff", commune=commune), name="Quầy")
    )
    desk = _ok(
        desk_phone.push(
            [
                desk_phone.record(
                    "desk_visit",
                    {
                        "commune": commune.code,
                        "person_id": str(members[0].pk),
                        "procedure": "khai_sinh",
                        "outcome": "done_alone",
                        "can_do_alone": True,
                        "happened_at": timezone.now().isoformat(),
                    },
                )
            ]
        )
    )
    assert _statuses(desk) == ["accepted"]
    assert DeskVisit.objects.get(pk=desk["answers"][0]["id"]).person_id == members[0].pk

    youth = make_user("doan", "youth_volunteer", commune=commune)
    klass = class_create(
        actor=youth,
        commune=commune,
        title="Cài VNeID",
        capacity=10,
        starts_at=timezone.now() - dt.timedelta(hours=3),
        skills=[Skill.objects.get(code="vneid.install")],
    )
    for p in members[:2]:
        class_register(actor=youth, id=uuid7(), klass=klass, person=p)
    youth_phone = Phone(*device_register(actor=youth, name="Đoàn"))
    att = _ok(
        youth_phone.push(
            [
                youth_phone.record(
                    "class_attendance",
                    {
                        "class_id": str(klass.pk),
                        "present": [str(members[0].pk)],
                        "gains": [{"person_id": str(members[0].pk), "skill": "vneid.install"}],
                    },
                )
            ]
        )
    )
    assert _statuses(att) == ["accepted"]
    assert list(
        ClassRegistration.objects.filter(klass=klass, attended=True).values_list("person_id")
    ) == [(members[0].pk,)]
    assert ClassGain.objects.filter(klass=klass, person=members[0]).count() == 1


def _outside_records(w: Any, phone: Phone, commune: Any) -> list[dict[str, Any]]:
    """One record of every kind, each aimed outside the team member's assignment."""
    far = w.households(w.outside)[0]
    far_person = w.members(far)[0]
    today = timezone.localdate().isoformat()
    return [
        phone.record("household", {"village_id": str(w.outside.pk), "code": "NGOAI-1"}),
        phone.record(
            "person",
            {
                "household_id": str(far.pk),
                "full_name": "Người Ngoài",
                "sex": "M",
                "birth_year": 1980,
            },
        ),
        phone.record("claim", {"household_id": str(far.pk)}),
        phone.record("visit", visit_data(far, [far_person], GAINS)),
        phone.record(
            "skill_event",
            {
                "person_id": str(far_person.pk),
                "skill": "bank.account",
                "happened_on": today,
                "channel": "home_visit",
            },
        ),
        phone.record(
            "family_guide", {"household_id": str(far.pk), "person_id": str(far_person.pk)}
        ),
        phone.record(
            "desk_visit",
            {
                "commune": commune.code,
                "person_id": str(far_person.pk),
                "procedure": "khai_sinh",
                "outcome": "done_with_help",
                "happened_at": timezone.now().isoformat(),
            },
        ),
        phone.record("class_attendance", {"class_id": str(w.klass.pk), "present": []}),
    ]


def test_each_kind_outside_the_assignment_is_rejected_and_nothing_written(sync_world, commune):
    w = sync_world
    organiser = make_user("doan2", "youth_volunteer", commune=commune)
    w.klass = class_create(
        actor=organiser,
        commune=commune,
        title="Lớp khác",
        capacity=5,
        starts_at=timezone.now() - dt.timedelta(hours=1),
    )
    records = _outside_records(w, w.phone, commune)
    kinds = [r["kind"] for r in records]
    assert sorted(kinds) == sorted(
        [
            "household",
            "person",
            "claim",
            "visit",
            "skill_event",
            "family_guide",
            "desk_visit",
            "class_attendance",
        ]
    )
    before = db_fingerprint(skip=SYNC_TABLES)
    body = _ok(w.phone.push(records))
    assert _statuses(body) == ["rejected"] * len(records), body
    assert [a["code"] for a in body["answers"]] == ["not_found"] * len(records)
    assert all(a["message"] for a in body["answers"])
    assert db_fingerprint(skip=SYNC_TABLES) == before
    # Each was logged as rejected (a resend is a duplicate, not a second try).
    assert SyncRecord.objects.filter(device=w.phone.device, status="rejected").count() == 8


def test_one_bad_record_never_fails_the_batch(sync_world):
    w = sync_world
    h = w.households()[0]
    p = w.members(h)[0]
    good = w.phone.record("visit", visit_data(h, [p], GAINS))
    unknown = w.phone.record("parcel", {"x": 1})
    wrong = w.phone.record("claim", {"household_id": 12})
    future = w.phone.record(
        "claim",
        {"household_id": str(w.households()[1].pk)},
        at=(timezone.now() + dt.timedelta(days=2)).isoformat(),
    )
    old = w.phone.record(
        "claim",
        {"household_id": str(w.households()[2].pk)},
        at=(timezone.now() - dt.timedelta(days=800)).isoformat(),
    )
    naive = w.phone.record(
        "claim", {"household_id": str(w.households()[3].pk)}, at="2026-01-01T10:00:00"
    )
    not_object = "a string"
    body = _ok(w.phone.push([unknown, good, wrong, future, old, naive, not_object]))
    answers = body["answers"]
    assert [(a["status"], a["code"], a["field"]) for a in answers] == [
        ("rejected", "unknown_kind", "kind"),
        ("accepted", "", None),
        ("rejected", "wrong_type", "data.household_id"),
        ("rejected", "time_in_future", "at"),
        ("rejected", "time_too_old", "at"),
        ("rejected", "wrong_type", "at"),
        ("rejected", "wrong_type", "records"),
    ]
    assert "data.household_id" in answers[2]["message"]
    assert Visit.objects.filter(pk=good["id"]).exists()
    assert Claim.objects.filter(claimed_by=w.member).count() == 0
    # The enveloped ones used their sequence numbers; the naive and the string never had one.
    assert body["last_seq"] == 5


def test_bad_batches_are_refused_whole(sync_world, settings):
    w = sync_world
    before = db_fingerprint(skip=frozenset({"accounts_devicetoken"}))
    response = w.phone.post(b"{not json")
    assert response.status_code == 422
    assert response.json()["code"] == "not_json"
    response = w.phone.post(json.dumps([1, 2]))
    assert (response.status_code, response.json()["code"]) == (422, "bad_batch")
    h = w.households()[0]
    many = [w.phone.record("claim", {"household_id": str(h.pk)}) for _ in range(501)]
    response = w.phone.push(many)
    assert (response.status_code, response.json()["code"]) == (422, "batch_too_large")
    assert "500" in response.json()["message"]
    response = w.phone.push([], pending=-1)
    assert (response.status_code, response.json()["code"]) == (422, "wrong_type")
    huge = json.dumps({"records": [], "padding": "x" * (4 * 1024 * 1024 + 1)})
    response = w.phone.post(huge)
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert "4194304" in response.json()["message"]
    assert db_fingerprint(skip=frozenset({"accounts_devicetoken"})) == before


def test_sequence_gap_waits_and_reordered_batches_land_whole(sync_world):
    w = sync_world
    hs = w.households()
    first = [w.phone.record("claim", {"household_id": str(h.pk)}) for h in hs[:2]]
    second = [w.phone.record("claim", {"household_id": str(h.pk)}) for h in hs[2:4]]
    body = _ok(w.phone.push(second))  # arrives first: 3 and 4 wait for 1 and 2
    assert [(a["status"], a["code"], a["retry"]) for a in body["answers"]] == [
        ("rejected", "sequence_gap", True)
    ] * 2
    assert body["last_seq"] == 0
    assert Claim.objects.filter(claimed_by=w.member).count() == 0
    assert _statuses(_ok(w.phone.push(first))) == ["accepted"] * 2
    assert _statuses(_ok(w.phone.push(second))) == ["accepted"] * 2
    assert Claim.objects.filter(claimed_by=w.member, released_at__isnull=True).count() == 4
    # A new record under a number already used is refused.
    reused = w.phone.record("claim", {"household_id": str(hs[5].pk)}, seq=2)
    body = _ok(w.phone.push([reused]))
    assert [(a["status"], a["code"]) for a in body["answers"]] == [("rejected", "sequence_reused")]


def test_same_id_with_other_content_is_a_conflict(sync_world):
    w = sync_world
    h = w.households()[0]
    p = w.members(h)[0]
    record = w.phone.record("visit", visit_data(h, [p], GAINS))
    assert _statuses(_ok(w.phone.push([record]))) == ["accepted"]
    changed = {**record, "data": {**record["data"], "note": "khác"}}
    before = db_fingerprint(skip=frozenset({"accounts_devicetoken", "sync_device"}))
    body = _ok(w.phone.push([changed]))
    assert [(a["status"], a["code"]) for a in body["answers"]] == [("conflict", "event_conflict")]
    assert db_fingerprint(skip=frozenset({"accounts_devicetoken", "sync_device"})) == before
    assert Visit.objects.get(pk=record["id"]).note == ""


def test_first_synced_claim_wins_the_second_is_told(sync_world):
    w = sync_world
    h = w.households()[0]
    theirs = w.other_phone.record("claim", {"household_id": str(h.pk)})
    ours = w.phone.record("claim", {"household_id": str(h.pk)})
    assert _statuses(_ok(w.other_phone.push([theirs]))) == ["accepted"]
    body = _ok(w.phone.push([ours]))
    assert [(a["status"], a["code"]) for a in body["answers"]] == [("rejected", "household_taken")]
    assert list(Claim.objects.filter(household=h).values_list("claimed_by", flat=True)) == [
        w.other_member.pk
    ]


def test_tokens_expired_revoked_or_unknown_are_told_apart(sync_world):
    w = sync_world
    h = w.households()[0]
    record = w.phone.record("claim", {"household_id": str(h.pk)})
    before = db_fingerprint(skip=frozenset({"accounts_devicetoken"}))
    DeviceToken.objects.filter(pk=w.phone.device.token_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = w.phone.push([record])
    assert (response.status_code, response.json()["code"]) == (401, "token_expired")
    DeviceToken.objects.filter(pk=w.phone.device.token_id).update(
        expires_at=timezone.now() + dt.timedelta(days=1), revoked_at=timezone.now()
    )
    response = w.phone.push([record])
    assert (response.status_code, response.json()["code"]) == (401, "token_revoked")
    w.phone.secret = "hvs_" + "x" * 32
    response = w.phone.push([record])
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")
    response = w.phone.client.post(
        "/api/v1/sync/push", json.dumps({"records": [record]}), content_type="application/json"
    )
    assert response.status_code == 401
    assert db_fingerprint(skip=frozenset({"accounts_devicetoken"})) == before


def _visit_batch(w: Any, households: list[Household], gains: list[str] = GAINS) -> list[Any]:
    return [w.phone.record("visit", visit_data(h, w.members(h)[:3], gains)) for h in households]


def test_queries_per_batch_do_not_grow_with_its_size(sync_world):
    """The realistic mix (claims, and visits with up to 3 persons and 2 gains each): the same
    number of queries for a batch of 4 households as of 8 — and for their replays."""
    w = sync_world
    # Everyone has a status row already (as after a first sync), and every person at home
    # gains what flips one of their counted flags: both batches take the same branches.
    people = list(Person.objects.values_list("pk", flat=True))
    status_refresh(people, sets=skill_sets(), create_empty=True)
    lacking = {
        h.pk: [
            p
            for p in w.members(h)
            if p.skill_status.vneid_level < 2 and not p.skill_status.has_bank_account
        ][:3]
        for h in w.households()
    }
    hs = [h for h in w.households() if lacking[h.pk]]
    assert len(hs) >= 12
    gains = ["bank.account", "3.1"]  # a counted flag flips, the basic set stays as it was
    counts = []
    for chunk in (hs[:4], hs[4:12]):
        claims = [w.phone.record("claim", {"household_id": str(h.pk)}) for h in chunk]
        visits = [w.phone.record("visit", visit_data(h, lacking[h.pk], gains)) for h in chunk]
        records = claims + visits
        with CaptureQueriesContext(connection) as first:
            body = _ok(w.phone.push(records))
        assert _statuses(body) == ["accepted"] * len(records), body
        with CaptureQueriesContext(connection) as replay:
            assert _statuses(_ok(w.phone.push(records))) == ["duplicate"] * len(records)
        counts.append((len(first), len(replay)))
    assert counts[0] == counts[1], counts
    assert counts[0] == (PUSH_QUERIES, REPLAY_QUERIES), counts


PUSH_QUERIES = 58
REPLAY_QUERIES = 6


def test_summaries_after_a_push_equal_a_recount(sync_world, commune):
    w = sync_world
    hs = [h for h in w.households() if w.members(h)][:6]
    body = _ok(w.phone.push(_visit_batch(w, hs)))
    assert _statuses(body) == ["accepted"] * 6
    year = timezone.localdate().year
    want = recount_by_hand([commune.code], year)
    row = CommuneSummary.objects.get(commune_id=commune.code)
    assert {k: getattr(row, k) for k in want} == want
    visited = Visit.objects.filter(household__commune=commune).values("household").distinct()
    assert row.households_visited == visited.count() >= 6


def test_the_same_record_twice_in_one_batch_is_stored_once(sync_world):
    w = sync_world
    h = w.households()[0]
    record = w.phone.record("claim", {"household_id": str(h.pk)})
    other = {
        **record,
        "seq": record["seq"] + 1,
        "data": {"household_id": str(w.households()[1].pk)},
    }
    body = _ok(w.phone.push([record, record, other]))
    assert [(a["status"], a["code"]) for a in body["answers"]] == [
        ("accepted", ""),
        ("duplicate", ""),
        ("conflict", "event_conflict"),
    ]
    assert Claim.objects.filter(claimed_by=w.member).count() == 1


def test_a_sync_push_keeps_the_facts(sync_world, commune):
    w = sync_world
    village = w.ours[0]
    new_household = uuid7()
    records = [
        w.phone.record("household", {"village_id": str(village.pk), "code": "S-1"}),
        w.phone.record(
            "person",
            {
                "household_id": str(new_household),
                "full_name": "Lò Thị Mới",
                "sex": "F",
                "birth_year": timezone.localdate().year - 75,
                "relationship": "head",
            },
        ),
    ]
    records[0]["id"] = str(new_household)
    body = _ok(w.phone.push(records))
    assert _statuses(body) == ["accepted", "accepted"], body
    household = Household.objects.get(pk=new_household)
    assert household_facts(household)[:2] == (1, 0)
    household_facts_true(commune)
    # A visit where a member of an untrained household gains the whole basic set: trained now.
    untrained = next(h for h in w.households() if h.members_live and not h.members_trained)
    person = w.members(untrained)[0]
    visit = w.phone.record("visit", visit_data(untrained, [person], basic_codes()))
    assert _statuses(_ok(w.phone.push([visit]))) == ["accepted"]
    assert household_facts(untrained)[1] == 1
    household_facts_true(commune)
