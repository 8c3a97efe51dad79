"""Fixtures of the sync tests: a synthetic commune with a team over two of its three villages,
two members each with a registered field device, and a client speaking the protocol."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hocvuso.core.ids import uuid7
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.models import Household, Person
from hocvuso.sync.models import Device
from hocvuso.sync.services import device_register
from hocvuso.teams.models import Team
from hocvuso.teams.services import team_create, team_member_add
from tests.factories import build_commune, make_user


class Phone:
    """A field device as the app drives it: its token, its next sequence number, its pushes."""

    def __init__(self, device: Device, secret: str) -> None:
        self.device = device
        self.secret = secret
        self.seq = 0
        self.client = Client()

    def record(self, kind: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
        self.seq += 1
        return {
            "id": str(kw.get("id", uuid7())),
            "seq": kw.get("seq", self.seq),
            "kind": kind,
            "at": kw.get("at", timezone.now().isoformat()),
            "data": data,
        }

    def push(self, records: list[dict[str, Any]], **extra: Any) -> Any:
        body = json.dumps({"records": records, **extra})
        return self.post(body)

    def post(self, body: str | bytes) -> Any:
        return self.client.post(
            "/api/v1/sync/push",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.secret}",
        )


@dataclass
class SyncWorld:
    commune: Commune
    team: Team
    member: Any
    other_member: Any
    phone: Phone
    other_phone: Phone
    ours: list[Village]  # the team's villages
    outside: Village  # a village of the commune the team does not cover

    def households(self, village: Village | None = None) -> list[Household]:
        qs = Household.objects.filter(village__in=[village] if village else self.ours)
        return list(qs.order_by("code"))

    def members(self, household: Household) -> list[Person]:
        return list(Person.objects.filter(household=household).order_by("pk"))


def visit_data(household: Household, persons: list[Person], gains: list[str]) -> dict[str, Any]:
    return {
        "household_id": str(household.pk),
        "visited_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "present": [
            {"person_id": str(p.pk), "guided": ["vneid.install"], "gained": gains} for p in persons
        ],
    }


@pytest.fixture
def sync_world(commune, officer) -> SyncWorld:  # type: ignore[no-untyped-def]
    build_commune(commune, households=40, seed=11)
    villages = list(Village.objects.filter(commune=commune).order_by("name"))
    team = team_create(actor=officer, commune=commune, name="Tổ 1", villages=villages[:2])
    member = make_user("to.mot")
    other = make_user("to.hai")
    team_member_add(actor=officer, team=team, user=member, role="leader")
    team_member_add(actor=officer, team=team, user=other)
    phone = Phone(*device_register(actor=member, name="Điện thoại 1"))
    other_phone = Phone(*device_register(actor=other, name="Điện thoại 2"))
    return SyncWorld(commune, team, member, other, phone, other_phone, villages[:2], villages[2])
