"""What the skill framework does when another app changes what a status is derived from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from hocvuso.skills.facts import skill_sets
from hocvuso.skills.status import status_refresh


def persons_moved(*, persons: Sequence[UUID], **_: Any) -> None:
    """People who moved may now live under another province's basic skill set: their status is
    recomputed from their events (a change is sent on as ``statuses_changed``, as for any
    event, so the figures follow)."""
    if persons:
        status_refresh(list(persons), sets=skill_sets())
