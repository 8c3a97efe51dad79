"""An object's lines of bulk changes, read back with their entries."""

from __future__ import annotations

import pytest

from hocvuso.core.actors import SYSTEM
from hocvuso.core.audit import AuditAction, audit_record, items_about
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditItem

pytestmark = pytest.mark.django_db


def test_items_come_back_oldest_first_with_their_entries_and_none_for_an_archived_one(commune):
    person_id = uuid7()
    first = audit_record(actor=SYSTEM, action=AuditAction.REGISTRY_IMPORT, obj=commune)
    second = audit_record(actor=SYSTEM, action=AuditAction.REGISTRY_IMPORT, obj=commune)
    archived = second.pk + 1000  # an entry whose month left the live database
    AuditItem.objects.bulk_create(
        [
            AuditItem(object_id=person_id, entry_id=archived, action="person.import_update"),
            AuditItem(
                object_id=person_id,
                entry_id=second.pk,
                action="person.import_update",
                fields=["phone"],
            ),
            AuditItem(object_id=person_id, entry_id=first.pk, action="person.import_create"),
            AuditItem(object_id=uuid7(), entry_id=first.pk, action="person.import_create"),
        ]
    )
    lines = items_about(person_id)
    assert [(i.entry_id, i.fields, e) for i, e in lines] == [
        (first.pk, [], first),
        (second.pk, ["phone"], second),
        (archived, [], None),
    ]
    assert items_about(str(person_id)) == lines  # the id as text, as a URL carries it
    assert items_about("not-a-uuid") == []
    assert items_about(uuid7()) == []
