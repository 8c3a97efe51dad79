"""Each person's derived skill status: recomputed from their events, set-based, and announced
to the dashboards (``core.hooks.statuses_changed``) in the same transaction."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from hocvuso.core import hooks
from hocvuso.core.bulk import bulk_update
from hocvuso.skills.facts import (
    EMPTY_STATUS,
    STATUS_FIELDS,
    Flags,
    SetIndex,
    skill_sets,
    status_compute,
)
from hocvuso.skills.models import PersonSkillStatus, SkillEvent


def status_refresh(
    person_ids: Sequence[UUID], *, sets: SetIndex, write: bool = True, create_empty: bool = False
) -> Counter[str]:
    """Recompute the status of ``person_ids`` from their events, set-based (one query for the
    events, one for the stored rows, one bulk write each for changed and missing rows).

    Returns the number of rows whose field differed, per field (``missing`` counts absent rows).
    """
    held: dict[UUID, list[tuple[str, dt.date]]] = defaultdict(list)
    provinces: dict[UUID, str] = {}
    # The person's counted facts come along (the dashboards' summaries need them for the
    # people whose status changes, and would otherwise fetch them again).
    people: dict[UUID, dict[str, Any]] = {}
    rows = SkillEvent.objects.filter(
        person_id__any=person_ids, reverses__isnull=True, reversed_by__isnull=True
    ).values_list(
        "person_id",
        "skill__code",
        "happened_on",
        "person__commune__province_id",
        "person__commune_id",
        "person__household_id",
        "person__household__village_id",
        "person__birth_year",
        "person__birth_date",
        "person__occupation",
    )
    for person_id, code, on, province, commune, household, village, year, born, job in rows:
        held[person_id].append((code, on))
        provinces[person_id] = province
        if person_id not in people:
            people[person_id] = {
                "pk": person_id,
                "commune_id": commune,
                "household_id": household,
                "household__village_id": village,
                "by": year or (born.year if born else 0),
                "occupation": job,
            }
    stored = {s.person_id: s for s in PersonSkillStatus.objects.filter(person_id__any=person_ids)}
    now = timezone.now()
    differences: Counter[str] = Counter()
    to_create: list[PersonSkillStatus] = []
    to_update: list[PersonSkillStatus] = []
    changes: list[tuple[UUID, Flags, Flags]] = []
    for person_id in person_ids:
        events = held.get(person_id)
        want = status_compute(events, provinces[person_id], sets) if events else dict(EMPTY_STATUS)
        row = stored.get(person_id)
        before = Flags.of(row)
        after = Flags.of(want)
        if before != after:
            changes.append((person_id, before, after))
        if row is None:
            if want == EMPTY_STATUS and not create_empty:
                continue  # no events, no row: nothing to hold
            if want != EMPTY_STATUS:
                differences["missing"] += 1
                for name, value in want.items():
                    if value != EMPTY_STATUS[name]:
                        differences[name] += 1
            to_create.append(PersonSkillStatus(person_id=person_id, updated_at=now, **want))
            continue
        changed = [name for name in STATUS_FIELDS if getattr(row, name) != want[name]]
        if changed:
            differences.update(changed)
            for name in changed:
                setattr(row, name, want[name])
            row.updated_at = now
            to_update.append(row)
    if write:
        if to_create:
            PersonSkillStatus.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            bulk_update(PersonSkillStatus, to_update, [*STATUS_FIELDS, "updated_at"])
        if changes:
            hooks.statuses_changed.send(changes=changes, known=people)
    return differences


@dataclass(frozen=True)
class RebuildResult:
    persons: int  # people with events or a status row, all compared
    differences: Counter[str]  # rows that differed, per field ("missing": no row at all)


def status_rebuild(
    *,
    check: bool = False,
    batch_size: int = 2000,
    province: str | None = None,
    after: UUID | None = None,
    progress: Callable[[int, int, UUID, Counter[str]], None] | None = None,
) -> RebuildResult:
    """Recompute every person's status (of ``province``, when given) from the events, in batches
    of ``batch_size`` people (three queries per batch, one transaction each, the summaries
    brought along by the status hook); ``check``: write nothing. ``after``: resume after that
    person (a checkpoint; people are taken in id order); ``progress(done, total, last,
    differences)`` after each batch."""
    sets = skill_sets()
    total: Counter[str] = Counter()
    statuses = PersonSkillStatus.objects.all()
    events = SkillEvent.objects.all()
    if province is not None:
        statuses = statuses.filter(person__commune__province_id=province)
        events = events.filter(person__commune__province_id=province)
    ids = sorted(
        set(statuses.values_list("person_id", flat=True))
        | set(events.values_list("person_id", flat=True).distinct())
    )
    first = 0 if after is None else bisect.bisect_right(ids, after)
    for start in range(first, len(ids), batch_size):
        part = ids[start : start + batch_size]
        with transaction.atomic():
            total.update(status_refresh(part, sets=sets, write=not check))
        if progress:
            progress(start + len(part), len(ids), part[-1], total)
    return RebuildResult(persons=len(ids), differences=total)
