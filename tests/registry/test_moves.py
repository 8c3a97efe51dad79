"""People and households who move to another commune: audited, both communes' figures true in
the same transaction, access follows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.kpi import summaries
from hocvuso.kpi.models import CommuneSummary
from hocvuso.registry.models import Household, Person, Transfer
from hocvuso.registry.selectors import household_get, person_get
from hocvuso.registry.services import household_create, person_register
from hocvuso.registry.services.moves import household_move, person_move
from hocvuso.skills.status import status_rebuild
from tests.factories import db_fingerprint, record, recount_by_hand

pytestmark = pytest.mark.django_db


def _persons(code: str) -> int:
    return CommuneSummary.objects.get(commune_id=code).persons


def test_a_household_moves_to_another_province_with_its_members(
    officer, other_officer, commune, other_commune, household, head, member
):
    record(officer, head, "vneid.level2")
    # The other commune has people of its own.
    person_register(
        actor=other_officer,
        household=household_create(actor=other_officer, commune=other_commune, code="BD-1"),
        full_name="Nguyễn Văn An",
        sex="M",
        birth_year=1980,
    )
    year = timezone.localdate().year
    here, there = recount_by_hand([commune.code], year), recount_by_hand([other_commune.code], year)
    assert commune.province_id != other_commune.province_id

    household_move(actor=officer, household=household, to=other_commune)

    assert recount_by_hand([commune.code], year)["persons"] == here["persons"] - 2
    assert recount_by_hand([other_commune.code], year) == {
        k: there[k] + here[k] for k in there
    }  # everything Lũng Cú counted for, Ba Đình counts now: the commune had only this household
    assert _persons(commune.code) == here["persons"] - 2
    assert _persons(other_commune.code) == there["persons"] + 2
    assert summaries.check() == []
    assert status_rebuild(check=True).differences == {}
    # Access follows: the old officer sees them no more, the new one does.
    with pytest.raises(NotFound):
        person_get(officer, head.pk)
    with pytest.raises(NotFound):
        household_get(officer, household.pk)
    assert person_get(other_officer, head.pk).commune_id == other_commune.code
    [row] = AuditLog.objects.filter(action="household.move")
    assert row.changes["commune"] == [commune.code, other_commune.code]
    assert row.changes["members"] == 2
    assert Transfer.objects.get().to_commune_id == other_commune.code


def test_a_move_to_a_province_with_its_own_basic_set_recomputes_the_status(
    officer, commune, other_commune, household, head
):
    """Complete under the national basic set where they lived; the province they move to asks
    for one skill more: not complete there, and the figures of both communes say so."""
    from hocvuso.skills.models import PersonSkillStatus, Skill, SkillSet

    basic = list(
        SkillSet.objects.get(code="basic", province=None).skills.values_list("code", flat=True)
    )
    for code in basic:
        record(officer, head, code)
    stricter = SkillSet.objects.create(
        code="basic", province=other_commune.province, name_vi="Cơ bản (tỉnh)", name_en="Basic"
    )
    extra = Skill.objects.exclude(code__in=basic).order_by("code").first()
    stricter.skills.set(Skill.objects.filter(code__in=[*basic, extra.code]))
    assert PersonSkillStatus.objects.get(person=head).basic_complete is True

    person_move(actor=officer, person=head, to=other_commune, code="BD-9")

    assert PersonSkillStatus.objects.get(person=head).basic_complete is False
    assert status_rebuild(check=True).differences == {}
    assert summaries.check() == []
    year = timezone.localdate().year
    assert recount_by_hand([other_commune.code], year)["basic_adults"] == 0


def test_a_person_moves_alone_into_a_new_household_of_the_other_commune(
    officer, other_officer, commune, other_commune, household, head, member
):
    year = timezone.localdate().year
    before = recount_by_hand([commune.code], year)
    transfer = person_move(actor=officer, person=head, to=other_commune, code="BD-MOI")
    head = Person.objects.get(pk=head.pk)
    assert (head.commune_id, head.household.code, head.household.head_id) == (
        other_commune.code,
        "BD-MOI",
        head.pk,
    )
    assert Household.objects.get(pk=household.pk).head_id is None  # the head left
    assert recount_by_hand([commune.code], year)["persons"] == before["persons"] - 1
    assert recount_by_hand([other_commune.code], year)["persons"] == 1
    assert recount_by_hand([other_commune.code], year)["households"] == 1
    assert summaries.check() == []
    assert transfer.to_household_id == head.household_id
    assert person_get(other_officer, head.pk) == head
    with pytest.raises(NotFound):
        person_get(officer, head.pk)


def test_moves_refused_write_nothing(
    officer, other_officer, desk, commune, other_commune, household, head
):
    before = db_fingerprint()
    for actor in (other_officer, desk):  # not a keeper of the commune they leave
        with pytest.raises(NotFound):
            household_move(actor=actor, household=household, to=other_commune)
        with pytest.raises(NotFound):
            person_move(actor=actor, person=head, to=other_commune, code="X")
    with pytest.raises(DomainError) as exc:
        household_move(actor=officer, household=household, to=commune)
    assert exc.value.code == "move_same_commune"
    household_create(actor=other_officer, commune=other_commune, code="LC-001")
    taken = db_fingerprint()
    with pytest.raises(DomainError) as exc:
        household_move(actor=officer, household=household, to=other_commune)
    assert exc.value.code == "duplicate_household_code"
    assert db_fingerprint() == taken
    assert before != taken  # (the household added above)


def test_the_move_page_moves_a_household_and_the_old_officer_loses_it(
    officer, other_officer, commune, other_commune, household, head
):
    from django.urls import reverse

    from tests.factories import login

    client = login(officer)
    url = reverse("registry:household_move", args=[household.pk])
    page = client.get(url).content.decode()
    assert "Chuyển sang xã khác" in page
    bad = client.post(url, {"commune": "9999"})
    assert bad.status_code == 400
    assert "5 chữ số" in bad.content.decode()
    response = client.post(url, {"commune": other_commune.code})
    assert response.status_code == 302
    assert Household.objects.get(pk=household.pk).commune_id == other_commune.code
    assert client.get(reverse("registry:household", args=[household.pk])).status_code == 404
    assert login(other_officer).get(reverse("ui:person", args=[head.pk])).status_code == 200


def test_nobody_moves_into_a_retired_commune(officer, commune, other_commune, household):
    from hocvuso.geo.models import Commune

    Commune.objects.filter(code=other_commune.code).update(
        retired_at=timezone.now(), successor_id=commune.code
    )
    other_commune.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        household_move(actor=officer, household=household, to=other_commune)
    assert exc.value.code == "move_retired"


def test_the_move_form_finds_the_commune_by_name_and_a_tap_moves_there(
    officer, desk, commune, other_commune, household, head
):
    """No code to type: the picker finds communes by name without diacritics (or province, or
    code), never offers the commune they leave nor a retired one, and only to whoever may move
    them out; a code from outside what it offered is refused and moves nothing."""
    from django.urls import reverse

    from hocvuso.core.text import fold
    from hocvuso.registry.selectors import move_destinations
    from tests.factories import client_for

    found = move_destinations(actor=officer, from_commune=commune.code, q="ba dinh")
    assert other_commune in found
    assert all("ba dinh" in fold(f"{c.name} {c.province.name}") for c in found)  # "Bá Định" too
    assert move_destinations(actor=officer, from_commune=commune.code, q="lung cu") == []
    assert move_destinations(actor=officer, from_commune=commune.code, q="00715") == []
    assert move_destinations(actor=desk, from_commune=commune.code, q="ba dinh") == []
    assert move_destinations(actor=officer, from_commune=commune.code, q="") == []
    client = client_for(officer)
    page = client.get(reverse("registry:household_move", args=[household.pk]), {"q": "ba dinh"})
    html = page.content.decode()
    assert 'type="radio" name="commune" value="00004"' in html
    assert "Phường Ba Đình — Thành phố Hà Nội" in html
    url = reverse("registry:household_move", args=[household.pk]) + "?q=ba+dinh"
    before = db_fingerprint()
    refused = client.post(url, {"commune": "00715", "code": ""})  # not among the offered
    assert refused.status_code == 400
    assert db_fingerprint() == before
    moved = client.post(url, {"commune": "00004", "code": ""})
    assert moved.status_code == 302
    household.refresh_from_db()
    head.refresh_from_db()
    assert (household.commune_id, head.commune_id) == ("00004", "00004")
