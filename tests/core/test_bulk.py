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
