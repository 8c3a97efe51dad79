"""The support-desk log: visits, the skill event they record, finding and adding people."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.desk.models import DeskVisit
from hocvuso.desk.selectors import desk_figures, person_search
from hocvuso.desk.services import NewPerson, household_code_for, skill_event_id_for
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.models import PersonSkillStatus, SkillEvent
from tests.factories import log, make_user

pytestmark = pytest.mark.django_db


def test_can_do_alone_records_the_skill_event_once(desk, head, commune):
    visit_id = uuid7()
    at = timezone.now().replace(microsecond=0)
    first = log(desk, commune, id=visit_id, person=head, can_do_alone=True, happened_at=at)
    again = log(desk, commune, id=visit_id, person=head, can_do_alone=True, happened_at=at)
    assert first.replayed is False
    assert again.replayed is True
    assert again.pk == first.pk
    assert DeskVisit.objects.count() == 1
    event = SkillEvent.objects.get()
    assert event.pk == skill_event_id_for(visit_id)
    assert (event.skill.code, event.channel, event.person_id) == (
        "dvc.online",
        "support_desk",
        head.pk,
    )
    assert event.helped_by == desk
    assert event.happened_on == timezone.localdate(at)
    assert first.skill_event_id == event.pk
    assert "dvc.online" in PersonSkillStatus.objects.get(person=head).skills
    assert AuditLog.objects.filter(action="desk_visit.record").count() == 1
    assert AuditLog.objects.filter(action="skill_event.record").count() == 1


def test_no_skill_event_without_can_do_alone(desk, head, commune):
    visit = log(desk, commune, person=head, outcome="done_alone", can_do_alone=False)
    assert visit.skill_event_id is None
    assert SkillEvent.objects.count() == 0


def test_skill_event_id_is_a_deterministic_uuid7():
    visit_id = uuid7()
    derived = skill_event_id_for(visit_id)
    assert derived == skill_event_id_for(visit_id)
    assert derived != visit_id
    assert derived.version == 7
    assert derived.bytes[:6] == visit_id.bytes[:6]  # same time order as the visit


def test_same_id_different_content_is_a_conflict(desk, head, member, commune):
    visit_id = uuid7()
    at = timezone.now()
    log(desk, commune, id=visit_id, person=head, happened_at=at)
    with pytest.raises(DomainError) as exc:
        log(desk, commune, id=visit_id, person=member, happened_at=at)
    assert exc.value.code == "event_conflict"
    with pytest.raises(DomainError) as exc:
        log(desk, commune, id=visit_id, person=head, happened_at=at, outcome="not_done")
    assert exc.value.code == "event_conflict"
    assert DeskVisit.objects.count() == 1


def test_person_found_by_phone_cccd_and_name(desk, head, member, commune):
    assert person_search(actor=desk, commune=commune, q="0912.345.678") == [head]
    assert person_search(actor=desk, commune=commune, q="+84912345678") == [head]
    assert person_search(actor=desk, commune=commune, q="0021 7012 3456") == []
    assert person_search(actor=desk, commune=commune, q="002070123456") == [head]
    assert person_search(actor=desk, commune=commune, q="giang mi po") == [head]
    assert person_search(actor=desk, commune=commune, q="GIÀNG") == [head, member]
    assert person_search(actor=desk, commune=commune, q="0987654321") == []


def test_search_of_another_commune_is_refused(desk, other_commune):
    with pytest.raises(NotFound):
        person_search(actor=desk, commune=other_commune, q="giang")


def test_person_added_on_the_spot_into_a_new_household(desk, commune):
    visit_id = uuid7()
    at = timezone.now()
    new = NewPerson(full_name="Lò Thị  Hoa", sex="F", birth_year=1960, phone="0987 654 321")
    visit = log(desk, commune, id=visit_id, new_person=new, happened_at=at, can_do_alone=True)
    person = visit.person
    assert person.full_name == "Lò Thị Hoa"
    assert person.phone == "+84987654321"
    assert person.household.code == household_code_for(visit_id)
    assert person.commune_id == commune.code
    # A replay finds the visit: no second person, household or event.
    again = log(desk, commune, id=visit_id, new_person=new, happened_at=at, can_do_alone=True)
    assert again.replayed is True
    assert Person.objects.count() == 1
    assert Household.objects.count() == 1
    assert SkillEvent.objects.count() == 1
    register = AuditLog.objects.get(action="person.register")
    assert register.actor == desk  # audited under the desk staff's name


def test_person_added_into_an_existing_household(desk, head, commune):
    new = NewPerson(full_name="Giàng Thị Dua", sex="F", birth_year=2000, household=head.household)
    visit = log(desk, commune, new_person=new)
    assert visit.person.household_id == head.household_id
    assert Household.objects.count() == 1


def test_desk_staff_register_people_but_keep_nothing_else(desk, household, head):
    """Desk staff may add a walk-in citizen to the registry, and nothing more: no edits."""
    from hocvuso.access.scope import scope_of
    from hocvuso.registry.services import person_update, village_create

    log(desk, household.commune, new_person=NewPerson(full_name="Vàng Mí Chứ", sex="M"))
    assert scope_of(desk).communes == frozenset()
    assert person_register(actor=desk, household=household, full_name="X", sex="M").pk
    with pytest.raises(NotFound):
        person_update(actor=desk, person=head, full_name="Changed")
    with pytest.raises(NotFound):
        village_create(actor=desk, commune=household.commune, name="Thôn Mới")
    head.refresh_from_db()
    assert head.full_name == "Giàng Mí Pó"


def test_out_of_scope_refused_and_nothing_changed(head, commune, other_commune):
    stranger = make_user("motcua.badinh", "desk_staff", commune=other_commune)
    before = (DeskVisit.objects.count(), Person.objects.count(), AuditLog.objects.count())
    with pytest.raises(NotFound):
        log(stranger, commune, person=head)
    with pytest.raises(NotFound):  # a person of another commune at one's own desk
        log(stranger, other_commune, person=head)
    with pytest.raises(NotFound):
        log(stranger, commune, new_person=NewPerson(full_name="Lò Văn A", sex="M"))
    after = (DeskVisit.objects.count(), Person.objects.count(), AuditLog.objects.count())
    assert after == before


def test_out_of_scope_pages_and_api_answer_404(head, commune, other_commune, client):
    officer_elsewhere = make_user("motcua.bd", "desk_staff", commune=other_commune)
    client.force_login(officer_elsewhere)
    before = (DeskVisit.objects.count(), SkillEvent.objects.count())
    data = {
        "id": str(uuid7()),
        "person": str(head.pk),
        "procedure": "bhyt",
        "outcome": "done_alone",
        "can_do_alone": "on",
        "happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "save": "1",
    }
    assert client.post(reverse("desk:log", args=[commune.code]), data).status_code == 404
    assert client.get(reverse("desk:day", args=[commune.code])).status_code == 404
    body = {
        "id": str(uuid7()),
        "commune": commune.code,
        "person_id": str(head.pk),
        "procedure": "bhyt",
        "outcome": "done_alone",
        "can_do_alone": True,
        "happened_at": timezone.now().isoformat(),
    }
    response = client.post(reverse("api:desk_visit_record"), body, content_type="application/json")
    assert response.status_code == 404
    assert (DeskVisit.objects.count(), SkillEvent.objects.count()) == before


def test_figures_equal_a_recount(desk, officer, commune, other_commune, household):
    other_desk = make_user("motcua2", "desk_staff", commune=commune)
    make_user("motcua3", "desk_staff", commune=other_commune)
    people = [
        person_register(actor=officer, household=household, full_name=f"Người {i}", sex="M")
        for i in range(6)
    ]
    rng = random.Random(5)
    logged = []
    for _ in range(40):
        outcome = rng.choice(["done_with_help", "done_alone", "not_done"])
        alone = outcome != "not_done" and rng.random() < 0.4
        actor = rng.choice([desk, other_desk, officer])
        logged.append(
            log(actor, commune, person=rng.choice(people), outcome=outcome, can_do_alone=alone)
        )
    figures = desk_figures(actor=desk, communes=[commune.code, other_commune.code])
    assert list(figures) == [commune.code]  # the other commune is not the desk's to read
    f = figures[commune.code]
    assert f.staff == 2
    assert f.visits == len(logged)
    assert f.persons == len({v.person_id for v in logged})
    assert f.can_do_alone == sum(v.can_do_alone for v in logged)
    counts = Counter(v.outcome for v in logged)
    assert f.by_outcome == {o: counts[o] for o in ("done_with_help", "done_alone", "not_done")}


def test_figures_in_three_queries(
    national_admin, commune, other_commune, django_assert_num_queries
):
    from hocvuso.access.scope import scope_of

    scope_of(national_admin)  # computed once per request
    with django_assert_num_queries(3):  # the communes that may be read, the visits, the staff
        out = desk_figures(actor=national_admin, communes=[commune.code, other_commune.code])
    assert out[other_commune.code].staff == 0


def test_erased_person_cannot_be_logged(desk, head, commune):
    Person.objects.filter(pk=head.pk).update(erased_at=timezone.now())
    head.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        log(desk, commune, person=head)
    assert exc.value.code == "person_erased"


def test_future_time_and_unknown_procedure_refused(desk, head, commune):
    with pytest.raises(DomainError) as exc:
        log(desk, commune, person=head, happened_at=timezone.now() + dt.timedelta(days=1))
    assert exc.value.field == "happened_at"
    with pytest.raises(DomainError) as exc:
        log(desk, commune, person=head, procedure="nope")
    assert exc.value.field == "procedure"
    assert DeskVisit.objects.count() == 0


def test_household_create_code_is_free(desk, commune, officer):
    """A household made at the desk can be renamed by the officer later (nothing pinned to it)."""
    visit = log(desk, commune, new_person=NewPerson(full_name="Hờ Thị Mai", sex="F"))
    household_create(actor=officer, commune=commune, code="LC-999")
    assert visit.person.household.code.startswith("QUAY-")
