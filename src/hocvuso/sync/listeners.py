"""The sync app listens to the registry's writes (``core.hooks.facts_change``): a household or a
person that leaves its village is written down as a :class:`~hocvuso.sync.models.Removal`, so a
device whose work set held that village drops it at its next pull."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.utils import timezone

from hocvuso.core import hooks
from hocvuso.registry.models import Household, Person
from hocvuso.sync.models import Removal


def _where(persons: set[UUID], households: set[UUID]) -> dict[tuple[str, UUID], tuple[str, Any]]:
    out: dict[tuple[str, UUID], tuple[str, Any]] = {}
    if households:
        for pk, commune, village in Household.objects.filter(pk__any=list(households)).values_list(
            "pk", "commune_id", "village_id"
        ):
            out[("household", pk)] = (commune, village)
    if persons:
        for pk, commune, village in Person.objects.filter(pk__any=list(persons)).values_list(
            "pk", "commune_id", "household__village_id"
        ):
            out[("person", pk)] = (commune, village)
    return out


class MoveTracker:
    """Where the tracked households and people were before the write; on close, a removal for
    each that is elsewhere now."""

    def __init__(self, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> None:
        self.persons, self.households = set(persons), set(households)
        self.before = _where(self.persons, self.households)

    def add(self, *, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> None:
        """Rows the write created had no place before: nothing to remove."""

    def close(self) -> None:
        if not self.before:
            return
        after = _where(self.persons, self.households)
        now = timezone.now()
        moved = [
            Removal(kind=kind, object_id=pk, commune_id=was[0], village_id=was[1], at=now)
            for (kind, pk), was in self.before.items()
            if was[1] is not None and after.get((kind, pk), (None, None))[1] != was[1]
        ]
        if moved:
            Removal.objects.bulk_create(moved)


def connect() -> None:
    hooks.facts_change.connect(MoveTracker)
