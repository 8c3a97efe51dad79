"""Teams, the door-to-door plan, claims, visits and coverage — against recounts in Python."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.access.scope import forget_scope, scope_of
from hocvuso.accounts.models import RoleAssignment
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.registry.models import Household, Person
from hocvuso.skills.models import SkillEvent
from hocvuso.teams import selectors, services
from hocvuso.teams.models import Claim, Visit, VisitPerson
from hocvuso.teams.services import Present
from tests.factories import db_fingerprint as _db_fingerprint
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _visit(w, household, *, who=None, gained=("pay.qr",), when=None, id=None):  # type: ignore[no-untyped-def]
    person = household.members.filter(erased_at__isnull=True).order_by("pk").first()
    return services.visit_record(
        actor=who or w.member,
        team=w.team,
        id=id or uuid7(),
        household=household,
        visited_at=when or timezone.now() - dt.timedelta(hours=1),
        present=[Present(person=person, guided=["pay.qr"], gained=list(gained))],
        issues=["no_signal"],
    )


def _expected_plan(w, today: dt.date) -> list[str]:  # type: ignore[no-untyped-def]
    """The plan's order, recounted in Python from plain rows."""
    village_ids = set(w.team.villages.values_list("pk", flat=True))
    rows = []
    for h in Household.objects.filter(commune=w.commune).select_related("village", "commune"):
        if h.village_id not in village_ids:
            continue
        members = list(Person.objects.filter(household=h, erased_at__isnull=True))
        if not members:
            continue
        visits = list(Visit.objects.filter(household=h).values_list("visited_at", flat=True))
        last = max(visits) if visits else None

        def aged60(p: Person) -> bool:
            if p.birth_date:
                b = p.birth_date
                return today.year - b.year - ((today.month, today.day) < (b.month, b.day)) >= 60
            return p.birth_year is not None and today.year - p.birth_year >= 60

        if (
            h.village.is_remote
            or h.village.is_ethnic_minority
            or h.commune.is_remote
            or (h.commune.is_ethnic_minority)
        ):
            prio = 0
        elif all(aged60(p) for p in members):
            prio = 1
        elif any(p.special_needs for p in members):
            prio = 2
        else:
            prio = 3
        rows.append(
            (1 if last else 0, prio, last or dt.datetime.min.replace(tzinfo=dt.UTC),
             h.village.name, h.code, str(h.pk), h.code)
        )  # fmt: skip
    rows.sort(key=lambda r: r[:6])
    return [r[-1] for r in rows]


def test_membership_grants_and_revokes_access(team_world, officer):
    w = team_world
    s = scope_of(w.member)
    assert s.villages == frozenset(w.team.villages.values_list("pk", flat=True))
    assert "team_leader" in s.roles
    m = w.team.members.get(user=w.other_member)
    services.team_member_remove(actor=officer, member=m)
    forget_scope(w.other_member)
    assert scope_of(w.other_member).villages == frozenset()
    assert RoleAssignment.objects.get(pk=m.assignment_id).revoked_at is not None
    # Changing the villages moves the remaining member's access along.
    services.team_update(actor=officer, team=w.team, name="Tổ 1", villages=[w.outside])
    forget_scope(w.member)
    assert scope_of(w.member).villages == frozenset({w.outside.pk})


def test_plan_order_and_contents_match_a_recount(team_world):
    w = team_world
    households = list(Household.objects.filter(village__in=w.team.villages.all()).order_by("code"))
    _visit(w, households[0], when=timezone.now() - dt.timedelta(days=10))
    _visit(w, households[1], when=timezone.now() - dt.timedelta(days=2))
    today = timezone.localdate()
    plan = list(selectors.team_plan(actor=w.member, team=w.team, today=today))
    assert [h.code for h in plan] == _expected_plan(w, today)
    assert len(plan) > 10
    # Never visited first: the two visited households come last.
    assert {h.code for h in plan[-2:]} == {households[0].code, households[1].code}
    for h in plan:
        members = Person.objects.filter(household=h, erased_at__isnull=True)
        assert h.member_count == members.count()
        lacking = [
            p for p in members.select_related("skill_status")
            if not hasattr(p, "skill_status") or not p.skill_status.basic_complete
        ]  # fmt: skip
        assert h.lacking_basic == len(lacking)
        assert h.visit_count == Visit.objects.filter(household=h).count()


def test_plan_query_count_does_not_grow(team_world, settings):
    w = team_world
    client = login(w.member)
    url = reverse("teams:plan", args=[w.team.pk])
    settings.HOCVUSO_PAGE_SIZE = 3
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    settings.HOCVUSO_PAGE_SIZE = 25
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="household"') > 3
    assert len(large) == len(small)


def _queries(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_team_list_and_plan_queries_are_pinned(team_world, officer):
    """The same absolute number of queries for one team with nothing done, and for three teams
    with visits and claims over the plan."""
    w = team_world
    urls = [
        reverse("teams:list", args=[w.commune.code]),
        reverse("api:teams_list", args=[w.commune.code]),
        reverse("teams:plan", args=[w.team.pk]),
        reverse("api:teams_plan", args=[w.team.pk]),
    ]
    client = login(officer)
    small = [_queries(client, u) for u in urls]
    for name in ("Tổ 2", "Tổ 3"):
        other = services.team_create(
            actor=officer, commune=w.commune, name=name, villages=[w.outside]
        )
        services.team_member_add(actor=officer, team=other, user=make_user(f"to.{name[-1]}"))
    planned = list(Household.objects.filter(village__in=w.team.villages.all()).order_by("code"))
    for h in planned[:6]:
        _visit(w, h)
    for h in planned[6:9]:
        services.claim_take(actor=w.member, team=w.team, household=h)
    large = [_queries(client, u) for u in urls]
    assert small == large == [7, 6, 8, 7]


def test_claims_no_double_take_and_release_after_visit(team_world):
    w = team_world
    h = Household.objects.filter(village__in=w.team.villages.all()).order_by("code").first()
    claim = services.claim_take(actor=w.member, team=w.team, household=h)
    assert services.claim_take(actor=w.member, team=w.team, household=h).pk == claim.pk
    with pytest.raises(DomainError) as exc:
        services.claim_take(actor=w.other_member, team=w.team, household=h)
    assert exc.value.code == "household_taken"
    assert Claim.objects.filter(household=h).count() == 1
    # API: the same refusal with a stable code.
    r = login(w.other_member).post(
        reverse("api:teams_claim", args=[w.team.pk]),
        json.dumps({"household_id": str(h.pk)}),
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["code"] == "household_taken"
    _visit(w, h)
    claim.refresh_from_db()
    assert claim.release_reason == "visited"
    assert services.claim_take(actor=w.other_member, team=w.team, household=h).pk != claim.pk


def test_claim_expires_after_n_days(team_world):
    w = team_world
    h = Household.objects.filter(village__in=w.team.villages.all()).order_by("code").first()
    old = timezone.now() - dt.timedelta(days=selectors.claim_days(), minutes=1)
    first = services.claim_take(actor=w.member, team=w.team, household=h, now=old)
    row = next(x for x in selectors.team_plan(actor=w.member, team=w.team) if x.pk == h.pk)
    assert row.claim_id is None  # expired: back on the list
    second = services.claim_take(actor=w.other_member, team=w.team, household=h)
    first.refresh_from_db()
    assert first.release_reason == "expired"
    assert second.claimed_by == w.other_member


def test_visit_replay_is_idempotent_and_conflict_is_refused(team_world):
    w = team_world
    h = Household.objects.filter(village__in=w.team.villages.all()).order_by("code").first()
    vid = uuid7()
    when = timezone.now() - dt.timedelta(hours=2)
    v = _visit(w, h, id=vid, when=when, gained=("pay.qr", "vneid.install"))
    events = set(
        SkillEvent.objects.filter(channel="home_visit", person__household=h).values_list(
            "pk", flat=True
        )
    )
    assert {
        services.visit_event_id(vid, p.person_id, c) for p in v.present.all() for c in p.gained
    } <= events
    counts = (Visit.objects.count(), VisitPerson.objects.count(), SkillEvent.objects.count())
    again = _visit(w, h, id=vid, when=when, gained=("vneid.install", "pay.qr"))
    assert again.replayed
    assert again.pk == vid
    assert (
        Visit.objects.count(),
        VisitPerson.objects.count(),
        SkillEvent.objects.count(),
    ) == counts
    with pytest.raises(DomainError) as exc:
        _visit(w, h, id=vid, when=when, gained=("pay.qr",))
    assert exc.value.code == CoreError.EVENT_CONFLICT
    # The API: replay 200, conflict 409.
    person = h.members.order_by("pk").first()
    body = {
        "id": str(uuid7()), "team_id": str(w.team.pk), "household_id": str(h.pk),
        "visited_at": when.isoformat(), "issues": ["language", "no_smartphone"],
        "present": [{"person_id": str(person.pk), "gained": ["bank.account"]}],
    }  # fmt: skip
    client = login(w.member)
    url = reverse("api:teams_visit_record")
    r1 = client.post(url, json.dumps(body), content_type="application/json")
    r2 = client.post(url, json.dumps(body), content_type="application/json")
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r1.json() == r2.json()
    body["issues"] = ["other"]
    r3 = client.post(url, json.dumps(body), content_type="application/json")
    assert r3.status_code == 409
    assert r3.json()["code"] == "event_conflict"


def test_coverage_matches_a_recount(team_world, officer):
    w = team_world
    hs = list(Household.objects.filter(village__in=w.team.villages.all()).order_by("code"))
    for h in hs[:5]:
        _visit(w, h)
    data = selectors.coverage(actor=officer, commune=w.commune)
    for row in data.villages:
        hh = [h for h in Household.objects.filter(village_id=row.key)
              if Person.objects.filter(household=h, erased_at__isnull=True).exists()]  # fmt: skip
        assert row.households == len(hh)
        assert row.visited == sum(1 for h in hh if Visit.objects.filter(household=h).exists())
        people = Person.objects.filter(household__village_id=row.key, erased_at__isnull=True)
        assert row.persons == people.count()
        guided = {vp.person_id for vp in VisitPerson.objects.filter(was_guided=True)}
        assert row.guided == sum(1 for p in people if p.pk in guided)
    team_row = data.teams[0]
    assert team_row.visited == 5
    assert team_row.guided == 5
    assert data.total.visited == 5
    # A member sees only their team's villages.
    mine = selectors.coverage(actor=w.member, commune=w.commune)
    assert {r.key for r in mine.villages} == set(w.team.villages.values_list("pk", flat=True))


def test_member_scope_only_their_villages(team_world, officer):
    w = team_world
    outside = Household.objects.filter(village=w.outside).order_by("code").first()
    with pytest.raises(NotFound):
        selectors.plan_household_get(w.member, w.team, outside.pk)
    client = login(w.member)
    before = _db_fingerprint()
    r = client.post(reverse("teams:take", args=[w.team.pk, outside.pk]))
    assert r.status_code == 404
    person = outside.members.first()
    r = client.post(
        reverse("teams:visit", args=[w.team.pk, outside.pk]),
        {"id": str(uuid7()), "visited_at": "2026-01-05T09:00", "present": [str(person.pk)]},
    )
    assert r.status_code == 404
    # A team they are not in: 404, nothing written.
    other_team = services.team_create(
        actor=officer, commune=w.commune, name="Tổ 2", villages=[w.outside]
    )
    assert client.get(reverse("teams:plan", args=[other_team.pk])).status_code == 404
    before = _db_fingerprint()
    r = client.post(reverse("teams:take", args=[other_team.pk, outside.pk]))
    assert r.status_code == 404
    assert _db_fingerprint() == before
    codes = {h.code for h in selectors.team_plan(actor=w.member, team=w.team)}
    assert outside.code not in codes


def test_visit_form_records_skill_events(team_world):
    w = team_world
    h = Household.objects.filter(village__in=w.team.villages.all()).order_by("code").first()
    person = h.members.order_by("pk").first()
    client = login(w.member)
    url = reverse("teams:visit", args=[w.team.pk, h.pk])
    assert client.get(url).status_code == 200
    vid = uuid7()
    data = {
        "id": str(vid), "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "present": [str(person.pk)], f"gained_{person.pk}": ["vneid.level2"],
        "issues": ["no_signal", "language"], "follow_up_on": "2030-01-01",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double tap records once
    v = Visit.objects.get(pk=vid)
    assert v.issues == ["language", "no_signal"]
    event = SkillEvent.objects.get(pk=services.visit_event_id(vid, person.pk, "vneid.level2"))
    assert event.channel == "home_visit"
    assert event.helped_by == w.member
    assert Visit.objects.filter(household=h).count() == 1
