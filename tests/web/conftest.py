"""Fixtures of the web tests: logged-in clients."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def officer_client(officer) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def national_client(national_admin) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(national_admin)
    return client


@pytest.fixture
def citizen_client(citizen) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(citizen)
    return client


@pytest.fixture
def member(household, officer, head):  # type: ignore[no-untyped-def]
    """A second member of ``household``: Giàng Thị Mỷ, born 1995, no CCCD."""
    from hocvuso.registry.services import person_register

    return person_register(
        actor=officer,
        household=household,
        full_name="Giàng Thị Mỷ",
        sex="F",
        birth_year=1995,
        relationship="child",
    )


def snapshot_db() -> dict[str, object]:
    """Everything a denied request could have changed, to compare before and after."""
    from hocvuso.core.models import AuditLog
    from hocvuso.geo.models import Village
    from hocvuso.registry.models import Household, Person

    return {
        "audit": list(AuditLog.objects.values_list("id", flat=True)),
        "villages": list(Village.objects.order_by("pk").values()),
        "households": list(Household.objects.order_by("pk").values()),
        "persons": list(Person.objects.order_by("pk").values()),
    }
