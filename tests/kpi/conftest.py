"""Fixtures of the dashboard tests: two communes of Tuyên Quang with people and skills (one of
them remote / ethnic-minority), and one in Hà Nội."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hocvuso.geo.models import Commune
from hocvuso.registry.models import Household, Person
from tests.outreach.conftest import build_commune


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


def recount_by_hand(communes: list[str], year: int) -> dict[str, int]:
    """The figures the dashboards show, recounted in plain Python from the raw rows,
    independently of kpi/summaries.py."""
    people = list(
        Person.objects.filter(commune_id__in=communes).select_related("skill_status", "household")
    )

    def by(p: Person) -> int:
        return p.birth_year or (p.birth_date.year if p.birth_date else 0)

    def st(p: Person, name: str, default: object) -> object:
        s = getattr(p, "skill_status", None)
        return getattr(s, name) if s is not None else default

    sixteen = [p for p in people if by(p) and year - by(p) >= 16]
    adults = [p for p in people if by(p) and year - by(p) >= 18]
    traders = [p for p in people if p.occupation in ("trader", "farmer")]
    return {
        "persons_16": len(sixteen),
        "vneid2_16": sum(1 for p in sixteen if int(st(p, "vneid_level", 0)) >= 2),  # type: ignore[call-overload]
        "bank_16": sum(1 for p in sixteen if st(p, "has_bank_account", False)),
        "adults": len(adults),
        "basic_adults": sum(1 for p in adults if st(p, "basic_complete", False)),
        "households": Household.objects.filter(commune_id__in=communes).count(),
        "households_trained": len(
            {p.household_id for p in people if st(p, "basic_complete", False)}
        ),
        "traders": len(traders),
        "t_all": sum(1 for p in traders if st(p, "t4_mask", 0) == 15),
        "persons": len(people),
    }
