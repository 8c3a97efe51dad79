"""The two-tap identity buttons, the family guide, and out-of-scope refusals."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hocvuso.core.errors import DomainError
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.outreach.models import FamilyGuide
from hocvuso.outreach.services import family_guide_set
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.models import PersonSkillStatus, SkillEvent
from tests.factories import db_fingerprint, login, make_user

pytestmark = pytest.mark.django_db


def test_double_tap_records_once(officer, head):
    client = login(officer)
    page = client.get(reverse("outreach:identity", args=[head.commune_id]) + "?need=vneid")
    assert page.status_code == 200
    assert "Giàng Mí Pó" in page.content.decode()
    mark = reverse("outreach:identity_mark", args=[head.pk])
    data = {"id": str(uuid7()), "need": "vneid", "next": "/xa/00715/dinh-danh-so/?need=vneid"}
    for _ in range(2):
        response = client.post(mark, data)
        assert response.status_code == 302
        assert response["Location"] == data["next"]
    events = SkillEvent.objects.filter(person=head)
    assert [(e.skill.code, e.channel, e.helped_by_id) for e in events] == [
        ("vneid.level2", "verified_at_check", officer.pk)
    ]
    assert PersonSkillStatus.objects.get(person=head).vneid_level == 2
    after = client.get(reverse("outreach:identity", args=[head.commune_id]) + "?need=vneid")
    assert "Giàng Mí Pó: " in after.content.decode()  # the message, once
    assert mark not in after.content.decode()  # off the list


@pytest.mark.parametrize(
    ("role", "channel"),
    [("team_member", "home_visit"), ("desk_staff", "support_desk")],
)
def test_channel_follows_the_helpers_role(role, channel, commune, village, head):
    scope = {"villages": [village]} if role == "team_member" else {"commune": commune}
    client = login(make_user("helper", role, **scope))
    mark = reverse("outreach:identity_mark", args=[head.pk])
    assert client.post(mark, {"id": str(uuid7()), "need": "bank"}).status_code == 302
    event = SkillEvent.objects.get(person=head)
    assert (event.skill.code, event.channel) == ("bank.account", channel)
    assert PersonSkillStatus.objects.get(person=head).has_bank_account


def test_buttons_only_for_those_who_may_record(province_officer, head):
    page = login(province_officer).get(reverse("outreach:identity", args=[head.commune_id]))
    text = page.content.decode()
    assert "Giàng Mí Pó" in text  # sees the list
    assert reverse("outreach:identity_mark", args=[head.pk]) not in text  # no button
    response = login(province_officer).post(
        reverse("outreach:identity_mark", args=[head.pk]), {"id": str(uuid7()), "need": "vneid"}
    )
    assert response.status_code == 404
    assert not SkillEvent.objects.exists()


def test_another_communes_officer_gets_404_and_nothing_changes(other_officer, head, member):
    client = login(other_officer)
    before = db_fingerprint()
    for url in [
        reverse("outreach:identity", args=[head.commune_id]),
        reverse("outreach:families", args=[head.commune_id]),
        reverse("outreach:t4", args=[head.commune_id]),
        reverse("outreach:household_family", args=[head.household_id]),
        reverse("api:outreach_identity", args=[head.commune_id]),
    ]:
        assert client.get(url).status_code == 404, url
    mark = reverse("outreach:identity_mark", args=[head.pk])
    assert client.post(mark, {"id": str(uuid7()), "need": "vneid"}).status_code == 404
    guide = reverse("outreach:guide_set", args=[head.household_id])
    assert client.post(guide, {"person": str(head.pk)}).status_code == 404
    api = reverse("api:outreach_guide_set", args=[head.household_id])
    body = json.dumps({"person_id": str(head.pk)})
    assert client.post(api, body, content_type="application/json").status_code == 404
    assert db_fingerprint() == before
    assert not SkillEvent.objects.exists()
    assert not FamilyGuide.objects.exists()


def test_guide_designation_keeps_history(officer, head, member):
    household = head.household
    first = family_guide_set(actor=officer, household=household, person=head)
    assert family_guide_set(actor=officer, household=household, person=head).pk == first.pk
    second = family_guide_set(actor=officer, household=household, person=member)
    rows = list(FamilyGuide.objects.filter(household=household).order_by("created_at"))
    assert [(g.person_id, g.ended_at is None) for g in rows] == [
        (head.pk, False),
        (member.pk, True),
    ]
    assert rows[1].pk == second.pk
    assert rows[0].ended_by_id == officer.pk
    assert AuditLog.objects.filter(action="family_guide.set").count() == 2
    page = login(officer).get(reverse("outreach:household_family", args=[household.pk]))
    text = page.content.decode()
    assert "Giàng Thị Mỷ" in text
    assert "Earlier guides" in text or "Người hướng dẫn trước" in text


def test_a_non_member_is_refused_with_a_stable_code(officer, commune, village, head):
    elsewhere = household_create(actor=officer, commune=commune, code="LC-002", village=village)
    stranger = person_register(
        actor=officer, household=elsewhere, full_name="Vàng Thị Dở", sex="F", birth_year=1990
    )
    with pytest.raises(DomainError) as exc:
        family_guide_set(actor=officer, household=head.household, person=stranger)
    assert exc.value.code == "guide_not_member"
    client = login(officer)
    api = reverse("api:outreach_guide_set", args=[head.household_id])
    response = client.post(
        api, json.dumps({"person_id": str(stranger.pk)}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "guide_not_member"
    web = reverse("outreach:guide_set", args=[head.household_id])
    assert client.post(web, {"person": str(stranger.pk)}).status_code == 400
    assert not FamilyGuide.objects.exists()
    ok = client.post(api, json.dumps({"person_id": str(head.pk)}), content_type="application/json")
    assert ok.status_code == 201
    again = client.post(
        api, json.dumps({"person_id": str(head.pk)}), content_type="application/json"
    )
    assert again.status_code == 200
    assert FamilyGuide.objects.get().person_id == head.pk


def test_api_worklists_are_paged_and_filtered(officer, head, member):
    client = login(officer)
    body = client.get(reverse("api:outreach_identity", args=[head.commune_id])).json()
    assert (body["count"], body["pages"]) == (2, 1)
    assert {r["full_name"] for r in body["results"]} == {"Giàng Mí Pó", "Giàng Thị Mỷ"}
    row = next(r for r in body["results"] if r["full_name"] == "Giàng Mí Pó")
    # No consent to be contacted by phone yet: the worklist does not give the number.
    assert (row["village"], row["phone"]) == ("Thôn Thèn Pả", "")
    from hocvuso.privacy.services import consent_record

    consent_record(actor=officer, person=head, purpose="contact_phone", method="paper")
    body = client.get(reverse("api:outreach_identity", args=[head.commune_id])).json()
    row = next(r for r in body["results"] if r["full_name"] == "Giàng Mí Pó")
    assert row["phone"] == "+84912345678"
    t4 = client.get(
        reverse("api:outreach_t4", args=[head.commune_id]) + "?missing=pay.qr&q=gia"
    ).json()
    assert [r["full_name"] for r in t4["results"]] == ["Giàng Mí Pó"]  # the farmer
    assert t4["results"][0]["t4"] == dict.fromkeys(
        ["trade.profile", "sell.online", "pay.qr", "save.digital"], False
    )
    families = client.get(reverse("api:outreach_families", args=[head.commune_id])).json()
    assert [(r["code"], r["priority"]) for r in families["results"]] == [("LC-001", 0)]
    schema = client.get(reverse("api:openapi-json")).json()
    assert "/api/v1/outreach/communes/{code}/identity" in schema["paths"]
