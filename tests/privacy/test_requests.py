"""Data-subject requests: recorded, acknowledged within 2 working days (flagged when late),
completed; the commune's list for officers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.privacy.models import DataRequest, add_working_days
from hocvuso.privacy.services import (
    data_request_acknowledge,
    data_request_complete,
    data_request_create,
)
from tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 5), dt.date(2026, 1, 7)),  # Monday → Wednesday
        (dt.date(2026, 1, 8), dt.date(2026, 1, 12)),  # Thursday → Monday
        (dt.date(2026, 1, 9), dt.date(2026, 1, 13)),  # Friday → Tuesday
        (dt.date(2026, 1, 10), dt.date(2026, 1, 13)),  # Saturday → Tuesday
        (dt.date(2026, 1, 11), dt.date(2026, 1, 13)),  # Sunday → Tuesday
    ],
)
def test_two_working_days(received, due):
    assert add_working_days(received, 2) == due


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_deadline_and_overdue(officer, head):
    old = data_request_create(
        actor=officer,
        person=head,
        kind="access",
        channel="office",
        received_at=timezone.now() - dt.timedelta(days=10),
    )
    assert old.overdue
    fresh = data_request_create(actor=officer, person=head, kind="correction", channel="phone")
    assert not fresh.overdue
    assert fresh.acknowledge_by == add_working_days(timezone.localdate(), 2)
    # Acknowledged late stays flagged; in time is not.
    data_request_acknowledge(actor=officer, request=old)
    old.refresh_from_db()
    assert old.overdue
    data_request_acknowledge(actor=officer, request=fresh)
    fresh.refresh_from_db()
    assert not fresh.overdue


def test_request_lifecycle_is_audited(officer, head):
    request = data_request_create(
        actor=officer, person=head, kind="objection", channel="writing", notes="Không muốn bị gọi"
    )
    assert request.requested_by == officer
    data_request_acknowledge(actor=officer, request=request)
    data_request_acknowledge(actor=officer, request=request)  # once only
    data_request_complete(
        actor=officer, request=request, notes="Đã ghi nhận", purpose="contact_phone"
    )
    request.refresh_from_db()
    head.refresh_from_db()
    assert head.purposes_withheld == ["contact_phone"]
    assert AuditLog.objects.filter(
        action="person.object", object_id=str(head.pk), changes__purpose="contact_phone"
    ).exists()
    assert request.acknowledged_by == officer
    assert request.completed_by == officer
    assert request.notes == "Không muốn bị gọi\nĐã ghi nhận"
    actions = list(
        AuditLog.objects.filter(object_id=str(request.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "privacy.request",
        "privacy.request_acknowledge",
        "privacy.request_complete",
    ]


def test_an_erasure_request_is_completed_by_erasing(officer, head):
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    with pytest.raises(DomainError):
        data_request_complete(actor=officer, request=request)
    request.refresh_from_db()
    assert request.completed_at is None


def test_the_person_files_their_own_request_in_the_app(self_user, head):
    request = data_request_create(
        actor=self_user,
        person=head,
        kind="access",
        channel="office",  # ignored: it came through the app, now
        received_at=timezone.now() - dt.timedelta(days=30),
    )
    assert request.channel == "app"
    assert timezone.now() - request.received_at < dt.timedelta(minutes=1)
    with pytest.raises(NotFound):  # the commune acknowledges, not the person
        data_request_acknowledge(actor=self_user, request=request)


def test_out_of_scope_actors_cannot_record_or_handle(
    officer, head, other_officer, province_officer, desk, team, citizen
):
    request = data_request_create(actor=officer, person=head, kind="access", channel="office")
    for actor in (other_officer, province_officer, desk, team, citizen):
        with pytest.raises(NotFound):
            data_request_create(actor=actor, person=head, kind="access", channel="office")
        with pytest.raises(NotFound):
            data_request_acknowledge(actor=actor, request=request)
        with pytest.raises(NotFound):
            data_request_complete(actor=actor, request=request)
    request.refresh_from_db()
    assert request.acknowledged_at is None
    assert DataRequest.objects.count() == 1


def test_officer_records_a_request_on_the_page(officer_client, head, officer):
    url = reverse("privacy:request_create", args=[head.pk])
    assert officer_client.post(url, {"channel": "office"}).status_code == 400
    response = officer_client.post(
        url, {"kind": "correction", "channel": "phone", "received_on": "2026-01-09"}
    )
    assert response.status_code == 302
    request = DataRequest.objects.get()
    assert (request.kind, request.channel) == ("correction", "phone")
    assert timezone.localdate(request.received_at) == dt.date(2026, 1, 9)
    assert request.acknowledge_by == dt.date(2026, 1, 13)
    page = officer_client.get(reverse("privacy:person", args=[head.pk])).content.decode()
    assert reverse("registry:person_edit", args=[head.pk]) in page  # correction → the edit page
    assert "13/01/2026" in page


def test_commune_list_shows_deadlines_and_flags_overdue(
    officer, officer_client, head, member, django_assert_max_num_queries
):
    late = data_request_create(
        actor=officer,
        person=head,
        kind="access",
        channel="office",
        received_at=timezone.now() - dt.timedelta(days=10),
    )
    data_request_create(actor=officer, person=member, kind="objection", channel="phone")
    url = reverse("privacy:commune_requests", args=[head.commune_id])
    with django_assert_max_num_queries(8):
        response = officer_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="overdue"') == 1
    assert late.acknowledge_by.strftime("%d/%m/%Y") in page
    assert "Giàng Thị Mỷ" in page
    # More requests, same number of queries.
    for _ in range(10):
        data_request_create(actor=officer, person=member, kind="access", channel="office")
    with django_assert_max_num_queries(8):
        assert officer_client.get(url).status_code == 200
    # Acknowledge from the list.
    response = officer_client.post(
        reverse("privacy:request_acknowledge", args=[late.pk]), {"back": "commune"}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    late.refresh_from_db()
    assert late.acknowledged_at is not None


def test_commune_list_is_for_officers(head, officer, province_officer, other_officer, desk, team):
    data_request_create(actor=officer, person=head, kind="access", channel="office")
    url = reverse("privacy:commune_requests", args=[head.commune_id])
    assert client_for(province_officer).get(url).status_code == 200
    for user in (other_officer, desk, team):
        assert client_for(user).get(url).status_code == 404


def test_complete_on_the_page_without_notes(officer_client, officer, head):
    request = data_request_create(actor=officer, person=head, kind="objection", channel="phone")
    url = reverse("privacy:request_complete", args=[request.pk])
    assert officer_client.get(url).status_code == 200
    # An objection names what it objects to: refused without it, in Vietnamese, nothing changed.
    refused = officer_client.post(url, {})
    assert refused.status_code == 400
    assert "Chọn việc xử lý mà người này phản đối." in refused.content.decode()
    request.refresh_from_db()
    assert request.completed_at is None
    assert officer_client.post(url, {"purpose": "skills"}).status_code == 302
    request.refresh_from_db()
    head.refresh_from_db()
    assert request.completed_by == officer
    assert head.purposes_withheld == ["skills"]
