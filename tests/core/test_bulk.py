"""core.bulk.bulk_update writes every kind of column the same as the ORM would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hocvuso.core.bulk import bulk_update
from hocvuso.skills.models import PersonSkillStatus

pytestmark = pytest.mark.django_db


def test_bulk_update_round_trips_json_dates_and_flags(head, household, officer):
    from hocvuso.registry.services import person_register

    other = person_register(actor=officer, household=household, full_name="Con", sex="M",
                            birth_year=2001)  # fmt: skip
    rows = [PersonSkillStatus.objects.create(person=p) for p in (head, other)]
    now = timezone.now().replace(microsecond=0)
    rows[0].skills, rows[0].basic_complete, rows[0].vneid_level = ["0.1", "vneid.level2"], True, 2
    rows[0].last_event_on, rows[0].updated_at, rows[0].t4_mask = dt.date(2026, 3, 1), now, 5
    rows[1].skills, rows[1].has_bank_account = ["bank.account"], True
    fields = ["skills", "basic_complete", "vneid_level", "has_bank_account", "t4_mask",
              "last_event_on", "updated_at"]  # fmt: skip
    bulk_update(PersonSkillStatus, rows, fields)
    got = {s.person_id: s for s in PersonSkillStatus.objects.all()}
    first, second = got[head.pk], got[other.pk]
    assert (first.skills, first.basic_complete, first.vneid_level) == (
        ["0.1", "vneid.level2"],
        True,
        2,
    )
    assert (first.last_event_on, first.updated_at, first.t4_mask) == (dt.date(2026, 3, 1), now, 5)
    assert (second.skills, second.has_bank_account, second.basic_complete) == (
        ["bank.account"],
        True,
        False,
    )
    assert second.last_event_on is None


def test_update_rows_and_insert_rows_round_trip_from_tuples(head, household, officer):
    """The tuple writers of a sync batch: every kind of column as the ORM reads it back, a
    column of nulls only, and the fields not given filled (``updated_at``: the time of the
    call)."""
    from hocvuso.core.bulk import insert_rows, update_rows
    from hocvuso.registry.services import person_register

    other = person_register(actor=officer, household=household, full_name="Con", sex="M",
                            birth_year=2001)  # fmt: skip
    before = timezone.now()
    insert_rows(
        PersonSkillStatus,
        ("person_id", "skills", "vneid_level", "last_event_on"),
        [(head.pk, ["0.1"], 1, dt.date(2026, 2, 1)), (other.pk, [], 0, None)],
    )
    created = {s.person_id: s for s in PersonSkillStatus.objects.all()}
    assert (created[head.pk].skills, created[head.pk].vneid_level) == (["0.1"], 1)
    assert created[head.pk].last_event_on == dt.date(2026, 2, 1)
    assert created[other.pk].t4 == []
    assert created[other.pk].has_bank_account is False
    assert created[other.pk].updated_at >= before.replace(microsecond=0)
    now = timezone.now().replace(microsecond=0)
    update_rows(
        PersonSkillStatus,
        ("skills", "basic_complete", "vneid_level", "t4_mask", "last_event_on", "updated_at"),
        [
            (head.pk, ["0.1", "vneid.level2"], True, 2, 5, dt.date(2026, 3, 1), now),
            (other.pk, ["bank.account"], False, 0, 0, None, now),
        ],
    )
    update_rows(PersonSkillStatus, ("last_event_on",), [(other.pk, None)])  # nulls only
    got = {s.person_id: s for s in PersonSkillStatus.objects.all()}
    first, second = got[head.pk], got[other.pk]
    assert (first.skills, first.basic_complete, first.vneid_level, first.t4_mask) == (
        ["0.1", "vneid.level2"],
        True,
        2,
        5,
    )
    assert (first.last_event_on, first.updated_at) == (dt.date(2026, 3, 1), now)
    assert (second.skills, second.basic_complete, second.last_event_on) == (
        ["bank.account"],
        False,
        None,
    )


def test_a_visits_skill_event_id_is_the_derived_uuid5():
    """The batch writes the visit's event ids itself: they must stay the ids derived_id makes
    (the ids of the events stored before, which a replay must find)."""
    import uuid

    from hocvuso.core.ids import IdScheme, derived_id
    from hocvuso.teams.services import visit_event_id

    visit, person = uuid.UUID("0193a0b4-0000-7000-8000-000000000001"), uuid.uuid4()
    assert visit_event_id(visit, person, "vneid.level2") == derived_id(
        IdScheme.UUID5, person, "vneid.level2", namespace=visit
    )
    assert visit_event_id(visit, person, "vneid.level2") == uuid.uuid5(
        visit, f"{person}/vneid.level2"
    )


def test_insert_rows_refuses_rows_without_their_key():
    """A key left to its default would be one value for the whole batch: refused, not
    written."""
    from hocvuso.core.bulk import insert_rows
    from hocvuso.skills.models import SkillEvent

    with pytest.raises(ValueError, match="key"):
        insert_rows(SkillEvent, ("person_id", "skill_id"), [(None, None)])
    assert SkillEvent.objects.count() == 0


def test_copy_is_binary_where_every_column_allows_it_and_text_otherwise():
    """The COPY writer sends each value in its column type's binary form when it knows every
    type (the value read back is the one sent: a UUID, an aware time, a date, a small int, a
    flag, JSON already encoded as text, a null), and keeps the text format for a table with a
    column of another type."""
    import uuid

    from django.db import connection, models

    from hocvuso.core.bulk import _copy_types
    from hocvuso.core.models import AuditLog
    from hocvuso.skills.models import SkillEvent

    assert _copy_types([models.DecimalField(max_digits=5, decimal_places=2)]) is None
    assert _copy_types([models.GenericIPAddressField()]) is None
    if connection.vendor != "postgresql":
        return
    from hocvuso.core.bulk import copy_in

    fields = {f.column: f for f in AuditLog._meta.concrete_fields}
    chosen = [fields[c] for c in ("at", "actor_id", "action", "object_type", "object_id",
                                  "changes", "request_id")]  # fmt: skip
    assert _copy_types(chosen) == ["timestamptz", "int8", "text", "text", "text", "jsonb", "text"]
    at = timezone.now()
    marker = str(uuid.uuid4())
    sent = []
    with connection.cursor() as cursor:
        copy = cursor.cursor.copy

        def spying(sql, *a, **k):
            sent.append(sql)
            return copy(sql, *a, **k)

        cursor.cursor.copy = spying
        written = copy_in(
            cursor.cursor,
            AuditLog._meta.db_table,
            chosen,
            [[at, None, "test.copy", "x.y", marker, '{"n": 1, "v": "Lũng Cú"}', ""]],
        )
    assert written == 1
    assert sent[0].endswith("(FORMAT BINARY)")
    row = AuditLog.objects.get(object_id=marker)
    assert (row.at, row.actor_id, row.action, row.changes) == (
        at,
        None,
        "test.copy",
        {"n": 1, "v": "Lũng Cú"},
    )
    assert _copy_types(list(SkillEvent._meta.concrete_fields)) is not None
