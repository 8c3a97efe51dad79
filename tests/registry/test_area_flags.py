"""The remote / ethnic-minority flags of communes are set by their province, audited, and the
figures broken down by area stay equal to a recount in the same transaction."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.core.errors import NotFound
from hocvuso.core.models import AuditLog
from hocvuso.geo.models import Commune
from hocvuso.kpi import summaries
from hocvuso.kpi.models import ProvinceMonthSummary
from hocvuso.registry.services import commune_flags_set
from tests.factories import build_commune, db_fingerprint, login

pytestmark = pytest.mark.django_db


def _neighbour(commune: Commune) -> Commune:
    return Commune.objects.filter(province=commune.province).exclude(code=commune.code).first()


def test_province_officer_sets_flags_audited_and_closed_months_follow(commune, province_officer):
    build_commune(commune, households=6, seed=3)
    summaries.backfill([commune.code], months=2)
    assert summaries.check() == []
    before = dict(
        ProvinceMonthSummary.objects.filter(province=commune.province).values_list(
            "remote", "persons"
        )
    )
    assert before.get(True, 0) == 0  # Lũng Cú is not flagged in the reference data
    changed = commune_flags_set(
        actor=province_officer,
        province_code=commune.province_id,
        flags={commune.code: (True, True)},
    )
    assert changed == 1
    commune.refresh_from_db()
    assert (commune.is_remote, commune.is_ethnic_minority) == (True, True)
    audit = AuditLog.objects.get(action="unit.flags")
    assert audit.object_id == commune.code
    assert audit.changes == {"is_remote": [False, True], "is_ethnic_minority": [False, True]}
    # The closed months now count the commune among the remote ones, as a recount does.
    assert summaries.check() == []
    after = ProvinceMonthSummary.objects.filter(province=commune.province, remote=True)
    assert after.exists()
    # The same flags again change nothing and write no audit row.
    assert (
        commune_flags_set(
            actor=province_officer,
            province_code=commune.province_id,
            flags={commune.code: (True, True)},
        )
        == 0
    )
    assert AuditLog.objects.filter(action="unit.flags").count() == 1


def test_nobody_else_sets_flags_and_nothing_changes(commune, officer, other_officer, units):
    from tests.factories import make_user

    elsewhere = make_user("tinh.khac", "province_officer", province=_other_province(commune))
    before = db_fingerprint()
    for actor in (officer, other_officer, elsewhere):
        with pytest.raises(NotFound):
            commune_flags_set(
                actor=actor, province_code=commune.province_id, flags={commune.code: (True, False)}
            )
    # A commune of another province named under this one is not found either.
    with pytest.raises(NotFound):
        commune_flags_set(
            actor=elsewhere,
            province_code=commune.province_id,
            flags={Commune.objects.exclude(province=commune.province).first().code: (True, True)},
        )
    assert db_fingerprint() == before


def _other_province(commune: Commune):  # type: ignore[no-untyped-def]
    return Commune.objects.exclude(province=commune.province).first().province


def test_the_page_saves_ticks_and_shows_them(commune, province_officer):
    client = login(province_officer)
    url = reverse("registry:area_flags", args=[commune.province_id])
    page = client.get(url)
    assert page.status_code == 200
    assert commune.name in page.content.decode()
    neighbour = _neighbour(commune)
    response = client.post(
        url, {f"remote_{commune.code}": "on", f"minority_{neighbour.code}": "on"}
    )
    assert response.status_code == 302
    commune.refresh_from_db()
    neighbour.refresh_from_db()
    assert (commune.is_remote, commune.is_ethnic_minority) == (True, False)
    assert (neighbour.is_remote, neighbour.is_ethnic_minority) == (False, True)
    assert AuditLog.objects.filter(action="unit.flags").count() == 2


def test_the_admin_can_no_longer_change_units(national_admin, commune):
    national_admin.is_staff = True
    national_admin.save(update_fields=["is_staff"])
    client = login(national_admin)
    url = reverse("admin:geo_commune_change", args=[commune.code])
    response = client.post(url, {"is_remote": "on", "name": commune.name})
    commune.refresh_from_db()
    assert commune.is_remote is False
    assert response.status_code in {200, 403}
