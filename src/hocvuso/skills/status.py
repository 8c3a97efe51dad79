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
from hocvuso.core.bulk import insert_rows, update_rows
from hocvuso.registry.models import Person
from hocvuso.skills.facts import (
    EMPTY_STATUS,
    STATUS_FIELDS,
    Flags,
    SetIndex,
    skill_sets,
    status_compute,
)
from hocvuso.skills.models import PersonSkillStatus, SkillEvent

_NO_FLAGS = Flags()


def _held(person_ids: Sequence[UUID]) -> dict[UUID, list[tuple[str, dt.date]]]:
    """The events each person holds (not withdrawn, not a withdrawal): (skill code, date)."""
    held: dict[UUID, list[tuple[str, dt.date]]] = defaultdict(list)
    for person_id, code, on in SkillEvent.objects.filter(
        person_id__any=person_ids, reverses__isnull=True, reversed_by__isnull=True
    ).values_list("person_id", "skill__code", "happened_on"):
        held[person_id].append((code, on))
    return held


def _people(person_ids: Sequence[UUID]) -> tuple[dict[UUID, str], dict[UUID, dict[str, Any]]]:
    """Each person's province (a province's own skill sets apply) and counted facts (the
    dashboards' summaries need them for the people whose status changes, and would otherwise
    fetch them again), in one query."""
    provinces: dict[UUID, str] = {}
    people: dict[UUID, dict[str, Any]] = {}
    for pk, province, commune, household, village, year, born, job in Person.objects.filter(
        pk__any=person_ids
    ).values_list(
        "pk",
        "commune__province_id",
        "commune_id",
        "household_id",
        "household__village_id",
        "birth_year",
        "birth_date",
        "occupation",
    ):
        provinces[pk] = province
        people[pk] = {
            "pk": pk,
            "commune_id": commune,
            "household_id": household,
            "household__village_id": village,
            "by": year or (born.year if born else 0),
            "occupation": job,
        }
    return provinces, people


def _stored(person_ids: Sequence[UUID]) -> dict[UUID, tuple[Any, ...]]:
    """The stored rows as tuples (no model instance per row): person, then STATUS_FIELDS."""
    return {
        row[0]: row
        for row in PersonSkillStatus.objects.filter(person_id__any=person_ids).values_list(
            "person_id", *STATUS_FIELDS
        )
    }


def status_refresh(
    person_ids: Sequence[UUID], *, sets: SetIndex, write: bool = True, create_empty: bool = False
) -> Counter[str]:
    """Recompute the status of ``person_ids`` from their events, set-based (one query for the
    events, one for the people, one for the stored rows, one bulk write each for changed and
    missing rows).

    Returns the number of rows whose field differed, per field (``missing`` counts absent rows).
    """
    provinces, people = _people(person_ids)
    return _settle(
        person_ids,
        _held(person_ids),
        provinces,
        people,
        _stored(person_ids),
        sets=sets,
        write=write,
        create_empty=create_empty,
    )


_SKILLS = STATUS_FIELDS.index("skills") + 1
_LAST = STATUS_FIELDS.index("last_event_on") + 1


def status_extend(gained: Sequence[tuple[UUID, str, dt.date]], *, sets: SetIndex) -> Counter[str]:
    """Bring the status of the people of ``gained`` — new events just written, (person, skill
    code, date), none a withdrawal — up to date without reading their older events: a stored
    status row already holds what they held (the skill codes, the last date), kept so by every
    write in its transaction (and checked by ``rebuild_status --check``), so the new status is
    :func:`status_compute` of those codes and the new events — the same result as
    :func:`status_refresh`. A person without a row is recomputed from their events. The
    caller holds the people's rows locked (their events are written one batch at a time)."""
    person_ids = sorted({pid for pid, _c, _d in gained})
    stored = _stored(person_ids)
    provinces, people = _people(person_ids)
    missing = [pid for pid in person_ids if pid not in stored]
    held = _held(missing) if missing else defaultdict(list)
    for pid, code, on in gained:
        if pid in stored:
            held[pid].append((code, on))
    for pid, row in stored.items():
        if row[_SKILLS]:
            held[pid].extend((code, row[_LAST]) for code in row[_SKILLS])
    return _settle(person_ids, held, provinces, people, stored, sets=sets, create_empty=True)


def _settle(
    person_ids: Sequence[UUID],
    held: dict[UUID, list[tuple[str, dt.date]]],
    provinces: dict[UUID, str],
    people: dict[UUID, dict[str, Any]],
    stored: dict[UUID, tuple[Any, ...]],
    *,
    sets: SetIndex,
    write: bool = True,
    create_empty: bool = False,
) -> Counter[str]:
    """Each person's status from what they hold, against the stored row: the rows written,
    the differences counted, the changed flags announced to the dashboards."""
    now = timezone.now()
    differences: Counter[str] = Counter()
    to_create: list[tuple[Any, ...]] = []
    to_update: list[tuple[Any, ...]] = []
    changes: list[tuple[UUID, Flags, Flags]] = []
    for person_id in person_ids:
        events = held.get(person_id)
        want = status_compute(events, provinces[person_id], sets) if events else dict(EMPTY_STATUS)
        row = stored.get(person_id)
        after = Flags.of(want)
        if row is None:
            if after != _NO_FLAGS:
                changes.append((person_id, _NO_FLAGS, after))
            if want == EMPTY_STATUS and not create_empty:
                continue  # no events, no row: nothing to hold
            if want != EMPTY_STATUS:
                differences["missing"] += 1
                for name, value in want.items():
                    if value != EMPTY_STATUS[name]:
                        differences[name] += 1
            to_create.append((person_id, *(want[n] for n in STATUS_FIELDS), now))
            continue
        values = dict(zip(STATUS_FIELDS, row[1:], strict=True))
        before = Flags.of(values)
        if before != after:
            changes.append((person_id, before, after))
        changed = [name for name in STATUS_FIELDS if values[name] != want[name]]
        if changed:
            differences.update(changed)
            to_update.append((person_id, *(want[n] for n in STATUS_FIELDS), now))
    if write:
        insert_rows(PersonSkillStatus, ("person_id", *STATUS_FIELDS, "updated_at"), to_create)
        update_rows(PersonSkillStatus, (*STATUS_FIELDS, "updated_at"), to_update)
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
