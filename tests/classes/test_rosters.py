"""A class's roster is filtered by the reader's scope: whoever works the class sees every
attendee; a team member who only reads the commune's classes sees only the people of their own
villages (the same people they see everywhere else); the counts are the same for everyone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hocvuso.classes.services import class_create, class_register
from hocvuso.core.ids import uuid7
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.skills.models import Skill
from tests.factories import login, make_user

pytestmark = pytest.mark.django_db


def test_a_team_member_reads_only_their_villages_attendees(commune, officer):
    mine = village_create(actor=officer, commune=commune, name="Thôn Của Tôi")
    theirs = village_create(actor=officer, commune=commune, name="Thôn Séo Lủng")
    people = {}
    for v, name in ((mine, "Người Thôn Mình"), (theirs, "Người Thôn Khác")):
        h = household_create(actor=officer, commune=commune, code=f"R-{v.name}", village=v)
        people[name] = person_register(
            actor=officer, household=h, full_name=name, sex="F", birth_year=1990
        )
    volunteer = make_user("doan.roster", "youth_volunteer", commune=commune)
    klass = class_create(
        actor=volunteer,
        commune=commune,
        title="Lớp VNeID",
        starts_at=dt.datetime(2025, 6, 1, 8, tzinfo=dt.UTC),
        capacity=10,
        skills=list(Skill.objects.filter(code="vneid.install")),
    )
    for p in people.values():
        class_register(actor=volunteer, id=uuid7(), klass=klass, person=p)
    member = make_user("to.roster", "team_member", villages=[mine])

    detail = login(member).get(f"/api/v1/classes/{klass.pk}").json()
    assert [r["person_name"] for r in detail["registrations"]] == ["Người Thôn Mình"]
    assert detail["registered"] == 2
    page = login(member).get(reverse("classes:detail", args=[klass.pk])).content.decode()
    assert "Người Thôn Mình" in page
    assert "Người Thôn Khác" not in page
    assert str(people["Người Thôn Khác"].pk) not in page

    # The organiser works the class: everyone is on their list.
    organised = login(volunteer).get(f"/api/v1/classes/{klass.pk}").json()
    assert sorted(r["person_name"] for r in organised["registrations"]) == [
        "Người Thôn Khác",
        "Người Thôn Mình",
    ]
