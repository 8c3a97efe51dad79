"""The dashboards listen to the domain apps (``core.hooks``) and keep the summary tables true
inside each writer's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from hocvuso.core import hooks
from hocvuso.kpi import summaries
from hocvuso.skills.facts import Flags


def _statuses(
    *, changes: Sequence[tuple[UUID, Flags, Flags]], known: dict[UUID, Any] | None = None
) -> None:
    summaries.status_changed(changes, known=known)


def _network(*, communes: Iterable[str | None]) -> None:
    summaries.touch_network(*communes)


def _rewritten(*, communes: Iterable[str], households: Iterable[UUID] | None = None) -> None:
    communes = sorted(set(communes))
    summaries.refresh(communes)
    summaries.households_rewritten(communes, households)


def _areas(
    *, provinces: Iterable[str], communes: Iterable[str] = (), villages: Iterable[UUID] = ()
) -> None:
    provinces = sorted(set(provinces))
    if provinces:
        summaries.areas_changed(provinces)
    summaries.priorities_changed(communes=sorted(set(communes)), villages=list(villages))


def connect() -> None:
    hooks.facts_change.connect(summaries.Tracker)
    hooks.statuses_changed.connect(_statuses)
    hooks.network_changed.connect(_network)
    hooks.communes_rewritten.connect(_rewritten)
    hooks.areas_changed.connect(_areas)
