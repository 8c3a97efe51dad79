"""The acceptance of one true record per person: a class, a desk day and a sync that each meet
an already registered person leave the commune with no new duplicate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hocvuso.classes import services as classes
from hocvuso.core.ids import uuid7
from hocvuso.desk import services as desk_services
from hocvuso.kpi import summaries
from hocvuso.registry import matching
from hocvuso.registry.models import Person, PersonMerge
from hocvuso.registry.services import PossibleDuplicate
from hocvuso.skills.status import status_rebuild
from tests.factories import make_user, recount_by_hand
from tests.sync.conftest import visit_data

pytestmark = pytest.mark.django_db


def _pairs(commune) -> list[matching.Pair]:  # type: ignore[no-untyped-def]
    return matching.pairs(commune.code)


def test_a_class_a_desk_day_and_a_sync_that_meet_registered_people_add_no_duplicate(
    sync_world, officer
):
    world = sync_world
    commune = world.commune
    year = timezone.localdate().year
    people = [p for h in world.households() for p in world.members(h) if p.birth_year][:3]
    at_class, at_desk, at_home = people
    pairs_before = len(_pairs(commune))
    before = recount_by_hand([commune.code], year)

    # A class: the volunteer types the walk-in's name without diacritics; the matches are offered
    # and the volunteer picks the registered person.
    volunteer = make_user("doan", "youth_volunteer", commune=commune)
    klass = classes.class_create(
        actor=volunteer, commune=commune, title="Lớp VNeID", capacity=20,
        starts_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    walk_in = classes.NewPerson(
        full_name=at_class.search_key.upper(), sex=at_class.sex, birth_year=at_class.birth_year
    )
    with pytest.raises(PossibleDuplicate) as offered:
        classes.class_register(actor=volunteer, id=uuid7(), klass=klass, new_person=walk_in)
    assert [m.person.pk for m in offered.value.matches][:1] == [at_class.pk]
    classes.class_register(
        actor=volunteer, id=uuid7(), klass=klass, person=offered.value.matches[0].person
    )

    # A desk day: the same at the desk.
    staff = make_user("motcua", "desk_staff", commune=commune)
    new = desk_services.NewPerson(
        full_name=at_desk.full_name, sex=at_desk.sex, birth_year=at_desk.birth_year
    )
    with pytest.raises(PossibleDuplicate) as offered:
        desk_services.desk_visit_record(
            actor=staff, id=uuid7(), commune=commune, procedure="khai_sinh",
            outcome="done_with_help", new_person=new,
        )  # fmt: skip
    assert at_desk.pk in [m.person.pk for m in offered.value.matches]
    desk_services.desk_visit_record(
        actor=staff, id=uuid7(), commune=commune, procedure="khai_sinh",
        outcome="done_with_help", person=at_desk,
    )  # fmt: skip

    # A sync: the phone, offline, added "a newcomer" who is the household's registered member,
    # then recorded a visit where that newcomer gained a skill.
    newcomer = uuid7()
    visit = visit_data(at_home.household, [], ["vneid.install"])
    visit["present"] = [
        {"person_id": str(newcomer), "guided": ["vneid.install"], "gained": ["vneid.install"]}
    ]
    answer = world.phone.push(
        [
            world.phone.record(
                "person",
                {
                    "household_id": str(at_home.household_id),
                    "full_name": at_home.full_name,
                    "sex": at_home.sex,
                    "birth_year": at_home.birth_year,
                },
                id=newcomer,
            ),
            world.phone.record("visit", visit),
        ]
    ).json()
    assert [a["status"] for a in answer["answers"]] == ["accepted", "accepted"], answer
    tomb = Person.all_objects.get(pk=newcomer)
    assert tomb.merged_into_id == at_home.pk
    [merge] = PersonMerge.objects.all()
    assert merge.reason == "walk_in"
    assert at_home.skill_events.filter(skill__code="vneid.install").exists()

    # No new duplicate; the same people; every figure a recount; statuses true.
    assert len(_pairs(commune)) == pairs_before
    after = recount_by_hand([commune.code], year)
    assert after["persons"] == before["persons"]
    assert after["households"] == before["households"]
    assert summaries.check() == []
    assert status_rebuild(check=True).differences == {}


def test_a_newcomer_who_only_shares_a_name_elsewhere_is_created(sync_world):
    """A weak match (the same name and year in another household) is not taken without asking:
    the newcomer is stored and the pair waits on the worklist."""
    world = sync_world
    somebody = next(p for h in world.households() for p in world.members(h) if p.birth_year)
    other_household = next(h for h in world.households() if h.pk != somebody.household_id)
    newcomer = uuid7()
    answer = world.phone.push(
        [
            world.phone.record(
                "person",
                {
                    "household_id": str(other_household.pk),
                    "full_name": somebody.full_name,
                    "sex": somebody.sex,
                    "birth_year": somebody.birth_year,
                },
                id=newcomer,
            )
        ]
    ).json()
    assert answer["answers"][0]["status"] == "accepted"
    assert Person.objects.filter(pk=newcomer).exists()
    assert PersonMerge.objects.count() == 0
    assert any({p.first.pk, p.second.pk} == {somebody.pk, newcomer} for p in _pairs(world.commune))
