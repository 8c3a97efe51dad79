"""Fixtures of the desk tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hocvuso.core.ids import uuid7
from hocvuso.desk.models import DeskVisit
from hocvuso.desk.services import desk_visit_record


def log(actor: Any, commune: Any, **kw: Any) -> DeskVisit:
    kw.setdefault("id", uuid7())
    kw.setdefault("procedure", "khai_sinh")
    kw.setdefault("outcome", "done_with_help")
    return desk_visit_record(actor=actor, commune=commune, **kw)


@pytest.fixture
def desk(commune):  # type: ignore[no-untyped-def]
    from tests.conftest import make_user

    return make_user("motcua", "desk_staff", commune=commune)


@pytest.fixture
def desk_client(desk) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(desk)
    return client


@pytest.fixture
def member(household, officer, head):  # type: ignore[no-untyped-def]
    """A second member of ``household``: Giàng Thị Mỷ, born 1995, no CCCD."""
    from hocvuso.registry.services import person_register

    return person_register(
        actor=officer, household=household, full_name="Giàng Thị Mỷ", sex="F", birth_year=1995
    )
