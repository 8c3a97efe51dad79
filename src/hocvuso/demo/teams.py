"""Demo data of the community tech teams: a team per two or three villages (the demo's
``to.thenpa`` user in the Thôn Thèn Pả team), and visits over recent months.

Idempotent: teams, members and visits have deterministic ids; a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from hocvuso.demo.registry import demo_uuid
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.models import Household
from hocvuso.skills.models import SkillSet
from hocvuso.teams.models import Team, TeamMember, Visit
from hocvuso.teams.services import Present, team_create, team_member_add, visit_record

HOME_VILLAGE = "Thôn Thèn Pả"
ORGANISATIONS = ["police", "youth_union", "womens_union", "farmers_union", "veterans"]


def _groups(villages: list[Village]) -> list[list[Village]]:
    """Thôn Thèn Pả's group first; groups of three, the last two of two when needed."""
    villages = sorted(villages, key=lambda v: (v.name != HOME_VILLAGE, v.name, str(v.pk)))
    groups: list[list[Village]] = []
    i = 0
    while i < len(villages):
        rest = len(villages) - i
        size = 2 if rest in (2, 4) else 3
        groups.append(villages[i : i + size])
        i += size
    return groups


def demo_teams(
    *, commune: Commune, officer: Any, team_member_user: Any, seed: int, visits_per_team: int = 12
) -> dict[str, int]:
    rng = random.Random(seed + 6)
    User = get_user_model()
    villages = list(Village.objects.filter(commune=commune))
    created = {"teams": 0, "members": 0, "visits": 0}
    basic = list(
        SkillSet.objects.filter(code="basic", province__isnull=True)
        .values_list("skills__code", flat=True)
        .order_by("skills__code")
    )
    now = timezone.now().replace(microsecond=0)
    for i, group in enumerate(_groups(villages)):
        team_id = demo_uuid("demo-team", commune.code, str(i))
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            name = f"Tổ công nghệ số {' – '.join(v.name for v in group)}"
            team = team_create(
                actor=officer, commune=commune, name=name, villages=group, id=team_id
            )
            created["teams"] += 1
        people = [team_member_user] if i == 0 else []
        for j in range(2 if i == 0 else 3):
            user, _new = User.objects.get_or_create(
                username=f"to.demo{i + 1}.{j + 1}",
                defaults={"display_name": f"Thành viên tổ {i + 1}.{j + 1} (demo)"},
            )
            if _new:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            people.append(user)
        for j, user in enumerate(people):
            if not TeamMember.objects.filter(
                team=team, user=user, removed_at__isnull=True
            ).exists():
                team_member_add(
                    actor=officer,
                    team=team,
                    user=user,
                    role="leader" if j == 0 else "member",
                    organisation=ORGANISATIONS[(i + j) % len(ORGANISATIONS)],
                )
                created["members"] += 1
        households = list(
            Household.objects.filter(village__in=group).order_by("code").prefetch_related("members")
        )
        ids = [demo_uuid("demo-team-visit", str(team.pk), str(k)) for k in range(visits_per_team)]
        stored = set(Visit.objects.filter(pk__in=ids).values_list("pk", flat=True))
        for k in range(visits_per_team):
            h = rng.choice(households) if households else None
            who = rng.choice(people)
            days, minutes = rng.randrange(1, 150), rng.randrange(480, 1080)
            if h is None or ids[k] in stored:  # dates are relative to today: replay what is new
                continue
            members = [p for p in h.members.all() if p.erased_at is None]
            if not members:
                continue
            at_home = rng.sample(members, k=min(len(members), rng.randint(1, 3)))
            present = []
            for p in at_home:
                guided = rng.sample(basic, k=min(len(basic), 2)) if basic else []
                gained = guided[:1] if rng.random() < 0.6 else []
                present.append(Present(person=p, guided=guided, gained=gained))
            when = (now - dt.timedelta(days=days)).replace(hour=0, minute=0, second=0)
            visit_record(
                actor=who,
                team=team,
                id=ids[k],
                household=h,
                visited_at=when + dt.timedelta(minutes=minutes),
                present=present,
                issues=rng.sample(["no_smartphone", "no_signal", "language"], k=rng.randint(0, 2)),
                follow_up_on=(timezone.localdate() + dt.timedelta(days=rng.randrange(7, 30)))
                if rng.random() < 0.3
                else None,
            )
            created["visits"] += 1
    return created
