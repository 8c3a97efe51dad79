"""A newer official list merging two communes: the unit missing from it is retired (never
deleted) with its successor, its villages, households and people move there by a background
job with progress, and the dashboards count it under its successor."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hocvuso.core.errors import DomainError
from hocvuso.core.models import AuditLog
from hocvuso.geo.models import Commune
from hocvuso.geo.services import units_load
from hocvuso.geo.units import default_source, read_units
from hocvuso.kpi import selectors as kpi
from hocvuso.kpi import summaries
from hocvuso.registry.models import Household, Person, UnitTransfer
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.skills.status import status_rebuild
from tests.factories import log, make_user, record, recount_by_hand

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
OLD = "00706"  # Xã Phú Linh, Tuyên Quang: merged into Xã Lũng Cú (00715) by the synthetic list


def _newer_list():  # type: ignore[no-untyped-def]
    return [r for r in read_units(default_source()) if r.commune_code != OLD]


@pytest.fixture
def phu_linh(units, officer, commune, village, head, member):  # type: ignore[no-untyped-def]
    """Phú Linh with a village of the same name as one of Lũng Cú's, a household with the same
    code as one of Lũng Cú's, two people, a skill and a desk visit."""
    old = Commune.objects.get(code=OLD)
    keeper = make_user("canbo.phulinh", "commune_officer", commune=old)
    thon = village_create(actor=keeper, commune=old, name="Thôn Thèn Pả")
    same_code = household_create(actor=keeper, commune=old, code="LC-001", village=thon)
    other = household_create(actor=keeper, commune=old, code="PL-002")
    a = person_register(
        actor=keeper, household=same_code, full_name="Vàng Thị Dế", sex="F", birth_year=1988
    )
    person_register(actor=keeper, household=other, full_name="Lý Văn Páo", sex="M", birth_year=1950)
    record(keeper, a, "vneid.level2")
    log(make_user("motcua.pl", "desk_staff", commune=old), old, person=a)
    return old


def test_a_newer_list_merging_two_communes_moves_the_registry_and_keeps_every_figure(
    settings, django_capture_on_commit_callbacks, phu_linh, commune, officer
):
    settings.TASKS = IMMEDIATE
    year = timezone.localdate().year
    here, there = recount_by_hand([commune.code], year), recount_by_hand([OLD], year)
    assert there["persons"] == 2
    nation_before = kpi.figures(kpi.unit_get(actor=officer_national(), level="national"))
    province = kpi.unit_get(actor=officer_national(), level="province", code=commune.province_id)
    desk_before = {c.code: c.figures.get("desk_helped", 0) for c in kpi.children(province)}
    assert desk_before[OLD] == 1

    with django_capture_on_commit_callbacks(execute=True):
        result = units_load(rows=_newer_list(), successors={OLD: commune.code})

    assert result.retired == [(OLD, commune.code)]
    old = Commune.objects.get(code=OLD)  # never deleted
    assert old.retired_at is not None
    assert old.successor_id == commune.code
    job = UnitTransfer.objects.get()
    assert (job.status, job.total, job.done, job.villages, job.persons) == ("done", 2, 2, 1, 2)
    assert sorted((r["kind"], r["old"], r["new"]) for r in job.renamed) == [
        ("household", "LC-001", f"{OLD}-LC-001"),
        ("village", "Thôn Thèn Pả", "Thôn Thèn Pả (Phú Linh)"),
    ]
    assert not Person.all_objects.filter(commune_id=OLD).exists()
    assert not Household.all_objects.filter(commune_id=OLD).exists()
    # Every person-based figure of Lũng Cú is what the two communes had; Phú Linh has none.
    after = recount_by_hand([commune.code], year)
    assert after == {k: here[k] + there[k] for k in here}
    assert recount_by_hand([OLD], year)["persons"] == 0
    assert summaries.check() == []
    assert status_rebuild(check=True).differences == {}
    # The nation: one commune fewer, the same people and the same desk visits.
    nation = kpi.figures(kpi.unit_get(actor=officer_national(), level="national"))
    assert nation["communes"] == nation_before["communes"] - 1
    assert nation["persons"] == nation_before["persons"]
    assert nation["desk_helped"] == nation_before["desk_helped"]
    # The province's list: Phú Linh is gone, its desk visit (which stays on it) is Lũng Cú's.
    listed = {c.code: c for c in kpi.children(province)}
    assert OLD not in listed
    assert listed[commune.code].figures["desk_helped"] == (
        desk_before[commune.code] + desk_before[OLD]
    )
    assert listed[commune.code].figures["persons"] == here["persons"] + there["persons"]
    [row] = AuditLog.objects.filter(action="unit.transfer")
    assert row.changes["households"] == 2
    assert AuditLog.objects.filter(action="unit.retire", object_id=OLD).count() == 1
    # Loading the same list again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = units_load(rows=_newer_list(), successors={OLD: commune.code})
    assert again.retired == []
    assert UnitTransfer.objects.count() == 1


def test_until_the_job_has_run_the_dashboards_count_the_retired_unit_under_its_successor(
    phu_linh, commune
):
    year = timezone.localdate().year
    here, there = recount_by_hand([commune.code], year), recount_by_hand([OLD], year)
    province = kpi.unit_get(actor=officer_national(), level="province", code=commune.province_id)
    count = kpi.figures(province)["communes"]
    units_load(rows=_newer_list(), successors={OLD: commune.code})  # the job waits for commit
    assert UnitTransfer.objects.get().status == "queued"
    assert Person.objects.filter(commune_id=OLD).count() == 2  # not moved yet
    listed = {c.code: c.figures for c in kpi.children(province)}
    assert OLD not in listed
    for name in ("persons", "adults", "households"):
        assert listed[commune.code][name] == here[name] + there[name]
    assert listed[commune.code]["desk_helped"] == 1  # Phú Linh's one desk visit
    assert kpi.figures(province)["communes"] == count - 1


def test_a_missing_unit_without_a_successor_refuses_the_load(phu_linh):
    before = Commune.objects.filter(retired_at__isnull=False).count()
    with pytest.raises(DomainError) as exc:
        units_load(rows=_newer_list(), successors={})
    assert OLD in exc.value.message
    assert Commune.objects.filter(retired_at__isnull=False).count() == before == 0
    # Without a mapping at all the unit is only reported.
    assert units_load(rows=_newer_list()).missing == [OLD]
    assert Commune.objects.get(code=OLD).retired_at is None


def officer_national():  # type: ignore[no-untyped-def]
    from hocvuso.accounts.models import User

    return User.objects.filter(username="quocgia").first() or make_user("quocgia", "national_admin")


def test_the_command_reads_a_newer_list_and_its_successors(
    tmp_path, settings, django_capture_on_commit_callbacks, phu_linh, commune, capsys
):
    import shutil
    import sqlite3

    from django.core.management import call_command

    settings.TASKS = IMMEDIATE
    newer = tmp_path / "dataset.db"
    shutil.copy(default_source(), newer)
    con = sqlite3.connect(newer)
    con.execute("DELETE FROM admin_units WHERE wardCode IN (?, ?)", (OLD, int(OLD)))
    con.commit()
    con.close()
    mapping = tmp_path / "sap-nhap.csv"
    mapping.write_text(f"ma_cu,ma_moi\n{OLD},{commune.code}\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_units", "--source", str(newer), "--successors", str(mapping))
    out = capsys.readouterr().out
    assert "34 provinces, 3320 communes loaded" in out
    assert Commune.objects.get(code=OLD).successor_id == commune.code
    assert UnitTransfer.objects.get().status == "done"
    assert summaries.check() == []
