"""Access: everything held about a person, as JSON and as a readable page; audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hocvuso.core.models import AuditLog
from hocvuso.privacy.services import consent_record, data_request_create

pytestmark = pytest.mark.django_db


def test_json_download_holds_everything_and_no_secret(officer, officer_client, head, member):
    consent_record(actor=officer, person=head, purpose="skills", method="paper")
    data_request_create(actor=officer, person=head, kind="access", channel="office")
    response = officer_client.get(reverse("privacy:export_json", args=[head.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    data = json.loads(body)
    assert data["person"]["full_name"] == "Giàng Mí Pó"
    assert data["person"]["date_of_birth"] == "1970-03-04"
    assert data["person"]["ethnicity_label"] == "Mông"
    assert data["person"]["special_needs"] == "Mắt kém"
    assert data["person"]["phone"] == "+84912345678"
    assert data["person"]["cccd"] == "*********456"
    assert data["household"] == {
        "id": str(head.household_id),
        "code": "LC-001",
        "address": "Số 5, Thèn Pả",
        "village": "Thôn Thèn Pả",
        "is_head": True,
    }
    assert [c["purpose"] for c in data["consents"]] == ["skills"]
    assert [r["kind"] for r in data["requests"]] == ["access"]
    actions = [a["action"] for a in data["audit"]]
    assert actions == [
        "person.register",
        "consent.record",
        "privacy.request",
        "privacy.export",
    ]
    # No full number, no hash, no ciphertext, nothing about the other member.
    head.refresh_from_db()
    assert "002070123456" not in body
    assert head.cccd_hash not in body
    assert head.cccd_ciphertext not in body
    assert "cccd_hash" not in body
    assert "Giàng Thị Mỷ" not in body
    [row] = AuditLog.objects.filter(action="privacy.export")
    assert (row.actor, row.object_id, row.changes) == (officer, str(head.pk), {"format": "json"})


def test_readable_page(officer_client, officer, head):
    response = officer_client.get(reverse("privacy:export", args=[head.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Giàng Mí Pó", "Mông", "Mắt kém", "*********456", "LC-001"):
        assert text in page
    assert "002070123456" not in page
    assert AuditLog.objects.filter(
        action="privacy.export", changes={"format": "html"}, actor=officer
    ).exists()


def test_the_person_downloads_their_own_data(self_user, head):
    from tests.factories import client_for

    response = client_for(self_user).get(reverse("privacy:export_json", args=[head.pk]))
    assert response.status_code == 200
    assert json.loads(response.content)["person"]["full_name"] == "Giàng Mí Pó"
    assert AuditLog.objects.filter(action="privacy.export", actor=self_user).count() == 1


def test_out_of_scope_download_is_404_and_not_recorded(head, other_officer, citizen):
    from tests.factories import client_for

    for user in (other_officer, citizen):
        response = client_for(user).get(reverse("privacy:export_json", args=[head.pk]))
        assert response.status_code == 404
    assert not AuditLog.objects.filter(action="privacy.export").exists()


def _every_app_about(head, member, officer, desk, village, commune, self_user):  # type: ignore[no-untyped-def]
    """Data about ``head`` in every app that keeps any: a skill, a back-check of it, a desk
    visit, being the family guide, a mentor of their own and then mentoring someone, a home
    visit, a class, a field app's conflicting edit — and the citizen account (``self_user``)
    already linked."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from hocvuso.classes.services import (
        class_attendance_set,
        class_create,
        class_gains_record,
        class_register,
    )
    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.ids import uuid7
    from hocvuso.mentoring.services import mentor_create, mentorship_start, session_record
    from hocvuso.outreach.services import family_guide_set
    from hocvuso.registry.services import person_register
    from hocvuso.skills.checks import check_outcome_record, check_round_draw
    from hocvuso.skills.models import Skill
    from hocvuso.teams.services import Present, team_create, visit_record
    from tests.factories import log, make_user, record

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    record(officer, head, "bank.account", happened_on=yesterday, helped_by=desk)
    rnd = check_round_draw(
        actor=officer, commune=commune, period_from=yesterday, period_to=yesterday,
        percent=Decimal(100), seed=1,
    )  # fmt: skip
    check_outcome_record(actor=officer, check=rnd.checks.get(), outcome="confirmed")
    log(desk, commune, person=head, procedure="bhyt", outcome="done_alone")
    family_guide_set(actor=officer, household=head.household, person=head)
    their_mentor = mentor_create(actor=officer, person=member, user=make_user("daisu.my"))
    mentorship_start(actor=officer, mentor=their_mentor, mentee=head)
    session_record(
        actor=their_mentor.user, id=uuid7(), mentor=their_mentor, mentee=head,
        happened_on=yesterday, practised=["vneid.install"],
    )  # fmt: skip
    mentee = person_register(
        actor=officer, household=head.household, full_name="Giàng Mí Tủa", sex="M", birth_year=2000
    )
    as_mentor = mentor_create(actor=officer, person=head, user=make_user("daisu.po"))
    mentorship_start(actor=officer, mentor=as_mentor, mentee=mentee)
    team = team_create(actor=SYSTEM, commune=commune, name="Tổ Thèn Pả", villages=[village])
    worker = make_user("to.thenpa", "team_member", team=team)
    visit_record(
        actor=worker, team=team, id=uuid7(), household=head.household,
        visited_at=timezone.now() - dt.timedelta(hours=2),
        present=[Present(person=head, guided=["pay.qr"], gained=["pay.qr"])],
    )  # fmt: skip
    klass = class_create(
        actor=officer, commune=commune, title="Lớp ngân hàng số", capacity=10,
        starts_at=timezone.now() - dt.timedelta(days=1),
        skills=list(Skill.objects.filter(code="vneid.install")),
    )  # fmt: skip
    class_register(actor=officer, id=uuid7(), klass=klass, person=head)
    class_attendance_set(actor=officer, klass=klass, present=[head.pk])
    class_gains_record(actor=officer, klass=klass, gains=[(head.pk, "vneid.install")])
    # He asks for help from his home; the desk answers.
    from hocvuso.assistance.services import help_request_answer, help_request_ask

    asked = help_request_ask(
        actor=self_user, id=uuid7(), person=head, contact="desk", need="Cài ứng dụng ngân hàng"
    )
    help_request_answer(actor=desk, request=asked, answer="Mời ông ra quầy sáng thứ Hai")
    # An offline edit of the head's occupation on an old copy: a conflict for the officer.
    from hocvuso.sync.services import device_register, push_apply

    device, _secret = device_register(actor=officer, name="Máy xã")
    stale = (head.updated_at - dt.timedelta(days=1)).isoformat()
    push_apply(
        device=device,
        records=[
            {"id": str(uuid7()), "seq": 1, "kind": "person_edit", "at": timezone.now().isoformat(),
             "data": {"person_id": str(head.pk), "base_version": stale,
                      "base": {"occupation": "trader"}, "changes": {"occupation": "worker"}}}
        ],
    )  # fmt: skip


def test_the_export_holds_what_every_app_keeps_about_the_person(
    officer, officer_client, head, member, desk, village, commune, self_user
):
    _every_app_about(head, member, officer, desk, village, commune, self_user)
    data = json.loads(officer_client.get(reverse("privacy:export_json", args=[head.pk])).content)
    skills = data["skills"]
    assert sorted(skills["status"]["skills"]) == ["bank.account", "pay.qr", "vneid.install"]
    assert sorted((e["skill"], e["channel"]) for e in skills["events"]) == [
        ("bank.account", "home_visit"), ("pay.qr", "home_visit"), ("vneid.install", "class"),
    ]  # fmt: skip
    [bank] = [e for e in skills["events"] if e["skill"] == "bank.account"]
    assert (bank["helped_by"], bank["channel_label"]) == ("motcua", "Đến tận nhà")
    assert [(c["skill"], c["outcome"], c["outcome_label"]) for c in data["back_checks"]] == [
        ("bank.account", "confirmed", "Đã xác nhận")
    ]
    assert [(v["procedure"], v["outcome"], v["staff"]) for v in data["desk_visits"]] == [
        ("bhyt", "done_alone", "motcua")
    ]
    assert [(g["household"], g["ended_at"]) for g in data["family_guide"]] == [("LC-001", None)]
    mentoring = data["mentoring"]
    assert mentoring["as_mentor"]["account"] == "daisu.po"
    assert [(m["mentor"], m["status"]) for m in mentoring["mentorships"]] == [
        ("daisu.my", "active")
    ]
    assert [(x["mentor"], x["practised"]) for x in mentoring["sessions"]] == [
        ("daisu.my", ["vneid.install"])
    ]
    assert [(h["team"], h["gained"]) for h in data["home_visits"]] == [("Tổ Thèn Pả", ["pay.qr"])]
    assert [(r["class"], r["attended"]) for r in data["classes"]["registrations"]] == [
        ("Lớp ngân hàng số", True)
    ]
    assert data["classes"]["gains"] == [{"class": "Lớp ngân hàng số", "skill": "vneid.install"}]
    assert [(h["need"], h["answer"], h["status_label"]) for h in data["help_requests"]] == [
        ("Cài ứng dụng ngân hàng", "Mời ông ra quầy sáng thứ Hai", "Đã trả lời")
    ]
    assert [(a["username"], a["role"]) for a in data["accounts"]] == [("gmp", "citizen")]
    # Other people appear by their account only: not the mentor's or the mentee's own data.
    body = json.dumps(data, ensure_ascii=False)
    assert "Giàng Thị Mỷ" not in body
    assert "Giàng Mí Tủa" not in body
    # The readable page shows the same, in Vietnamese (no action codes).
    page = officer_client.get(reverse("privacy:export", args=[head.pk])).content.decode()
    for text in ("Lớp ngân hàng số", "Tổ Thèn Pả", "Đã xác nhận", "LC-001", "daisu.my", "gmp"):
        assert text in page, text
    assert "<code>person.register</code>" not in page


def test_every_table_about_a_person_is_exported():
    """A model of any app with a key to a person must belong to a provider (or say here why not)."""
    from django.apps import apps

    from hocvuso.core.personal_data import covered_models
    from hocvuso.registry.models import Person

    not_exported = {
        "accounts.roleassignment_mentees": "a mentor's reach, derived from the mentorships",
    }
    about = set()
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.get_fields():
            if f.is_relation and f.concrete and f.related_model is Person:
                about.add(model._meta.label_lower)
    assert about, "the scan must find the tables about a person"
    covered = covered_models()
    assert sorted(about - covered - set(not_exported)) == []
    # The back-checks are about a person through their skill event.
    assert "skills.backcheck" in covered


def test_every_provider_gives_the_export_a_section(
    officer, officer_client, head, member, desk, village, commune, self_user
):
    from hocvuso.core.personal_data import providers

    _every_app_about(head, member, officer, desk, village, commune, self_user)
    consent_record(actor=officer, person=head, purpose="skills", method="paper")
    data_request_create(actor=officer, person=head, kind="access", channel="office")
    data = json.loads(officer_client.get(reverse("privacy:export_json", args=[head.pk])).content)
    for provider in providers():
        sections = provider.export(head)
        assert sections, provider.app
        for key, value in sections.items():
            assert key in data, (provider.app, key)
            if key != "audit":  # the export itself adds an audit row after it was read
                assert data[key] == json.loads(json.dumps(value)), (provider.app, key)
            assert value not in (None, [], {}), (provider.app, key)
