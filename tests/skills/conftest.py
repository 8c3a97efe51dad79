"""Fixtures of the skills tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hocvuso.core.ids import uuid7
from hocvuso.skills.models import Skill, SkillEvent
from hocvuso.skills.services import skill_event_record


def record(actor: Any, person: Any, code: str, **kw: Any) -> SkillEvent:
    kw.setdefault("id", uuid7())
    kw.setdefault("happened_on", timezone.localdate() - dt.timedelta(days=1))
    kw.setdefault("channel", "home_visit")
    return skill_event_record(actor=actor, person=person, skill=Skill.objects.get(code=code), **kw)


@pytest.fixture
def desk(commune):  # type: ignore[no-untyped-def]
    from tests.conftest import make_user

    return make_user("motcua", "desk_staff", commune=commune)
