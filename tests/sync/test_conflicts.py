"""Stale offline edits of a person or household: the server's value kept, the conflict stored,
the commune officer deciding on a page, audited; an edit on the current version simply
applied."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from hocvuso.core.models import AuditLog
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import person_update
from hocvuso.sync.models import Conflict
from hocvuso.sync.services import device_register
from tests.factories import db_fingerprint, login, make_user
from tests.sync.conftest import Phone

pytestmark = pytest.mark.django_db


def _version(phone: Phone, person: Person) -> str:
    """The version of ``person`` as the phone pulled it."""
    cursor = None
    while True:
        page = phone.client.get(
            "/api/v1/sync/pull",
            {"cursor": cursor} if cursor else {},
            HTTP_AUTHORIZATION=f"Bearer {phone.secret}",
        ).json()
        for c in page["changes"]:
            if c["id"] == str(person.pk):
                return str(c["data"]["version"])
        cursor = page["cursor"]
        assert page["more"], "the person is not in the work set"


def _edit(phone: Phone, person: Person, version: str, **changes: Any) -> Any:
    base = {k: getattr(person, k) for k in changes}
    record = phone.record(
        "person_edit",
        {"person_id": str(person.pk), "base_version": version, "base": base, "changes": changes},
    )
    response = phone.push([record])
    assert response.status_code == 200, response.content.decode()
    return response.json()["answers"][0]


@pytest.fixture
def officer_phone(sync_world, officer) -> Phone:  # type: ignore[no-untyped-def]
    return Phone(*device_register(actor=officer, name="Máy cán bộ"))


def test_an_edit_on_the_current_version_is_applied(sync_world, officer_phone):
    person = sync_world.members(sync_world.households()[0])[0]
    version = _version(officer_phone, person)
    answer = _edit(officer_phone, person, version, full_name="Tên Mới Hẳn", occupation="trader")
    assert (answer["status"], answer["code"]) == ("accepted", "")
    person.refresh_from_db()
    assert (person.full_name, person.occupation) == ("Tên Mới Hẳn", "trader")
    assert not Conflict.objects.exists()
    row = AuditLog.objects.filter(action="person.update", object_id=str(person.pk)).latest("id")
    assert row.request_id.endswith(f"@dev:{officer_phone.device.pk.hex}")


def test_a_stale_edit_keeps_the_server_value_and_the_officer_decides(
    sync_world, officer, officer_phone, commune
):
    person = sync_world.members(sync_world.households()[0])[0]
    version = _version(officer_phone, person)
    seen_name, seen_job = person.full_name, person.occupation
    other_job = "farmer" if seen_job != "farmer" else "worker"
    # Meanwhile, at the office, someone corrects the name.
    person_update(actor=officer, person=person, full_name="Tên Sửa Ở Xã")
    person.full_name = seen_name  # the phone's copy
    person.occupation = seen_job
    answer = _edit(officer_phone, person, version, full_name="Tên Trên Máy", occupation=other_job)
    assert (answer["status"], answer["code"], answer["field"]) == (
        "conflict",
        "stale_edit",
        "data.changes.full_name",
    )
    person.refresh_from_db()
    # The name changed on both sides: the server's kept. The job changed on the phone only.
    assert (person.full_name, person.occupation) == ("Tên Sửa Ở Xã", other_job)
    conflict = Conflict.objects.get()
    assert (conflict.object_type, conflict.object_id, conflict.status) == (
        "person",
        person.pk,
        "open",
    )
    assert conflict.fields == {
        "full_name": {"base": seen_name, "server": "Tên Sửa Ở Xã", "theirs": "Tên Trên Máy"}
    }
    # The officer's page lists it; taking the phone's value writes it, audited.
    client = login(officer)
    page = client.get(reverse("sync:devices", args=[commune.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tên Trên Máy" in text
    assert "Máy cán bộ" in text
    response = client.post(
        reverse("sync:conflict_resolve", args=[conflict.pk]), {"decision": "theirs"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Tên Trên Máy"
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolved_by_id) == ("taken", officer.pk)
    audit = AuditLog.objects.get(action="sync_conflict.resolve", object_id=str(conflict.pk))
    assert audit.actor_id == officer.pk
    assert audit.changes["decision"] == "taken"
    assert audit.changes["fields"] == ["full_name"]
    # Deciding again changes nothing.
    before = db_fingerprint()
    client.post(reverse("sync:conflict_resolve", args=[conflict.pk]), {"decision": "keep"})
    assert db_fingerprint() == before


def test_keeping_the_server_value_writes_nothing_but_the_decision(
    sync_world, officer, officer_phone
):
    household = sync_world.households()[0]
    cursor_version = None
    page = officer_phone.client.get(
        "/api/v1/sync/pull", HTTP_AUTHORIZATION=f"Bearer {officer_phone.secret}"
    ).json()
    while cursor_version is None:
        for c in page["changes"]:
            if c["id"] == str(household.pk):
                cursor_version = c["data"]["version"]
        if cursor_version is None:
            page = officer_phone.client.get(
                "/api/v1/sync/pull",
                {"cursor": page["cursor"]},
                HTTP_AUTHORIZATION=f"Bearer {officer_phone.secret}",
            ).json()
    seen = household.address
    from hocvuso.registry.services import household_update

    household_update(actor=officer, household=household, address="Địa chỉ ở xã")
    record = officer_phone.record(
        "household_edit",
        {"household_id": str(household.pk), "base_version": cursor_version,
         "base": {"address": seen}, "changes": {"address": "Địa chỉ trên máy"}},
    )  # fmt: skip
    answer = officer_phone.push([record]).json()["answers"][0]
    assert (answer["status"], answer["code"]) == ("conflict", "stale_edit")
    conflict = Conflict.objects.get()
    client = login(officer)
    client.post(reverse("sync:conflict_resolve", args=[conflict.pk]), {"decision": "keep"})
    household.refresh_from_db()
    assert household.address == "Địa chỉ ở xã"
    conflict.refresh_from_db()
    assert conflict.status == "kept"
    assert AuditLog.objects.filter(action="sync_conflict.resolve").count() == 1


def test_a_team_member_cannot_edit_the_registry_offline(sync_world):
    w = sync_world
    person = w.members(w.households()[0])[0]
    before = db_fingerprint(
        skip=frozenset({"sync_syncrecord", "sync_device", "accounts_devicetoken"})
    )
    answer = _edit(w.phone, person, person.updated_at.isoformat(), full_name="Không Được")
    assert (answer["status"], answer["code"]) == ("rejected", "not_found")
    assert (
        db_fingerprint(skip=frozenset({"sync_syncrecord", "sync_device", "accounts_devicetoken"}))
        == before
    )


def test_another_communes_officer_sees_no_device_and_decides_nothing(
    sync_world, officer, officer_phone, other_officer, commune
):
    person = sync_world.members(sync_world.households()[0])[0]
    version = _version(officer_phone, person)
    person_update(actor=officer, person=person, full_name="Tên Ở Xã")
    person.full_name = "Cũ"
    _edit(officer_phone, person, version, full_name="Tên Máy")
    conflict = Conflict.objects.get()
    client = login(other_officer)
    assert client.get(reverse("sync:devices", args=[commune.code])).status_code == 404
    before = db_fingerprint()
    response = client.post(
        reverse("sync:conflict_resolve", args=[conflict.pk]), {"decision": "theirs"}
    )
    assert response.status_code == 404
    assert db_fingerprint() == before
    # A team member of the commune neither.
    member = make_user("to.ba", "desk_staff", commune=commune)
    assert login(member).get(reverse("sync:devices", args=[commune.code])).status_code == 404
    assert Household.objects.exists()


def test_the_conflicts_about_a_person_are_exported_and_erased(sync_world, officer, officer_phone):
    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.personal_data import ERASED_TEXT
    from hocvuso.privacy.services import data_request_create, person_erase, person_export

    person = sync_world.members(sync_world.households()[0])[0]
    version = _version(officer_phone, person)
    seen = person.full_name
    person_update(actor=officer, person=person, full_name="Tên Ở Xã")
    person.full_name = seen
    _edit(officer_phone, person, version, full_name="Tên Trên Máy")
    exported = person_export(actor=officer, person=person, fmt="json")
    conflicts = exported["field_app_conflicts"]
    assert [c["fields"]["full_name"]["theirs"] for c in conflicts] == ["Tên Trên Máy"]
    request = data_request_create(actor=SYSTEM, person=person, kind="erasure", channel="office")
    person_erase(actor=officer, person=person, request=request)
    conflict = Conflict.objects.get()
    assert conflict.fields == {
        "full_name": {"base": ERASED_TEXT, "server": ERASED_TEXT, "theirs": ERASED_TEXT}
    }
    assert conflict.status == "kept"
