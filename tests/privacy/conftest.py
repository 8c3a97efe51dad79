"""Fixtures of the privacy tests: the roles around one person (``head``)."""

from __future__ import annotations

import pytest
from django.test import Client

from hocvuso.core.actors import SYSTEM
from tests.conftest import make_user


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk(commune):  # type: ignore[no-untyped-def]
    """Support-desk staff of Lũng Cú: sees the commune's registry, no sensitive data."""
    return make_user("desk", "desk_staff", commune=commune)


@pytest.fixture
def team(village):  # type: ignore[no-untyped-def]
    """A community tech team member of Thèn Pả: sees its households, no sensitive data."""
    return make_user("team", "team_member", villages=[village])


@pytest.fixture
def self_user(head):  # type: ignore[no-untyped-def]
    """The citizen account of ``head`` (Giàng Mí Pó) himself."""
    from hocvuso.accounts.services import role_grant

    user = make_user("gmp")
    role_grant(actor=SYSTEM, user=user, role="citizen", person=head)
    return user


@pytest.fixture
def officer_client(officer) -> Client:  # type: ignore[no-untyped-def]
    return client_for(officer)


@pytest.fixture
def national_client(national_admin) -> Client:  # type: ignore[no-untyped-def]
    return client_for(national_admin)


@pytest.fixture
def self_client(self_user) -> Client:  # type: ignore[no-untyped-def]
    return client_for(self_user)


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


@pytest.fixture(autouse=True)
def _no_second_factor(settings):  # type: ignore[no-untyped-def]
    """These tests are about privacy, not the two-factor gate (tested in tests/accounts)."""
    settings.HOCVUSO_REQUIRE_2FA = False
