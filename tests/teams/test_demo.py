from __future__ import annotations

import pytest

from hocvuso.demo.teams import demo_teams
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.teams.models import Team, TeamMember, Visit, VisitPerson
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_demo_teams_is_idempotent(commune, officer):
    for i, name in enumerate(["Thôn Thèn Pả", "Thôn A", "Thôn B", "Thôn C", "Thôn D"]):
        v = village_create(actor=officer, commune=commune, name=name)
        for k in range(3):
            h = household_create(actor=officer, commune=commune, code=f"D{i}-{k}", village=v)
            person_register(actor=officer, household=h, full_name=f"Người {i}{k}", sex="F",
                            birth_year=1980 + k)  # fmt: skip
    member = make_user("to.thenpa")
    first = demo_teams(commune=commune, officer=officer, team_member_user=member, seed=1)
    assert first["teams"] == 2
    assert first["visits"] > 0
    counts = (Team.objects.count(), TeamMember.objects.count(), Visit.objects.count(),
              VisitPerson.objects.count())  # fmt: skip
    again = demo_teams(commune=commune, officer=officer, team_member_user=member, seed=1)
    assert again == {"teams": 0, "members": 0, "visits": 0}
    assert counts == (Team.objects.count(), TeamMember.objects.count(), Visit.objects.count(),
                      VisitPerson.objects.count())  # fmt: skip
    home = Team.objects.get(villages__name="Thôn Thèn Pả")
    assert home.members.filter(user=member, removed_at__isnull=True).exists()
