"""What a batch writer answers for each record it was given: stored, already stored, or refused.

A field device's batch (``sync``) is written set-based by its domain's ``*_batch`` service, which
never lets one bad record fail the others: each input gets one :class:`Outcome`, in the order
given — the stored object, whether it was already there (a replay), or the domain error that
refused it (nothing of that record written).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hocvuso.core.errors import DomainError


@dataclass
class Outcome:
    obj: Any = None
    replayed: bool = False
    error: DomainError | None = None

    @classmethod
    def refused(cls, error: DomainError) -> Outcome:
        return cls(error=error)
