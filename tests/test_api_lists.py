"""The list endpoints that write their page straight to JSON (``core.schemas.page_json``) answer
what their response schema describes: the body validates against the schema and comes back
unchanged, row by row, with the values the registry holds (checked against the rows, not
against the code that built them). A datetime is written as django-ninja's encoder writes it
(milliseconds, ``Z``); the schema dumps it back in its own format, so datetimes are compared
parsed in the round trip, and as the encoder writes them against the database."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from hocvuso.assistance.api import HelpRequestPage
from hocvuso.assistance.models import HelpRequest
from hocvuso.assistance.services import (
    help_request_answer,
    help_request_ask,
    help_request_close,
    help_request_take,
)
from hocvuso.classes.api import ClassPageOut
from hocvuso.classes.models import ClassEvent, ClassRegistration
from hocvuso.classes.services import NewPerson, class_attendance_set, class_create, class_register
from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.desk.api import DeskVisitPage
from hocvuso.desk.models import DeskVisit
from hocvuso.mentoring.api import MentorsOut
from hocvuso.mentoring.models import Mentor, Mentorship
from hocvuso.mentoring.services import mentor_create, mentor_update, mentorship_start
from hocvuso.outreach.api import FamilyPage, IdentityPage, T4Page
from hocvuso.privacy.services import consent_record, consent_withdraw
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create, person_register
from hocvuso.roles.services import role_grant
from hocvuso.skills.models import Skill
from hocvuso.teams.api import PlanPage
from hocvuso.teams.models import Claim, TeamMember, Visit
from hocvuso.teams.services import claim_take, visit_record
from tests.factories import log, login, make_user, record


@pytest.fixture
def people(commune, village, officer, desk):  # type: ignore[no-untyped-def]
    """Three households: a trader who agreed to be called and holds two Ts, a farmer of 1950
    who did not agree, and a household with no village."""
    h1 = household_create(actor=officer, commune=commune, code="L-1", village=village)
    h2 = household_create(actor=officer, commune=commune, code="L-2", village=village)
    h3 = household_create(actor=officer, commune=commune, code="L-3")
    trader = person_register(
        actor=officer, household=h1, full_name="Vàng Thị Mỷ", sex="F", birth_year=1985,
        phone="0912345678", occupation="trader", relationship="head",
    )  # fmt: skip
    consent_record(actor=officer, person=trader, purpose="contact_phone", method="paper")
    record(desk, trader, "pay.qr")
    record(desk, trader, "sell.online")
    farmer = person_register(
        actor=officer, household=h2, full_name="Lò Văn Páo", sex="M", birth_year=1950,
        phone="0987654321", occupation="farmer", relationship="head",
    )  # fmt: skip
    person_register(
        actor=officer, household=h3, full_name="Đỗ Thị Hà", sex="F", birth_year=1990,
        relationship="head",
    )  # fmt: skip
    return {"trader": trader, "farmer": farmer}


def _parsed(value: Any, datetimes: frozenset[str]) -> Any:
    """``value`` with the strings under the keys ``datetimes`` read as datetimes."""
    if isinstance(value, dict):
        return {
            k: dt.datetime.fromisoformat(v)
            if k in datetimes and isinstance(v, str)
            else _parsed(v, datetimes)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_parsed(v, datetimes) for v in value]
    return value


def _get(
    client: Any, url: str, schema: Any, datetimes: Iterable[str] = (), **query: Any
) -> dict[str, Any]:
    """The body of ``url``, checked against ``schema``: it validates and dumps back unchanged —
    compared as JSON, so a ``1`` for a ``true``, a ``0`` for a ``0.0`` or a field out of the
    schema's order would show (the datetimes, under the keys ``datetimes``, compared parsed)."""
    response = client.get(url, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    dumped = schema.model_validate(body).model_dump(mode="json")
    keys = frozenset(datetimes)
    if not keys:
        assert dumped == body
    assert json.dumps(_parsed(dumped, keys), default=str) == json.dumps(
        _parsed(body, keys), default=str
    )
    return body


def _body(client: Any, name: str, commune: Any, schema: Any, **query: Any) -> dict[str, Any]:
    return _get(client, reverse(name, args=[commune.code]), schema, **query)


def _iso(value: dt.datetime | None) -> str | None:
    """A datetime as django-ninja's encoder writes it (ISO, milliseconds, ``Z`` for UTC)."""
    return None if value is None else DjangoJSONEncoder().default(value)


def test_identity_rows_as_the_schema_says(people, commune, village, officer):
    body = _body(login(officer), "api:outreach_identity", commune, IdentityPage)
    rows = {r["full_name"]: r for r in body["results"]}
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    year = timezone.localdate().year
    trader = people["trader"]
    assert rows["Vàng Thị Mỷ"] == {
        "id": str(trader.pk),
        "full_name": "Vàng Thị Mỷ",
        "age": year - 1985,
        "village": village.name,
        "household_id": str(trader.household_id),
        "phone": Person.objects.get(pk=trader.pk).phone,  # agreed to be called
        "vneid_level": 0,
        "has_bank_account": False,
    }
    assert rows["Lò Văn Páo"]["phone"] == ""  # no consent to be called
    assert rows["Đỗ Thị Hà"]["village"] is None


def test_t4_rows_as_the_schema_says(people, commune, officer):
    body = _body(login(officer), "api:outreach_t4", commune, T4Page)
    rows = {r["full_name"]: r for r in body["results"]}
    assert set(rows) == {"Vàng Thị Mỷ", "Lò Văn Páo"}  # traders and farmers only
    assert rows["Vàng Thị Mỷ"]["t4"] == {
        "trade.profile": False,
        "sell.online": True,
        "pay.qr": True,
        "save.digital": False,
    }
    assert rows["Lò Văn Páo"]["t4"] == dict.fromkeys(rows["Lò Văn Páo"]["t4"], False)
    assert rows["Lò Văn Páo"]["occupation"] == "farmer"


def test_family_rows_as_the_schema_says(people, commune, village, officer):
    body = _body(login(officer), "api:outreach_families", commune, FamilyPage)
    rows = {r["code"]: r for r in body["results"]}
    assert set(rows) == {"L-1", "L-2", "L-3"}
    for code, row in rows.items():
        h = Household.objects.select_related("village", "head").get(commune=commune, code=code)
        assert row["id"] == str(h.pk)
        assert row["village"] == (h.village.name if h.village else None)
        assert row["head"] == h.head.full_name
        assert row["member_count"] == h.members.count() == 1
        assert row["priority"] == h.priority


def test_a_page_past_the_end_answers_the_last_page(people, commune, officer, settings):
    settings.HOCVUSO_PAGE_SIZE = 2
    body = _body(login(officer), "api:outreach_identity", commune, IdentityPage, page=9)
    assert (body["count"], body["page"], body["pages"], len(body["results"])) == (3, 2, 2, 1)


def test_desk_visit_rows_as_the_schema_says(people, commune, desk):
    trader, farmer = people["trader"], people["farmer"]
    alone = log(
        desk, commune, person=trader, outcome="done_alone", can_do_alone=True,
        note='Tự làm «được» "rồi"',
    )  # fmt: skip
    helped = log(desk, commune, person=farmer, procedure="bhyt")
    # a visit whose staff member is no longer named, at a time with microseconds
    DeskVisit.objects.filter(pk=helped.pk).update(
        staff=None, happened_at=dt.datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=dt.UTC)
    )
    url = reverse("api:desk_visits", args=[commune.code])
    body = _get(login(desk), url, DeskVisitPage, ["happened_at"])
    listed = (
        DeskVisit.objects.filter(commune=commune)
        .select_related("person", "staff")
        .order_by("-happened_at", "-pk")
    )
    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    assert [r["id"] for r in body["results"]] == [str(v.pk) for v in listed]
    for row, v in zip(body["results"], listed, strict=True):
        assert row == {
            "id": str(v.pk),
            "commune": commune.code,
            "person_id": str(v.person_id),
            "person_name": v.person.full_name,
            "procedure": v.procedure,
            "outcome": v.outcome,
            "can_do_alone": v.can_do_alone,
            "note": v.note,
            "happened_at": _iso(v.happened_at),
            "staff": v.staff.username if v.staff else None,
            "skill_event_id": str(v.skill_event_id) if v.skill_event_id else None,
        }
    rows = {r["id"]: r for r in body["results"]}
    assert rows[str(helped.pk)]["happened_at"] == "2025-03-01T10:00:00.123Z"
    assert rows[str(helped.pk)]["staff"] is None
    assert rows[str(alone.pk)]["staff"] == desk.username
    assert rows[str(alone.pk)]["skill_event_id"] is not None
    assert rows[str(alone.pk)]["note"] == 'Tự làm «được» "rồi"'


@pytest.fixture
def asked(people, officer):  # type: ignore[no-untyped-def]
    """Requests for help: the trader (agreed to be called) asks to be called, then for a visit —
    taken —; the farmer asks to be called — answered — and withdraws their consent to calls,
    then asks to come to the desk — answered and closed."""

    def citizen(person: Any, username: str) -> Any:
        user = make_user(username)
        role_grant(actor=SYSTEM, user=user, role="citizen", person=person)
        return user

    trader, farmer = people["trader"], people["farmer"]
    by_trader, by_farmer = citizen(trader, "dan.my"), citizen(farmer, "dan.pao")

    def ask(user: Any, person: Any, contact: str, **kw: Any) -> HelpRequest:
        return help_request_ask(actor=user, id=uuid7(), person=person, contact=contact, **kw)

    call = ask(by_trader, trader, "phone", skill=Skill.objects.get(code="pay.qr"))
    visit = ask(by_trader, trader, "visit", need="Chuyển tiền cho con")
    # the farmer agrees to be called, asks to be called, then withdraws the consent
    agreed = consent_record(actor=officer, person=farmer, purpose="contact_phone", method="paper")
    refused = ask(by_farmer, farmer, "phone", need="Cài VNeID")
    consent_withdraw(actor=officer, consent=agreed)
    closed = ask(by_farmer, farmer, "desk", need="Gia hạn BHYT")
    refused = help_request_take(actor=officer, request=refused)
    help_request_answer(actor=officer, request=refused, answer="Đã hướng dẫn qua điện thoại")
    closed = help_request_take(actor=officer, request=closed)
    closed = help_request_answer(actor=officer, request=closed, answer="Mời đến bộ phận một cửa")
    help_request_close(actor=officer, request=closed)
    help_request_take(actor=officer, request=visit)
    # the phone a helper may see: the trader's, on the request where they asked to be called
    phones = {call.pk: Person.objects.get(pk=trader.pk).phone, visit.pk: "", refused.pk: ""}
    return {"phones": phones, "closed": closed}


def _request_row(r: HelpRequest, phone: str) -> dict[str, Any]:
    return {
        "id": str(r.pk),
        "commune": r.commune_id,
        "village_id": str(r.village_id) if r.village_id else None,
        "person_id": str(r.person_id),
        "person_name": r.person.full_name,
        "skill": r.skill.code if r.skill else None,
        "need": r.need,
        "contact": r.contact,
        "phone": phone,
        "status": r.status,
        "taken_by": r.taken_by.username if r.taken_by else None,
        "answer": r.answer,
        "created_at": _iso(r.created_at),
    }


def test_help_request_rows_as_the_schema_says(asked, commune, officer):
    client = login(officer)
    url = reverse("api:assistance_requests", args=[commune.code])
    body = _get(client, url, HelpRequestPage, ["created_at"])
    phones = asked["phones"]
    assert phones[next(iter(phones))]  # the trader's number is shown
    held = HelpRequest.objects.select_related("person", "skill", "taken_by")
    # open first, then taken, then answered; oldest first
    in_hand = sorted(
        held.filter(pk__in=phones),
        key=lambda r: (("open", "taken", "answered").index(r.status), r.created_at, r.pk),
    )
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    assert body["results"] == [_request_row(r, phones[r.pk]) for r in in_hand]
    assert [r["status"] for r in body["results"]] == ["open", "taken", "answered"]
    answered = next(r for r in body["results"] if r["status"] == "answered")
    assert (answered["taken_by"], answered["phone"]) == (officer.username, "")

    body = _get(client, url, HelpRequestPage, ["created_at"], closed="true")
    closed = held.get(pk=asked["closed"].pk)
    assert body["results"] == [_request_row(closed, "")]
    assert (closed.status, closed.skill, body["results"][0]["taken_by"]) == (
        "closed",
        None,
        officer.username,
    )


def test_plan_rows_as_the_schema_says(people, commune, village, officer):
    member = make_user("to.api", "team_member", villages=[village])
    team = TeamMember.objects.get(user=member).team
    visited, claimed = (Household.objects.get(commune=commune, code=c) for c in ("L-1", "L-2"))
    when = timezone.now() - dt.timedelta(days=1, microseconds=4321)
    visit_record(actor=member, team=team, id=uuid7(), household=visited, visited_at=when)
    claim = claim_take(actor=member, team=team, household=claimed)
    url = reverse("api:teams_plan", args=[team.pk])
    body = _get(login(officer), url, PlanPage, ["last_visit_at", "claimed_at"])
    # the team's village's households (L-3 has no village), never visited first
    assert [r["code"] for r in body["results"]] == ["L-2", "L-1"]
    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    year = timezone.localdate().year
    for row in body["results"]:
        h = Household.objects.select_related("village", "head").get(pk=row["id"])
        visits = list(Visit.objects.filter(household=h).order_by("-visited_at"))
        held = Claim.objects.filter(household=h, released_at__isnull=True).first()
        members = list(Person.objects.filter(household=h, erased_at__isnull=True))
        statuses = {p.pk: getattr(p, "skill_status", None) for p in members}
        assert row == {
            "id": str(h.pk),
            "code": h.code,
            "village": h.village.name if h.village else None,
            "head": h.head.full_name if h.head else None,
            "member_count": len(members),
            "visited": bool(visits),
            "visit_count": len(visits),
            "last_visit_at": _iso(visits[0].visited_at) if visits else None,
            "lacking_basic": sum(1 for s in statuses.values() if s is None or not s.basic_complete),
            "lacking_identity": sum(
                1
                for p in members
                if year - p.birth_year >= 16
                and ((s := statuses[p.pk]) is None or s.vneid_level < 2)
            ),
            "priority": h.priority,
            "claimed_by": held.claimed_by_id if held else None,
            "claim_id": str(held.pk) if held else None,
            "claimed_at": _iso(held.claimed_at) if held else None,
        }
    rows = {r["code"]: r for r in body["results"]}
    assert (rows["L-2"]["claim_id"], rows["L-2"]["claimed_by"]) == (str(claim.pk), member.pk)
    assert rows["L-1"]["visit_count"] == 1
    assert dt.datetime.fromisoformat(rows["L-1"]["last_visit_at"]) - when < dt.timedelta(seconds=1)
    assert rows["L-1"]["lacking_basic"] == rows["L-2"]["lacking_identity"] == 1


def test_class_rows_as_the_schema_says(commune, officer):
    volunteer = make_user("doanvien.api", "youth_volunteer", commune=commune)
    volunteer.display_name = ""  # named by their username
    volunteer.save(update_fields=["display_name"])
    topics = list(Skill.objects.filter(code__in=["vneid.install", "pay.qr", "bank.account"]))
    soon = timezone.now() + dt.timedelta(days=2)
    full = class_create(
        actor=volunteer, commune=commune, title="Lớp VNeID", starts_at=soon, capacity=30,
        skills=topics, branch="Chi đoàn thôn", address="Nhà văn hóa", volunteers=[officer],
    )  # fmt: skip
    class_create(
        actor=officer, commune=commune, title="Lớp chưa có chủ đề", capacity=5,
        starts_at=soon + dt.timedelta(hours=1, microseconds=654321),
    )  # fmt: skip
    for name in ("Lò Thị A", "Lò Thị B"):
        class_register(
            actor=volunteer, id=uuid7(), klass=full,
            new_person=NewPerson(full_name=name, sex="F", birth_year=1990, confirmed_new=True),
        )  # fmt: skip
    first = ClassRegistration.objects.filter(klass=full).values_list("person_id", flat=True)[:1]
    class_attendance_set(actor=volunteer, klass=full, present=list(first))
    url = reverse("api:classes_list", args=[commune.code])
    body = _get(login(officer), url, ClassPageOut, ["starts_at"])
    listed = (
        ClassEvent.objects.filter(commune=commune)
        .select_related("organiser")
        .order_by("-starts_at", "pk")
    )
    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    assert [r["id"] for r in body["results"]] == [str(c.pk) for c in listed]
    for row, c in zip(body["results"], listed, strict=True):
        regs = ClassRegistration.objects.filter(klass=c)
        assert row == {
            "id": str(c.pk),
            "commune": commune.code,
            "title": c.title,
            "branch": c.branch,
            "village_id": str(c.village_id) if c.village_id else None,
            "address": c.address,
            "starts_at": _iso(c.starts_at),
            "capacity": c.capacity,
            "organiser": str(c.organiser),
            "skills": sorted(c.skills.values_list("code", flat=True)),
            "registered": regs.count(),
            "attended": regs.filter(attended=True).count(),
            "volunteers": c.volunteers.count(),
        }
    rows = {r["title"]: r for r in body["results"]}
    assert rows["Lớp VNeID"]["skills"] == ["bank.account", "pay.qr", "vneid.install"]
    assert (rows["Lớp VNeID"]["organiser"], rows["Lớp chưa có chủ đề"]["organiser"]) == (
        "doanvien.api",
        "Cán bộ xã",
    )
    counts = ("registered", "attended", "volunteers")
    assert [rows["Lớp VNeID"][k] for k in counts] == [2, 1, 1]
    assert [rows["Lớp chưa có chủ đề"][k] for k in (*counts, "skills")] == [0, 0, 0, []]


def test_mentor_rows_as_the_schema_says(people, commune, village, officer):
    """A mentors B and C, B mentors D; E (no village) stopped: by hand, A is a root reaching
    three people, B of the second generation reaching one, E a root reaching nobody."""

    def person(name: str) -> Any:
        h = household_create(actor=SYSTEM, commune=commune, code=f"M-{name}", village=village)
        return person_register(actor=SYSTEM, household=h, full_name=f"Người {name}", sex="F")

    def mentor(p: Any, **kw: Any) -> Mentor:
        return mentor_create(actor=SYSTEM, person=p, user=make_user(f"ds.{p.pk.hex}"), **kw)

    pa, pb, pc, pd = (person(n) for n in "ABCD")
    a, b = mentor(pa, capacity=7, languages=["08"]), mentor(pb)
    e = mentor(Person.objects.get(commune=commune, full_name="Đỗ Thị Hà"))
    for m, mentee in ((a, pb), (a, pc), (b, pd)):
        mentorship_start(actor=SYSTEM, mentor=m, mentee=mentee)
    mentor_update(actor=SYSTEM, mentor=e, capacity=5, languages=[], active=False)
    body = _get(login(officer), reverse("api:mentoring_mentors", args=[commune.code]), MentorsOut)
    active = Mentor.objects.filter(commune=commune, active=True)
    running = Mentorship.objects.filter(mentor__in=active, status="active")
    assert {k: v for k, v in body.items() if k != "results"} == {
        "goal": 5,
        "mentors": active.count(),
        "mentees": running.values("mentee_id").distinct().count(),
        "at_goal": 0,
        "at_goal_percent": 0.0,
        "count": 3,
        "page": 1,
        "pages": 1,
    }
    cascade = {a.pk: (1, 3), b.pk: (2, 1), e.pk: (1, 0)}
    listed = (
        Mentor.objects.filter(commune=commune)
        .select_related("person__household__village")
        .order_by("-active", "person__search_key", "pk")
    )
    assert [r["id"] for r in body["results"]] == [str(m.pk) for m in listed]
    for row, m in zip(body["results"], listed, strict=True):
        village_of = m.person.household.village
        assert row == {
            "id": str(m.pk),
            "person_id": str(m.person_id),
            "full_name": m.person.full_name,
            "village": village_of.name if village_of else None,
            "capacity": m.capacity,
            "languages": m.languages,
            "active": m.active,
            "active_mentees": Mentorship.objects.filter(mentor=m, status="active").count(),
            "generation": cascade[m.pk][0],
            "reached": cascade[m.pk][1],
        }
    rows = {r["id"]: r for r in body["results"]}
    assert (rows[str(a.pk)]["languages"], rows[str(a.pk)]["active_mentees"]) == (["08"], 2)
    assert (rows[str(e.pk)]["village"], rows[str(e.pk)]["active"]) == (None, False)
