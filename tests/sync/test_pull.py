"""The pull endpoint: the work set and nothing beyond it, pages and cursors, removals, resets,
gzip, and the queries of a page."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hocvuso.core.actors import SYSTEM
from hocvuso.privacy.services import data_request_create, person_erase
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create, household_update, person_register
from hocvuso.teams.models import TeamMember
from hocvuso.teams.services import claim_release, team_member_remove
from tests.sync.conftest import Phone

pytestmark = pytest.mark.django_db


def _pull(phone: Phone, cursor: str | None = None, **params: Any) -> Any:
    query = {**({"cursor": cursor} if cursor else {}), **params}
    response = phone.client.get(
        "/api/v1/sync/pull", query, HTTP_AUTHORIZATION=f"Bearer {phone.secret}"
    )
    assert response.status_code == 200, response.content.decode()
    return response.json()


def _pull_all(phone: Phone, cursor: str | None = None, limit: int = 500) -> tuple[list[Any], str]:
    changes: list[Any] = []
    while True:
        page = _pull(phone, cursor, limit=limit)
        assert len(page["changes"]) <= limit
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, cursor


def _ids(changes: list[Any], kind: str, op: str = "upsert") -> set[str]:
    return {c["id"] for c in changes if c["kind"] == kind and c["op"] == op}


def test_first_pull_is_the_work_set_and_nothing_more(sync_world):
    w = sync_world
    changes, _cursor = _pull_all(w.phone, limit=40)
    want_households = {str(h.pk) for h in Household.objects.filter(village__in=w.ours)}
    want_persons = {
        str(p.pk)
        for p in Person.objects.filter(household__village__in=w.ours, erased_at__isnull=True)
    }
    assert _ids(changes, "household") == want_households
    assert _ids(changes, "person") == want_persons
    assert _ids(changes, "status") <= want_persons
    assert _ids(changes, "team") == {str(w.team.pk)}
    assert len(_ids(changes, "skill")) > 20
    assert not any(c["op"] == "remove" for c in changes)
    outside = {str(h.pk) for h in Household.objects.filter(village=w.outside)}
    assert outside
    assert not outside & _ids(changes, "household")
    # Nothing sensitive, no identifier beyond the name, on the phone.
    text = json.dumps(changes)
    for key in ("cccd", "ethnicity", "special_needs", "phone", "birth_date"):
        assert f'"{key}"' not in text
    person = next(c for c in changes if c["kind"] == "person")
    assert set(person["data"]) == {
        "household_id", "full_name", "sex", "birth_year", "relationship", "occupation", "version"
    }  # fmt: skip


def test_an_interrupted_pull_resumes_from_its_cursor(sync_world):
    w = sync_world
    first = _pull(w.phone, limit=30)
    second = _pull(w.phone, first["cursor"], limit=30)
    # The answer to the second page was lost: asking again with the same cursor gives it again.
    again = _pull(w.phone, first["cursor"], limit=30)
    assert again["changes"] == second["changes"]
    assert again["cursor"] == second["cursor"]
    rest, _cursor = _pull_all(w.phone, second["cursor"], limit=30)
    whole, _c = _pull_all(w.phone, limit=500)
    assert first["changes"] + second["changes"] + rest == whole


def test_an_idle_incremental_pull_is_empty_and_small(sync_world, settings):
    # Nothing changed since the last pull, not even within the overlap (the world was just made).
    settings.HOCVUSO_SYNC_PULL_OVERLAP_SECONDS = 0
    w = sync_world
    _changes, cursor = _pull_all(w.phone)
    response = w.phone.client.get(
        "/api/v1/sync/pull",
        {"cursor": cursor},
        HTTP_AUTHORIZATION=f"Bearer {w.phone.secret}",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert response["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.content))
    assert (body["changes"], body["more"], body["reset"]) == ([], False, False)
    assert len(response.content) <= 1024


def test_changes_and_removals_reach_the_device(sync_world, officer, settings):
    settings.HOCVUSO_SYNC_PULL_OVERLAP_SECONDS = 0
    w = sync_world
    hs = w.households()
    claim = w.phone.push([w.phone.record("claim", {"household_id": str(hs[0].pk)})])
    assert claim.json()["answers"][0]["status"] == "accepted"
    _changes, cursor = _pull_all(w.phone)
    moved = hs[1]
    household_update(actor=officer, household=moved, village=w.outside)
    erased = w.members(hs[2])[0]
    request = data_request_create(actor=SYSTEM, person=erased, kind="erasure", channel="office")
    person_erase(actor=officer, person=erased, request=request)
    claim_release(actor=w.member, claim=hs[0].team_claims.get())
    household_update(actor=officer, household=hs[3], address="Số 9 mới")
    changes, cursor = _pull_all(w.phone, cursor)
    assert _ids(changes, "household", "remove") == {str(moved.pk)}
    assert str(hs[3].pk) in _ids(changes, "household")
    # The erased person (the people of the household that moved away leave the phone with
    # their household).
    assert _ids(changes, "person", "remove") == {str(erased.pk)}
    assert _ids(changes, "claim", "remove") == {str(hs[0].team_claims.get().pk)}
    address = next(c for c in changes if c["id"] == str(hs[3].pk))["data"]["address"]
    assert address == "Số 9 mới"


def test_a_moved_assignment_resets_the_device(sync_world, officer):
    w = sync_world
    _changes, cursor = _pull_all(w.phone)
    member = TeamMember.objects.get(team=w.team, user=w.member, removed_at__isnull=True)
    team_member_remove(actor=officer, member=member)
    page = _pull(w.phone, cursor)
    assert page["reset"] is True
    assert [c for c in page["changes"] if c["kind"] in ("household", "person")] == []


def test_a_bad_cursor_is_refused(sync_world):
    w = sync_world
    response = w.phone.client.get(
        "/api/v1/sync/pull", {"cursor": "bm90LWEtY3Vyc29y"},
        HTTP_AUTHORIZATION=f"Bearer {w.phone.secret}",
    )  # fmt: skip
    assert (response.status_code, response.json()["code"]) == (422, "bad_cursor")


def test_queries_of_a_pull_do_not_grow_with_the_work_set(sync_world, officer):
    """A full pull in one page: the same queries for the work set as for one with 12 more
    households of 2 people each."""
    w = sync_world

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = _pull(w.phone)
        assert page["more"] is False
        return len(ctx)

    small = count()
    for i in range(12):
        h = household_create(actor=officer, commune=w.commune, code=f"THEM-{i}", village=w.ours[0])
        for name in ("Lò Văn A", "Lò Thị B"):
            person_register(actor=officer, household=h, full_name=name, sex="M", birth_year=1990)
    assert count() == small == PULL_QUERIES


PULL_QUERIES = 13


def test_a_class_carries_its_roster_only_to_who_works_it(sync_world, officer):
    """The youth volunteer of a class gets its registered people (by name only) and its topic
    skills, to take attendance offline; a team member of the commune who does not work the
    class gets the class and nothing of its people."""
    import datetime as dt

    from django.utils import timezone

    from hocvuso.classes.services import class_create, class_register
    from hocvuso.core.ids import uuid7
    from hocvuso.skills.models import Skill
    from hocvuso.sync.services import device_register
    from tests.factories import make_user

    w = sync_world
    volunteer = make_user("doan.lop", "youth_volunteer", commune=w.commune)
    klass = class_create(
        actor=officer, commune=w.commune, title="Lớp VNeID", capacity=10,
        starts_at=timezone.now() + dt.timedelta(hours=2),
        skills=[Skill.objects.get(code="vneid.install")], volunteers=[volunteer],
    )  # fmt: skip
    person = w.members(w.households()[0])[0]
    class_register(actor=officer, id=uuid7(), klass=klass, person=person)
    theirs, _cursor = _pull_all(Phone(*device_register(actor=volunteer, name="Máy đoàn")))
    [sent] = [c for c in theirs if c["kind"] == "class" and c["id"] == str(klass.pk)]
    assert sent["data"]["works"] is True
    assert sent["data"]["skills"] == ["vneid.install"]
    assert sent["data"]["registrations"] == [
        {"person_id": str(person.pk), "name": person.full_name, "attended": False}
    ]
    ours, _cursor = _pull_all(w.phone)
    [seen] = [c for c in ours if c["kind"] == "class" and c["id"] == str(klass.pk)]
    assert "registrations" not in seen["data"]
    assert "works" not in seen["data"]
