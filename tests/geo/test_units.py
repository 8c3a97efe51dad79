import dataclasses

import pytest

from hocvuso.geo.models import Commune, CommuneKind, Province, ProvinceKind
from hocvuso.geo.selectors import commune_get, commune_search, province_search
from hocvuso.geo.services import units_load
from hocvuso.geo.units import default_source, read_units
from hocvuso.registry.services import household_create

pytestmark = pytest.mark.django_db


def test_official_counts_and_codes(units):
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    assert Commune.objects.filter(kind=CommuneKind.COMMUNE).count() == 2621
    assert Commune.objects.filter(kind=CommuneKind.WARD).count() == 687
    assert Commune.objects.filter(kind=CommuneKind.SPECIAL_ZONE).count() == 13
    # Official zero-padded codes kept as strings.
    tq = Province.objects.get(code="08")
    assert tq.name == "Tỉnh Tuyên Quang"
    assert tq.kind == ProvinceKind.PROVINCE
    assert Province.objects.get(code="01").kind == ProvinceKind.CITY
    lung_cu = Commune.objects.get(code="00715")
    assert (lung_cu.name, lung_cu.province_id) == ("Xã Lũng Cú", "08")
    assert lung_cu.latitude is not None
    assert lung_cu.longitude is not None
    assert all(len(c) == 5 for c in Commune.objects.values_list("code", flat=True))


def test_reload_changes_nothing(units):
    result = units_load()
    assert result.as_dict() == {
        "provinces_created": 0,
        "provinces_updated": 0,
        "communes_created": 0,
        "communes_updated": 0,
        "unchanged": 34 + 3321,
        "missing": [],
        "retired": [],
    }


def test_later_list_updates_by_code_without_breaking_references(units, officer):
    commune = Commune.objects.get(code="00715")
    commune.is_remote = True
    commune.save(update_fields=["is_remote"])
    household = household_create(actor=officer, commune=commune, code="H1")
    rows = read_units(default_source())
    renamed = [
        dataclasses.replace(r, commune_name="Phường Lũng Cú", commune_type="Phường")
        if r.commune_code == "00715"
        else r
        for r in rows
    ]
    result = units_load(rows=renamed)
    assert (result.communes_updated, result.communes_created) == (1, 0)
    commune.refresh_from_db()
    assert (commune.name, commune.kind) == ("Phường Lũng Cú", CommuneKind.WARD)
    assert commune.is_remote is True  # our own flag survives a reload
    household.refresh_from_db()
    assert household.commune_id == "00715"
    assert commune_search(q="phuong lung cu").filter(code="00715").exists()


@pytest.mark.parametrize("query", ["ha noi", "Hà Nội", "HÀ NỘI", "  hà   nội "])
def test_lookup_ignores_diacritics_and_case(units, query):
    assert list(province_search(q=query).values_list("code", flat=True)) == ["01"]
    communes = commune_search(q=query)
    assert communes.count() == Commune.objects.filter(province_id="01").count() == 126


def test_lookup_by_code(units):
    assert commune_get(code="715").name == "Xã Lũng Cú"
    assert commune_get(code="00715").name == "Xã Lũng Cú"
    assert [c.code for c in commune_search(q="00715")] == ["00715"]
    assert [p.code for p in province_search(q="8")] == ["08"]
    assert list(commune_search(q="lung cu").values_list("code", flat=True)) == ["00715"]
