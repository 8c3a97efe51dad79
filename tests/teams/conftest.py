"""Fixtures of the team tests: a synthetic commune (tests/outreach) with a team over two of its
three villages, and a member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hocvuso.geo.models import Commune, Village
from hocvuso.teams.models import Team
from hocvuso.teams.services import team_create, team_member_add
from tests.factories import build_commune, make_user


@dataclass
class TeamWorld:
    commune: Commune
    team: Team
    member: Any
    other_member: Any
    outside: Village  # a village of the commune the team does not cover


@pytest.fixture
def team_world(commune, officer) -> TeamWorld:  # type: ignore[no-untyped-def]
    build_commune(commune, households=40, seed=7)
    villages = list(Village.objects.filter(commune=commune).order_by("name"))
    team = team_create(actor=officer, commune=commune, name="Tổ 1", villages=villages[:2])
    member = make_user("to.mot")
    other = make_user("to.hai")
    team_member_add(actor=officer, team=team, user=member, role="leader", organisation="police")
    team_member_add(actor=officer, team=team, user=other, organisation="youth_union")
    return TeamWorld(commune, team, member, other, villages[2])
