"""Skill events → status; reversal; idempotent replay; scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import PersonSkillStatus, Skill, SkillEvent, SkillSet
from hocvuso.skills.services import skill_event_reverse
from tests.factories import make_user, record

pytestmark = pytest.mark.django_db

BASIC = ["0.1", "1.1", "2.1", "4.2", "vneid.level2", "dvc.online", "safety.scams"]


def _status(person):  # type: ignore[no-untyped-def]
    return PersonSkillStatus.objects.get(person=person)


def test_catalogue_is_seeded():
    assert Skill.objects.filter(kind="competence").exclude(area_id="0").count() == 24
    assert sorted(Skill.objects.filter(area_id="6").values_list("code", flat=True)) == [
        "6.1",
        "6.2",
        "6.3",
    ]
    assert Skill.objects.filter(kind="milestone").count() == 10
    basic = SkillSet.objects.get(code="basic", province=None)
    assert sorted(basic.skills.values_list("code", flat=True)) == sorted(BASIC)
    identity = SkillSet.objects.get(code="identity", province=None)
    assert sorted(identity.skills.values_list("code", flat=True)) == [
        "bank.account",
        "vneid.level2",
    ]


def test_event_updates_status(officer, head):
    day = timezone.localdate() - dt.timedelta(days=3)
    record(officer, head, "vneid.install", happened_on=day)
    s = _status(head)
    assert (s.skills, s.vneid_level, s.has_bank_account, s.basic_complete) == (
        ["vneid.install"], 1, False, False
    )  # fmt: skip
    assert s.last_event_on == day
    record(officer, head, "vneid.level2")
    record(officer, head, "bank.account", channel="support_desk", helped_by=officer)
    record(officer, head, "pay.qr")
    record(officer, head, "sell.online")
    s = _status(head)
    assert s.vneid_level == 2
    assert s.has_bank_account is True
    assert s.t4 == ["pay.qr", "sell.online"]
    for code in BASIC:
        record(officer, head, code)
    assert _status(head).basic_complete is True
    audit = AuditLog.objects.filter(action="skill_event.record")
    assert audit.count() == SkillEvent.objects.count()


def test_reversal_removes_the_skill(officer, head):
    first = record(officer, head, "vneid.level2")
    record(officer, head, "bank.account")
    reversal = skill_event_reverse(actor=officer, event=first, reason="Nhầm người", id=uuid7())
    assert reversal.reverses_id == first.pk
    s = _status(head)
    assert (s.skills, s.vneid_level) == (["bank.account"], 0)
    assert SkillEvent.objects.count() == 3  # nothing edited, nothing deleted
    assert AuditLog.objects.filter(
        action="skill_event.reverse", object_id=str(reversal.pk)
    ).exists()
    with pytest.raises(DomainError) as err:
        skill_event_reverse(actor=officer, event=first, reason="Lần nữa", id=uuid7())
    assert err.value.code == SkillsError.ALREADY_REVERSED
    with pytest.raises(DomainError) as err:
        skill_event_reverse(actor=officer, event=reversal, reason="x", id=uuid7())
    assert err.value.code == CoreError.INVALID
    # Replaying the reversal is harmless.
    again = skill_event_reverse(actor=officer, event=first, reason="Nhầm người", id=reversal.pk)
    assert again.pk == reversal.pk
    assert again.replayed
    # Recording the skill again brings it back.
    record(officer, head, "vneid.level2")
    assert _status(head).vneid_level == 2


def test_same_skill_twice_then_one_reversed_is_still_held(officer, head):
    a = record(officer, head, "pay.qr")
    record(officer, head, "pay.qr")
    skill_event_reverse(actor=officer, event=a, reason="Trùng", id=uuid7())
    assert _status(head).skills == ["pay.qr"]


def test_idempotent_replay(officer, head):
    event_id = uuid7()
    day = timezone.localdate()
    first = record(officer, head, "pay.qr", id=event_id, happened_on=day, note="Ảnh chụp")
    assert first.replayed is False
    audit = AuditLog.objects.count()
    again = record(officer, head, "pay.qr", id=event_id, happened_on=day, note="Ảnh chụp")
    assert again.pk == event_id
    assert again.replayed is True
    assert SkillEvent.objects.count() == 1
    assert AuditLog.objects.count() == audit
    with pytest.raises(DomainError) as err:
        record(officer, head, "sell.online", id=event_id, happened_on=day, note="Ảnh chụp")
    assert err.value.code == CoreError.EVENT_CONFLICT
    assert SkillEvent.objects.get().skill.code == "pay.qr"
    assert AuditLog.objects.count() == audit


def test_future_date_and_unknown_channel_refused(officer, head):
    with pytest.raises(DomainError):
        record(officer, head, "pay.qr", happened_on=timezone.localdate() + dt.timedelta(days=2))
    with pytest.raises(DomainError):
        record(officer, head, "pay.qr", channel="telepathy")
    assert not SkillEvent.objects.exists()


def test_basic_set_with_province_override(officer, head, commune):
    for code in BASIC:
        record(officer, head, code)
    assert _status(head).basic_complete is True
    stricter = SkillSet.objects.create(
        code="basic", province=commune.province, name_vi="Cơ bản (tỉnh)", name_en="Basic (prov.)"
    )
    stricter.skills.set(Skill.objects.filter(code__in=[*BASIC, "bank.account"]))
    other_province = SkillSet.objects.create(
        code="basic", province_id="01", name_vi="Hà Nội", name_en="Hanoi"
    )
    other_province.skills.set(Skill.objects.filter(code__in=["6.1"]))
    record(officer, head, "pay.qr")  # any event recomputes with the province's set
    assert _status(head).basic_complete is False
    record(officer, head, "bank.account")
    assert _status(head).basic_complete is True


def test_who_may_record(officer, head, desk, commune, other_commune, province_officer):
    from hocvuso.registry.services import village_create

    team = make_user("to", "team_member", villages=[head.household.village])
    other_village = village_create(actor=officer, commune=commune, name="Thôn Khác")
    far_team = make_user("to2", "team_member", villages=[other_village])
    other_desk = make_user("motcua2", "desk_staff", commune=other_commune)
    citizen = make_user("chinhminh", "citizen", person=head)
    national = make_user("qt", "national_admin")
    for actor in (officer, desk, team, national):
        record(actor, head, "pay.qr")
    for actor in (far_team, other_desk, province_officer, citizen):
        before = (SkillEvent.objects.count(), AuditLog.objects.count())
        with pytest.raises(NotFound):
            record(actor, head, "pay.qr")
        assert (SkillEvent.objects.count(), AuditLog.objects.count()) == before
    event = SkillEvent.objects.first()
    assert event is not None
    for actor in (other_desk, province_officer, citizen):
        with pytest.raises(NotFound):
            skill_event_reverse(actor=actor, event=event, reason="x", id=uuid7())
    assert not SkillEvent.objects.filter(reverses__isnull=False).exists()
