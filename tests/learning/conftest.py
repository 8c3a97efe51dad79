"""A commune with a learner (a citizen account linked to a registry person) and the shipped
courses loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from hocvuso.core.actors import SYSTEM
from hocvuso.geo.models import Commune
from hocvuso.learning.models import Course
from hocvuso.learning.services import courses_load
from hocvuso.registry.services import household_create, person_register, village_create
from tests.factories import make_user

# The answers of the course "dien-thoai-an-toan" (read from its file, written here by hand):
# question 1 to 4 are single choices, question 5 orders three steps.
RIGHT = [[0], [1], [1], [0], [0, 1, 2]]
WRONG_TWO = [[1], [0], [1], [0], [0, 1, 2]]  # 3 of 5: below the pass mark of 4
COURSE = "dien-thoai-an-toan"
STEPS = 6  # three lessons of two steps


@dataclass
class Learning:
    commune: Commune
    person: Any
    learner: Any
    course: Course
    officer: Any

    def client(self, user: Any = None) -> Client:
        client = Client()
        client.force_login(user or self.learner)
        return client


@pytest.fixture
def learning(units) -> Learning:  # type: ignore[no-untyped-def]
    commune = Commune.objects.get(code="00715")
    village = village_create(actor=SYSTEM, commune=commune, name="Thôn Học")
    household = household_create(actor=SYSTEM, commune=commune, code="HOC-1", village=village)
    person = person_register(
        actor=SYSTEM, household=household, full_name="Lò Thị Học", sex="F", birth_year=1968
    )
    learner = make_user("hoc_vien", "citizen", person=person)
    officer = make_user("can_bo_xa", "commune_officer", commune=commune)
    courses_load(actor=SYSTEM)
    return Learning(commune, person, learner, Course.objects.get(code=COURSE), officer)
