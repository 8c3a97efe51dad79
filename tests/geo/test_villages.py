import pytest

from hocvuso.core.errors import CoreError, DomainError
from hocvuso.core.models import AuditLog
from hocvuso.geo.errors import GeoError
from hocvuso.geo.models import Village, VillageKind
from hocvuso.registry.services import village_create, village_update, villages_import_csv

pytestmark = pytest.mark.django_db


def test_create_guesses_kind_and_audits(commune, officer):
    v = village_create(actor=officer, commune=commune, name="  Tổ dân phố   3 ")
    assert (v.name, v.kind, v.search_key) == (
        "Tổ dân phố 3",
        VillageKind.TO_DAN_PHO,
        "to dan pho 3",
    )
    row = AuditLog.objects.get(action="village.create", object_id=str(v.pk))
    assert row.actor == officer
    assert row.changes["name"] == [None, "Tổ dân phố 3"]


def test_duplicate_name_ignoring_diacritics_rejected(commune, officer, village):
    with pytest.raises(DomainError) as err:
        village_create(actor=officer, commune=commune, name="THON THEN PA")
    assert err.value.code == GeoError.DUPLICATE_VILLAGE
    assert Village.objects.filter(commune=commune).count() == 1


def test_same_name_allowed_in_another_commune(other_commune, other_officer, village):
    v = village_create(actor=other_officer, commune=other_commune, name="Thôn Thèn Pả")
    assert v.commune_id == other_commune.code


def test_update_flags_audited(officer, village):
    village_update(actor=officer, village=village, is_ethnic_minority=True)
    village.refresh_from_db()
    assert village.is_ethnic_minority is True
    row = AuditLog.objects.get(action="village.update")
    assert row.changes == {"is_ethnic_minority": [False, True]}
    # Nothing changed, nothing written.
    village_update(actor=officer, village=village, is_ethnic_minority=True)
    assert AuditLog.objects.filter(action="village.update").count() == 1


def test_csv_import_keeps_good_rows_and_names_bad_ones(commune, officer, village):
    data = (
        "\ufeffTên thôn;Loại;Vùng khó khăn;Dân tộc thiểu số\n"
        "Thôn Séo Lủng;Thôn;x;x\n"
        ";Thôn;;\n"
        "Thôn Thèn Pả;Thôn;x;x\n"
        "Bản Mới;Hẻm;;\n"
        "Tổ dân phố 1;Tổ dân phố;;\n"
    ).encode()
    result = villages_import_csv(actor=officer, commune=commune, data=data)
    assert (result.read, result.created, result.updated, result.unchanged) == (5, 2, 1, 0)
    assert [(r["row"], r["code"]) for r in result.rejected] == [
        (3, CoreError.REQUIRED),
        (5, CoreError.INVALID),
    ]
    assert result.created + result.updated + result.unchanged + len(result.rejected) == result.read
    seo = Village.objects.get(commune=commune, name="Thôn Séo Lủng")
    assert (seo.is_remote, seo.is_ethnic_minority) == (True, True)
    # The same file again changes nothing.
    again = villages_import_csv(actor=officer, commune=commune, data=data)
    assert (again.created, again.updated, again.unchanged, len(again.rejected)) == (0, 0, 3, 2)
