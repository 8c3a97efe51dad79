"""Shared fixtures. Data is set up through the real services."""

from __future__ import annotations

import os
import shutil

import pytest
from django.test import Client

from hocvuso.geo.models import Commune
from hocvuso.geo.services import units_load
from tests.factories import login, make_user, reference_rows


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "database: " + ("PostgreSQL" if url.startswith("postgres") else "SQLite")


@pytest.fixture(scope="session", autouse=True)
def _require_postgres_when_asked() -> None:
    """In CI (HOCVUSO_REQUIRE_POSTGRES=1) the PostgreSQL run must really be on PostgreSQL."""
    if os.environ.get("HOCVUSO_REQUIRE_POSTGRES") == "1" and os.environ.get("DATABASE_URL"):
        from django.db import connection

        assert connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The official units are loaded once into the test database."""
    with django_db_blocker.unblock():
        units_load()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _two_factor_off(settings):  # type: ignore[no-untyped-def]
    """Tests log officers in with force_login; tests/accounts turn two-factor back on."""
    settings.HOCVUSO_REQUIRE_2FA = False


@pytest.fixture
def units(db) -> None:  # type: ignore[no-untyped-def]
    reference_rows()


@pytest.fixture
def commune(units) -> Commune:  # type: ignore[no-untyped-def]
    return Commune.objects.select_related("province").get(code="00715")  # Xã Lũng Cú


@pytest.fixture
def other_commune(units) -> Commune:  # type: ignore[no-untyped-def]
    return Commune.objects.select_related("province").get(code="00004")  # Phường Ba Đình


@pytest.fixture
def officer(commune):  # type: ignore[no-untyped-def]
    """The commune officer of Xã Lũng Cú (00715)."""
    user = make_user("canbo", "commune_officer", commune=commune)
    user.display_name = "Cán bộ xã"
    user.save(update_fields=["display_name"])
    return user


@pytest.fixture
def other_officer(other_commune):  # type: ignore[no-untyped-def]
    """The commune officer of Phường Ba Đình (00004): nothing in Lũng Cú is theirs."""
    return make_user("canbo.badinh", "commune_officer", commune=other_commune)


@pytest.fixture
def national_admin(units):  # type: ignore[no-untyped-def]
    return make_user("quantri", "national_admin")


@pytest.fixture
def province_officer(commune):  # type: ignore[no-untyped-def]
    """Tuyên Quang (08), Lũng Cú's province."""
    return make_user("canbo.tinh", "province_officer", province=commune.province)


@pytest.fixture
def citizen(db):  # type: ignore[no-untyped-def]
    """A signed-up user with no role: must see no registry data at all."""
    return make_user("dan")


@pytest.fixture
def village(commune, officer):  # type: ignore[no-untyped-def]
    from hocvuso.registry.services import village_create

    return village_create(actor=officer, commune=commune, name="Thôn Thèn Pả", is_remote=True)


@pytest.fixture
def household(commune, village, officer):  # type: ignore[no-untyped-def]
    from hocvuso.registry.services import household_create

    return household_create(
        actor=officer, commune=commune, code="LC-001", village=village, address="Số 5, Thèn Pả"
    )


@pytest.fixture
def head(household, officer):  # type: ignore[no-untyped-def]
    """The head of ``household``: Giàng Mí Pó, born 1970, CCCD 002070123456."""
    import datetime as dt

    from hocvuso.registry.services import person_register

    return person_register(
        actor=officer,
        household=household,
        full_name="Giàng Mí Pó",
        sex="M",
        birth_date=dt.date(1970, 3, 4),
        ethnicity="08",
        cccd="002070123456",
        phone="0912 345 678",
        occupation="farmer",
        relationship="head",
        special_needs="Mắt kém",
    )


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


@pytest.fixture
def desk(commune):  # type: ignore[no-untyped-def]
    """Support-desk staff of Lũng Cú: sees the commune's registry, no sensitive data."""
    return make_user("motcua", "desk_staff", commune=commune)


@pytest.fixture
def desk_client(desk) -> Client:  # type: ignore[no-untyped-def]
    return login(desk)


@pytest.fixture
def officer_client(officer) -> Client:  # type: ignore[no-untyped-def]
    return login(officer)


@pytest.fixture
def national_client(national_admin) -> Client:  # type: ignore[no-untyped-def]
    return login(national_admin)


@pytest.fixture
def citizen_client(citizen) -> Client:  # type: ignore[no-untyped-def]
    return login(citizen)


@pytest.fixture
def chromium_path() -> str:
    """Debian's chromium (never a downloaded browser); the test is skipped, saying so, without."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium); browser test skipped")
    return path


@pytest.fixture
def browser_page(chromium_path):  # type: ignore[no-untyped-def]
    from tests.browser import phone_page

    with phone_page(chromium_path) as page:
        yield page
