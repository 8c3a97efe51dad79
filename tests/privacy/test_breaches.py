"""The breach register: recorded as found, the 72-hour deadline shown and flagged when passed,
the reports to the authority and to the persons recorded, national administrators only, every
write audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.privacy.breaches import (
    breach_close,
    breach_notify_authority,
    breach_notify_persons,
    breach_record,
    breaches_overdue,
)
from hocvuso.privacy.models import Breach
from tests.factories import db_fingerprint, login

pytestmark = pytest.mark.django_db


def _record(actor, hours_ago: float = 1):  # type: ignore[no-untyped-def]
    return breach_record(
        actor=actor,
        found_at=timezone.now() - dt.timedelta(hours=hours_ago),
        kind="device",
        summary="Mất điện thoại có danh sách hộ thôn Thèn Pả",
        persons_affected=42,
    )


def test_the_deadline_is_72_hours_and_is_flagged_when_passed(national_admin):
    fresh = _record(national_admin, hours_ago=1)
    late = _record(national_admin, hours_ago=73)
    assert fresh.notify_by == fresh.found_at + dt.timedelta(hours=72)
    assert (fresh.overdue(), late.overdue()) == (False, True)
    assert fresh.hours_left() == 70  # 71 hours and some minutes left, counted down
    assert breaches_overdue(actor=national_admin) == 1
    breach_notify_authority(actor=national_admin, breach=late, reference="CV-12")
    late.refresh_from_db()
    assert late.overdue() is False
    audit = AuditLog.objects.get(action="breach.notify_authority")
    assert audit.changes["late"] is True
    assert breaches_overdue(actor=national_admin) == 0


def test_notices_are_recorded_once_and_a_case_closes_after_the_report(national_admin):
    b = _record(national_admin)
    with pytest.raises(DomainError):
        breach_close(actor=national_admin, breach=b)  # not reported yet
    breach_notify_persons(actor=national_admin, breach=b, notice="Đã gọi điện cho 42 hộ")
    breach_notify_persons(actor=national_admin, breach=b, notice="lần hai")  # no change
    b.refresh_from_db()
    assert b.persons_notice == "Đã gọi điện cho 42 hộ"
    breach_notify_authority(actor=national_admin, breach=b)
    breach_close(actor=national_admin, breach=b)
    with pytest.raises(DomainError) as exc:
        breach_notify_persons(actor=national_admin, breach=b, notice="x")
    assert exc.value.code == "breach_closed"
    actions = list(AuditLog.objects.filter(object_id=str(b.pk)).values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["breach.record", "breach.notify_persons", "breach.notify_authority", "breach.close"]
    )


def test_only_national_admins_keep_the_register(officer, province_officer, national_admin, client):
    b = _record(national_admin)
    clients = {actor: login(actor) for actor in (officer, province_officer)}  # sign-ins audited
    before = db_fingerprint()
    for actor, c in clients.items():
        with pytest.raises(NotFound):
            _record(actor)
        with pytest.raises(NotFound):
            breach_notify_authority(actor=actor, breach=b)
        assert c.get(reverse("privacy:breaches")).status_code == 404
        assert c.get(reverse("privacy:breach", args=[b.pk])).status_code == 404
        assert c.post(reverse("privacy:breach", args=[b.pk]), {"authority": "1"}).status_code == 404
    assert db_fingerprint() == before


def test_the_pages_record_and_report(national_admin):
    c = login(national_admin)
    found = (timezone.localtime() - dt.timedelta(hours=80)).strftime("%Y-%m-%dT%H:%M")
    response = c.post(
        reverse("privacy:breaches"),
        {"found_at": found, "kind": "disclosure", "summary": "Gửi nhầm tệp", "persons_affected": 3},
    )
    assert response.status_code == 302
    b = Breach.objects.get()
    page = c.get(reverse("privacy:breaches")).content.decode()
    assert "Quá hạn" in page
    detail = c.get(reverse("privacy:breach", args=[b.pk])).content.decode()
    assert "72" in detail
    c.post(reverse("privacy:breach", args=[b.pk]), {"authority": "1", "reference": "CV-9"})
    b.refresh_from_db()
    assert b.authority_notified_at is not None
    assert b.authority_reference == "CV-9"
