"""Fixtures of the privacy tests: the roles around one person (``head``)."""

from __future__ import annotations

import pytest
from django.test import Client

from hocvuso.core.actors import SYSTEM
from tests.factories import client_for, make_user


@pytest.fixture
def team(village):  # type: ignore[no-untyped-def]
    """A community tech team member of Thèn Pả: sees its households, no sensitive data."""
    return make_user("team", "team_member", villages=[village])


@pytest.fixture
def self_user(head):  # type: ignore[no-untyped-def]
    """The citizen account of ``head`` (Giàng Mí Pó) himself."""
    from hocvuso.roles.services import role_grant

    user = make_user("gmp")
    role_grant(actor=SYSTEM, user=user, role="citizen", person=head)
    return user


@pytest.fixture
def self_client(self_user) -> Client:  # type: ignore[no-untyped-def]
    return client_for(self_user)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):  # type: ignore[no-untyped-def]
    """These tests are about privacy, not the two-factor gate (tested in tests/accounts)."""
    settings.HOCVUSO_REQUIRE_2FA = False
