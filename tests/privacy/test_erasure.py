"""Erasure anonymises the person and keeps every count; audited; idempotent."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.urls import reverse

from hocvuso.access.scope import forget_scope, scope_of
from hocvuso.accounts.models import RoleAssignment
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.privacy.models import Consent
from hocvuso.privacy.services import (
    ERASED_FIELDS,
    consent_record,
    data_request_create,
    person_erase,
)
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import person_reveal_cccd, person_update
from tests.factories import tables_containing

pytestmark = pytest.mark.django_db

SECRETS = ["Giàng Mí Pó", "giang mi po", "002070123456", "912345678", "Mắt kém", "1970-03-04"]


def _counts() -> dict[str, object]:
    return {
        "by_commune_sex_year": sorted(
            Person.objects.values("commune_id", "sex", "birth_year")
            .annotate(n=Count("pk"))
            .values_list("commune_id", "sex", "birth_year", "n")
        ),
        "by_village": sorted(
            Person.objects.values("household__village_id")
            .annotate(n=Count("pk"))
            .values_list("household__village_id", "n")
        ),
        "households": Household.objects.count(),
        "heads": sorted(Household.objects.values_list("head_id", flat=True)),
        "occupations": sorted(
            Person.objects.values("occupation")
            .annotate(n=Count("pk"))
            .values_list("occupation", "n")
        ),
    }


def test_erasure_keeps_counts_and_leaves_no_trace(officer, head, member, self_user):
    # A history that put the person's data in several places.
    person_update(actor=officer, person=head, phone="0912 345 678", full_name="Giàng Mí Pó")
    person_update(actor=officer, person=head, special_needs="Mắt kém, tai nghe kém")
    person_update(actor=officer, person=head, special_needs="Mắt kém")
    person_reveal_cccd(actor=officer, person=head, reason="Làm thẻ")
    consent_record(actor=officer, person=head, purpose="skills", method="paper")
    assert tables_containing(["Giàng Mí Pó"])  # the scan does find it before
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    before = _counts()

    erased = person_erase(actor=officer, person=head, request=request)

    assert _counts() == before
    assert tables_containing(SECRETS) == []
    assert erased.full_name == f"Đã xoá #{head.pk.hex[-8:]}"
    assert (erased.birth_date, erased.birth_year, erased.sex) == (None, 1970, "M")
    assert (erased.cccd_hash, erased.cccd_ciphertext, erased.cccd_last3) == (None, "", "")
    assert (erased.phone, erased.ethnicity, erased.special_needs, erased.search_key) == (
        "",
        "",
        "",
        "",
    )
    assert erased.erased_at is not None
    assert (erased.household_id, erased.commune_id) == (head.household_id, head.commune_id)
    assert erased.household.village_id == head.household.village_id
    # Member untouched.
    member.refresh_from_db()
    assert member.full_name == "Giàng Thị Mỷ"
    # The audit row says what and why, without any old value.
    [row] = AuditLog.objects.filter(action="person.erase")
    assert row.actor == officer
    assert row.object_id == str(head.pk)
    assert row.changes["erased"] == list(ERASED_FIELDS)
    assert row.changes["request"] == str(request.pk)
    assert row.changes["consents_withdrawn"] == 1
    assert row.changes["accounts_unlinked"] == 1
    # Earlier audit rows are still there (who did what, when), values masked.
    actions = list(
        AuditLog.objects.filter(object_id=str(head.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "person.register",
        "person.update",
        "person.update",
        "person.reveal_cccd",
        "person.erase",
    ]
    register = AuditLog.objects.get(action="person.register", object_id=str(head.pk))
    assert register.changes["full_name"] == ["***", "***"]
    assert register.changes["sex"] == [None, "M"]  # kept values stay
    # Consent withdrawn (history kept), citizen account unlinked, request closed.
    assert Consent.objects.get().withdrawn_at is not None
    assignment = RoleAssignment.objects.get(user=self_user, role="citizen")
    assert assignment.revoked_at is not None
    forget_scope(self_user)
    assert head.pk not in scope_of(self_user).persons
    request.refresh_from_db()
    assert request.completed_at is not None
    assert request.acknowledged_at is not None


def test_erasure_is_idempotent(officer, head):
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    first = person_erase(actor=officer, person=head, request=request)
    audit_rows = AuditLog.objects.count()
    again = person_erase(actor=officer, person=head, request=request)
    assert again.erased_at == first.erased_at
    assert again.full_name == first.full_name
    assert AuditLog.objects.count() == audit_rows


def test_erasure_needs_an_erasure_request_of_that_person(officer, head, member):
    access = data_request_create(actor=officer, person=head, kind="access", channel="office")
    other = data_request_create(actor=officer, person=member, kind="erasure", channel="office")
    for request in (access, other):
        with pytest.raises(DomainError):
            person_erase(actor=officer, person=head, request=request)
    head.refresh_from_db()
    assert head.erased_at is None
    assert head.full_name == "Giàng Mí Pó"


def test_only_the_communes_officers_erase(
    officer, head, other_officer, province_officer, desk, team, self_user
):
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    for actor in (other_officer, province_officer, desk, team, self_user):
        with pytest.raises(NotFound):
            person_erase(actor=actor, person=head, request=request)
    head.refresh_from_db()
    assert head.erased_at is None
    assert not AuditLog.objects.filter(action="person.erase").exists()


def test_erasure_on_the_page(officer_client, officer, head):
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    url = reverse("privacy:erase", args=[request.pk])
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(url, {})  # not confirmed
    assert response.status_code == 400
    head.refresh_from_db()
    assert head.erased_at is None
    response = officer_client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    head.refresh_from_db()
    assert head.erased_at is not None
    page = officer_client.get(reverse("ui:person", args=[head.pk])).content.decode()
    assert "Giàng Mí Pó" not in page
    assert head.full_name in page


def test_erasure_reaches_every_app_and_every_note_that_names_the_person(
    officer, head, member, desk, village, commune, self_user, caplog
):
    """The person's data in every app, and their name and number written by helpers into other
    people's notes: after the erasure no table holds any of it, and every figure is the same."""
    import datetime as dt
    import logging

    from django.utils import timezone

    from hocvuso.kpi import summaries
    from tests.factories import log, record, recount_by_hand
    from tests.privacy.test_export import _every_app_about

    caplog.set_level(logging.DEBUG)
    _every_app_about(head, member, officer, desk, village, commune, self_user)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # Helpers' notes naming him, on his own rows and on his daughter's.
    record(officer, head, "vneid.install", happened_on=yesterday, note="Tự cài, rất nhanh")
    record(
        officer, member, "safety.scams", happened_on=yesterday,
        note="Hướng dẫn cùng bố là Giàng Mí Pó, SĐT +84912345678",
    )  # fmt: skip
    log(desk, commune, person=member, note="Đi cùng ông Giang Mi Po (0912345678)")
    log(desk, commune, person=member, note="CCCD của bố: 002070123456")
    consent_record(actor=officer, person=head, purpose="skills", method="paper")
    found = tables_containing(["+84912345678", "Giang Mi Po", "0912345678", "Tự cài"])
    assert ("skills_skillevent", "note") in found
    assert ("desk_deskvisit", "note") in found
    year = timezone.localdate().year
    figures = recount_by_hand([commune.code], year)
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")

    person_erase(actor=officer, person=head, request=request)

    leaks = ["Giang Mi Po", "0912345678", "+84912345678", "Tự cài", *SECRETS]
    leaks += ["Cài ứng dụng ngân hàng", "Mời ông ra quầy"]  # his request for help, its answer
    assert tables_containing(leaks) == []
    logged = caplog.text  # everything logged on the way, at every level
    assert [leak for leak in leaks if leak in logged] == []
    # The notes keep what is not about him.
    from hocvuso.desk.models import DeskVisit
    from hocvuso.skills.models import SkillEvent

    assert SkillEvent.objects.get(person=member, skill__code="safety.scams").note == (
        "Hướng dẫn cùng bố là [đã xoá], SĐT [đã xoá]"
    )
    assert sorted(DeskVisit.objects.filter(person=member).values_list("note", flat=True)) == [
        "CCCD của bố: [đã xoá]",
        "Đi cùng ông [đã xoá] ([đã xoá])",
    ]
    # Every figure the same, and the summaries still equal a recount.
    assert recount_by_hand([commune.code], year) == figures
    assert summaries.check() == []
    [row] = AuditLog.objects.filter(action="person.erase")
    assert row.changes["skill_event_notes"] == 1
    # Replacements, one per value found in a row: name and phone in the skill note, name and
    # phone in the first desk note, the CCCD in the second.
    assert row.changes["free_text_scrubbed"] == 5
    assert row.changes["accounts_unlinked"] == 1
    # The mentor profile of the person speaks no language now (languages tell an ethnicity).
    from hocvuso.mentoring.models import Mentor

    assert Mentor.objects.get(person=head).languages == []
