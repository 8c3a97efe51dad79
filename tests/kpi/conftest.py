"""Fixtures of the dashboard tests: two communes of Tuyên Quang with people and skills (one of
them remote / ethnic-minority), and one in Hà Nội."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hocvuso.geo.models import Commune
from tests.factories import build_commune


@dataclass
class KpiWorld:
    lungcu: Commune  # 00715, Tuyên Quang, remote / ethnic-minority
    neighbour: Commune  # another commune of Tuyên Quang
    hanoi: Commune  # 00004 Ba Đình


@pytest.fixture
def kpi_world(commune, other_commune) -> KpiWorld:  # type: ignore[no-untyped-def]
    commune.is_remote = commune.is_ethnic_minority = True
    commune.save(update_fields=["is_remote", "is_ethnic_minority"])
    neighbour = (
        Commune.objects.filter(province=commune.province)
        .exclude(code=commune.code)
        .order_by("code")
        .first()
    )
    assert neighbour is not None
    build_commune(commune, households=12, seed=11)
    build_commune(neighbour, households=8, seed=12)
    build_commune(other_commune, households=6, seed=13)
    return KpiWorld(commune, neighbour, other_commune)
