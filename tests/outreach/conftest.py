"""Fixtures of the outreach tests: a synthetic commune with a seeded random set of skill events."""

from __future__ import annotations

import pytest

from tests.factories import Synthetic, build_commune


@pytest.fixture
def synthetic(commune) -> Synthetic:  # type: ignore[no-untyped-def]
    return build_commune(commune, households=60, seed=11)
