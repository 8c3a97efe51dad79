"""Consent and requests that act: what a person withdrew, objected to or restricted is refused
by every service (so by pages, API and bulk alike), with nothing written; all audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.errors import DomainError
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.outreach.selectors import identity_worklist
from hocvuso.privacy.services import (
    consent_record,
    consent_withdraw,
    data_request_complete,
    data_request_create,
    restriction_lift,
)
from hocvuso.registry.models import Person
from hocvuso.registry.purposes import BASIS, Basis, Purpose, permits
from hocvuso.registry.services import person_update
from hocvuso.skills.models import SkillEvent
from tests.factories import client_for, db_fingerprint, log, record

pytestmark = pytest.mark.django_db


def _fresh(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


def test_every_purpose_has_a_basis_and_consents_use_the_same_list():
    from hocvuso.privacy.models import ConsentPurpose

    assert set(BASIS) == set(Purpose.values) == set(ConsentPurpose.values)
    assert {p for p, b in BASIS.items() if b == Basis.CONSENT} == {
        "contact_phone",
        "learning",
        "photos",
    }


def test_withdrawn_skills_consent_refuses_new_skill_events_until_given_again(officer, head):
    consent = consent_record(actor=officer, person=head, purpose="skills", method="paper")
    record(officer, head, "bank.account")
    consent_withdraw(actor=officer, consent=consent)
    head = _fresh(head)
    assert head.purposes_withheld == ["skills"]
    assert not permits(head, Purpose.SKILLS)
    client = client_for(officer)  # signed in before the fingerprint (a session row)
    before = (SkillEvent.objects.count(), AuditLog.objects.count(), db_fingerprint())
    with pytest.raises(DomainError) as err:
        record(officer, head, "pay.qr")
    assert err.value.code == "purpose_withheld"
    assert (SkillEvent.objects.count(), AuditLog.objects.count(), db_fingerprint()) == before
    # The API answers 409 with the code, and writes nothing either.
    body = {
        "id": str(uuid7()),
        "person_id": str(head.pk),
        "skill": "pay.qr",
        "happened_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "channel": "home_visit",
    }
    response = client.post(
        reverse("api:skills_event_record"), json.dumps(body), content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "purpose_withheld")
    assert db_fingerprint() == before[2]
    # Given again: processing resumes.
    consent_record(actor=officer, person=head, purpose="skills", method="paper")
    head = _fresh(head)
    assert head.purposes_withheld is None
    assert record(officer, head, "pay.qr").skill.code == "pay.qr"


def test_an_objection_stops_what_it_objects_to_only(officer, head, desk, commune):
    request = data_request_create(actor=officer, person=head, kind="objection", channel="office")
    with pytest.raises(DomainError) as err:
        data_request_complete(actor=officer, request=request)  # what to?
    assert err.value.code == "required"
    data_request_complete(actor=officer, request=request, purpose="skills")
    head = _fresh(head)
    before = db_fingerprint()
    with pytest.raises(DomainError) as err:
        log(desk, commune, person=head)
    assert err.value.code == "purpose_withheld"
    with pytest.raises(DomainError):
        record(officer, head, "bank.account")
    assert db_fingerprint() == before
    # The registry record itself is still kept up to date (a public task not objected to).
    person_update(actor=officer, person=head, occupation="trader")
    assert _fresh(head).occupation == "trader"
    [row] = AuditLog.objects.filter(action="person.object")
    assert (row.actor, row.object_id, row.changes) == (
        officer,
        str(head.pk),
        {"request": str(request.pk), "purpose": "skills"},
    )


def test_a_restriction_makes_the_person_read_only_and_off_the_worklists(
    officer, head, member, commune
):
    assert {p.pk for p in identity_worklist(actor=officer, commune=commune, need="vneid")} == {
        head.pk,
        member.pk,
    }
    request = data_request_create(actor=officer, person=head, kind="restriction", channel="office")
    data_request_complete(actor=officer, request=request)
    head = _fresh(head)
    assert head.restricted_at is not None
    before = db_fingerprint()
    for attempt in (
        lambda: person_update(actor=officer, person=head, full_name="Giàng Mí Pó B"),
        lambda: record(officer, head, "bank.account"),
    ):
        with pytest.raises(DomainError) as err:
            attempt()
        assert err.value.code == "person_restricted"
    assert db_fingerprint() == before
    assert [p.pk for p in identity_worklist(actor=officer, commune=commune, need="vneid")] == [
        member.pk
    ]
    # The page says so, in Vietnamese, and offers the officer to lift it.
    page = client_for(officer).get(reverse("privacy:person", args=[head.pk])).content.decode()
    assert "Đã hạn chế xử lý từ" in page
    assert reverse("privacy:restriction_lift", args=[head.pk]) in page
    # Lifted (audited): back on the worklist, editable again.
    response = client_for(officer).post(reverse("privacy:restriction_lift", args=[head.pk]))
    assert response.status_code == 302
    head = _fresh(head)
    assert head.restricted_at is None
    person_update(actor=officer, person=head, occupation="trader")
    assert len(identity_worklist(actor=officer, commune=commune, need="vneid")) == 2
    actions = list(
        AuditLog.objects.filter(object_id=str(head.pk), action__startswith="person.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["person.restrict", "person.unrestrict", "person.update"]


def test_only_the_communes_officers_lift_a_restriction(
    officer, head, other_officer, desk, province_officer
):
    request = data_request_create(actor=officer, person=head, kind="restriction", channel="office")
    data_request_complete(actor=officer, request=request)
    clients = [client_for(user) for user in (other_officer, desk, province_officer)]
    before = db_fingerprint()
    for client in clients:
        response = client.post(reverse("privacy:restriction_lift", args=[head.pk]))
        assert response.status_code == 404
    assert db_fingerprint() == before
    from hocvuso.core.errors import NotFound

    with pytest.raises(NotFound):
        restriction_lift(actor=desk, person=head)
    assert _fresh(head).restricted_at is not None


def test_contact_by_phone_needs_consent_on_the_worklist_page(officer, head, commune):
    url = reverse("outreach:identity", args=[commune.code])
    page = client_for(officer).get(url).content.decode()
    assert "Giàng Mí Pó" in page
    assert "tel:+84912345678" not in page
    consent_record(actor=officer, person=head, purpose="contact_phone", method="paper")
    page = client_for(officer).get(url).content.decode()
    assert "tel:+84912345678" in page
