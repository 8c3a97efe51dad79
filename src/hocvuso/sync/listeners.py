"""The sync app listens to the registry (``core.hooks.left_village``): a household or a person
that leaves its village is written down as a :class:`~hocvuso.sync.models.Removal`, in the
moving write's transaction, so a device whose work set held that village drops it at its next
pull."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from hocvuso.core import hooks
from hocvuso.sync.models import Removal


def _left(*, rows: Iterable[tuple[str, Any, str, Any]]) -> None:
    now = timezone.now()
    Removal.objects.bulk_create(
        [
            Removal(kind=kind, object_id=pk, commune_id=commune, village_id=village, at=now)
            for kind, pk, commune, village in rows
        ]
    )


def connect() -> None:
    hooks.left_village.connect(_left)
