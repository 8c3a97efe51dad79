"""The auditor's view (national administrators), its CSV export, and an append-only trail."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.models import AuditLog
from hocvuso.privacy.services import person_erase
from hocvuso.registry.services import person_update
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_filters(national_client, officer, head, member):
    person_update(actor=officer, person=head, occupation="trader")
    url = reverse("privacy:audit")
    page = national_client.get(url, {"username": "canbo", "action": "person."}).content.decode()
    assert page.count('data-action="person.register"') == 2
    assert page.count('data-action="person.update"') == 1
    assert 'data-action="household.create"' not in page
    page = national_client.get(url, {"object_id": str(member.pk)}).content.decode()
    assert page.count('data-action="person.') == 1
    page = national_client.get(url, {"username": "system"}).content.decode()
    assert 'data-action="role.grant"' in page  # fixtures' roles were granted by the system
    assert 'data-action="person.register"' not in page
    today = timezone.localdate()
    page = national_client.get(
        url, {"since": str(today - dt.timedelta(days=1)), "until": str(today)}
    ).content.decode()
    assert 'data-action="person.update"' in page
    page = national_client.get(url, {"until": str(today - dt.timedelta(days=1))}).content.decode()
    assert 'data-action="person.' not in page


def test_paged_by_50_with_pinned_queries(
    national_client, national_admin, django_assert_max_num_queries
):
    AuditLog.objects.bulk_create(
        AuditLog(actor=national_admin, action="test.row", object_type="x.y", object_id=str(i))
        for i in range(120)
    )
    url = reverse("privacy:audit")
    with django_assert_max_num_queries(8):
        response = national_client.get(url, {"action": "test."})
    page = response.content.decode()
    assert page.count('data-action="test.row"') == 50
    with django_assert_max_num_queries(8):
        response = national_client.get(url, {"action": "test.", "page": 3})
    assert response.content.decode().count('data-action="test.row"') == 20


@pytest.mark.parametrize("who", ["officer", "province_officer", "desk", "citizen"])
def test_only_national_administrators(request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("privacy:audit")).status_code == 404
    assert client.get(reverse("privacy:audit_csv")).status_code == 404
    assert not AuditLog.objects.filter(action="audit.export").exists()


def test_csv_export_is_audited_and_safe_in_a_spreadsheet(
    national_client, national_admin, officer, head
):
    AuditLog.objects.create(
        actor=officer, action="=HYPERLINK(1)", object_type="x.y", object_id="-1"
    )
    response = national_client.get(reverse("privacy:audit_csv"), {"username": "canbo"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "id",
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "changes",
        "request_id",
    ]
    assert {r[2] for r in rows[1:]} == {"canbo"}
    assert rows[1][3] == "'=HYPERLINK(1)"
    assert rows[1][5] == "'-1"
    assert "person.register" in {r[3] for r in rows[1:]}
    [row] = AuditLog.objects.filter(action="audit.export")
    assert row.actor == national_admin
    assert row.changes == {"filters": {"username": "canbo"}, "rows": len(rows) - 1}


def test_the_admin_cannot_add_change_or_delete_audit_rows(national_admin):
    request = RequestFactory().get("/")
    request.user = national_admin
    model_admin = site._registry[AuditLog]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.get_actions(request) == {}


def test_no_application_code_updates_or_deletes_audit_rows():
    """Only erasure's redaction touches earlier rows (and the database trigger guards it)."""
    from pathlib import Path

    import hocvuso

    root = Path(hocvuso.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for needle in ("AuditLog.objects.filter", "AuditLog.objects.all"):
            for line in text.splitlines():
                if needle in line and (".delete(" in line or ".update(" in line):
                    offenders.append(f"{path.name}: {line.strip()}")
    assert offenders == []


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL"
)


@postgres_only
def test_database_refuses_update_and_delete(officer, head):
    row = AuditLog.objects.filter(action="person.register").first()
    assert row is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(action="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).delete()
    # Even with the redaction switch on, only ``changes`` may change.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('hocvuso.audit_redact', 'on', true)")
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditLog.objects.filter(pk=row.pk).update(action="edited")
        AuditLog.objects.filter(pk=row.pk).update(changes={"redacted": True})
        cursor = connection.cursor()
        cursor.execute("SELECT set_config('hocvuso.audit_redact', 'off', true)")
    row.refresh_from_db()
    assert row.action == "person.register"
    assert row.changes == {"redacted": True}


@postgres_only
def test_erasure_redacts_through_the_trigger(officer, head):
    from hocvuso.privacy.services import data_request_create

    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    person_erase(actor=officer, person=head, request=request)
    row = AuditLog.objects.get(action="person.register", object_id=str(head.pk))
    assert row.changes["full_name"] == ["***", "***"]
    # The switch does not outlive the erasure.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('hocvuso.audit_redact', true)")
        assert cursor.fetchone()[0] in (None, "", "off")


def test_the_audit_page_reads_as_vietnamese_not_as_code(national_client, officer, head):
    from hocvuso.registry.services import person_update

    person_update(actor=officer, person=head, occupation="trader")
    page = national_client.get(reverse("privacy:audit"), {"action": "person.update"})
    text = page.content.decode()
    label = text.split('data-action="person.update">')[1].split("<")[0]
    assert label == "Sửa thông tin người"  # the action's Vietnamese label, not its code
    assert "occupation: farmer → trader" in text
    assert "{'occupation'" not in text  # no Python literal
