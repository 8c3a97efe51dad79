"""A large file's identifiers protected in a second process: the same rows, the same protection,
the same rejects as in-process; a failure of that process writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from hocvuso.core.errors import CoreError
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing import sealing
from hocvuso.registry.importing.service import registry_import
from hocvuso.registry.models import Household, Person
from hocvuso.registry.synthetic import CLEAN_HEADERS

pytestmark = pytest.mark.django_db


def _csv(rows: list[list[str]]) -> bytes:
    lines = [";".join(CLEAN_HEADERS)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _row(code, name, rel, birth, sex, cccd="", phone="", ethnicity="Mông", needs=""):
    return [code, "Thôn Thèn Pả", "", name, rel, birth, sex, ethnicity, cccd, phone, "", needs]


ROWS = [
    _row("H1", "Giàng Mí Pó", "Chủ hộ", "04/03/1970", "Nam", "002070123456", needs="Nghe kém"),
    _row("H1", "Vàng Thị Mỷ", "Vợ", "1972", "Nữ", "002 172 000 111", "0912345678", "Dao"),
    _row("H1", "Giàng Mí Sính", "Con trai", "2015", "Nam", ethnicity=""),
    _row("H2", "Lò Văn Pấng", "Chủ hộ", "1980", "Nam", "002080123"),  # bad CCCD
    _row("H2", "Lò Thị Dợ", "Vợ", "1982", "Nữ", ethnicity="Không rõ"),  # unknown ethnicity
    _row("H1", "Vàng Thị Mỷ", "Vợ", "1972", "Nữ", "002172000111"),  # pasted twice
    _row("H3", "Sùng Thị Mai", "Chủ hộ", "1992", "Nữ", "", "12"),  # bad phone
    _row("H3", "Sùng Mí Chứ", "Chồng", "1990", "Nam", "002090000222", ethnicity="H'Mông"),
]
EXPECTED = {  # name → (CCCD, ethnicity code, special needs), as a reader of the file sees them
    "Giàng Mí Pó": ("002070123456", "08", "Nghe kém"),
    "Vàng Thị Mỷ": ("002172000111", "09", ""),  # Dao: 09 in the official list
    "Giàng Mí Sính": ("", "", ""),
    "Sùng Mí Chứ": ("002090000222", "08", ""),
}
REJECTED = {
    5: RegistryError.CCCD_FORMAT,
    6: RegistryError.INVALID_ETHNICITY,
    7: RegistryError.DUPLICATE_IN_FILE,
    8: CoreError.INVALID_PHONE,
}


@pytest.fixture(params=["in-process", "second process"])
def mode(request, monkeypatch):
    if request.param == "second process":
        monkeypatch.setattr(sealing, "MIN_ROWS", 0)
    else:
        monkeypatch.setattr(sealing, "MIN_ROWS", 10**9)
    return request.param


def test_the_same_rows_and_protection_either_way(mode, commune, officer, village):
    outcome = registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert outcome.counts() == {
        "read": 8,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 4,
    }
    assert {r.row: r.code for r in outcome.rejects} == REJECTED
    stored = {p.full_name: p for p in Person.objects.filter(commune=commune)}
    assert set(stored) == set(EXPECTED)
    for name, (number, ethnicity, needs) in EXPECTED.items():
        person = stored[name]
        assert person.ethnicity == ethnicity
        assert person.special_needs == needs
        if number:
            assert cccd_lib.reveal(person.cccd_ciphertext) == number
            assert person.cccd_last3 == number[-3:]
            assert Person.objects.get(cccd_hash=cccd_lib.lookup_hash(number)) == person
        else:
            assert (person.cccd_hash, person.cccd_ciphertext, person.cccd_last3) == (None, "", "")
    # Sealed at rest: the columns hold no plain value.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ethnicity, special_needs FROM registry_person WHERE commune_id = %s",
            [commune.code],
        )
        raw = cursor.fetchall()
    assert len(raw) == 4
    assert all(v == "" or v.startswith("g1.") for pair in raw for v in pair)
    assert sum(1 for pair in raw for v in pair if v) == 4  # three ethnicities, one need
    assert Household.objects.get(commune=commune, code="H1").head.full_name == "Giàng Mí Pó"

    again = registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


def test_a_failing_second_process_writes_nothing(monkeypatch, commune, officer, village):
    monkeypatch.setattr(sealing, "MIN_ROWS", 0)

    def broken(*args, **kwargs):
        raise ValueError("disk on fire")

    monkeypatch.setattr(sealing, "_protect_batch", broken)
    before = Person.objects.count(), Household.objects.count()
    with pytest.raises(sealing.SealingFailed, match="disk on fire"):
        registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert (Person.objects.count(), Household.objects.count()) == before


def test_a_second_process_not_read_to_the_end_ends_by_itself(
    monkeypatch, commune, officer, village
):
    """An import of a file already imported needs no protected cells: the child, blocked on a
    full pipe, must end at once when the parent stops reading, not wait to be killed."""
    monkeypatch.setattr(sealing, "MIN_ROWS", 0)
    monkeypatch.setattr(sealing, "BATCH", 1)  # thousands of messages: more than a pipe holds
    rows = [
        _row(f"H{i}", f"Người Số {i}", "Chủ hộ", str(1950 + i % 50), "Nam", ethnicity="Kinh")
        for i in range(3000)
    ]
    data = _csv(rows)
    registry_import(actor=officer, commune=commune, data=data, filename="l.csv")
    exits = []
    close = sealing.Protector.close

    def recording_close(self):
        exits.append(close(self))
        return exits[-1]

    monkeypatch.setattr(sealing.Protector, "close", recording_close)
    again = registry_import(actor=officer, commune=commune, data=data, filename="l.csv")
    assert again.unchanged == 3000
    assert exits == [0]


@pytest.mark.django_db(transaction=True)
def test_a_large_files_cccds_are_looked_up_batch_by_batch_while_it_streams(
    monkeypatch, commune, other_commune, officer, village
):
    """A large file's CCCDs are looked up nationwide batch by batch, as their hashes come from
    the protecting process (on PostgreSQL over a second connection, the first being busy with
    the COPY). Committed: that connection sees what any other session would. A CCCD held in
    another commune is refused on whichever batch it falls, and none of the rest is lost."""
    from hocvuso.core.actors import SYSTEM
    from hocvuso.registry.importing import service

    elsewhere = registry_import(
        actor=SYSTEM,
        commune=other_commune,
        data=_csv([_row("X1", "Giàng Mí Pó", "Chủ hộ", "04/03/1970", "Nam", "002070123456")]),
        filename="other.csv",
        create_villages=True,
    )
    assert elsewhere.inserted == 1
    monkeypatch.setattr(sealing, "MIN_ROWS", 0)
    monkeypatch.setattr(sealing, "BATCH", 2)  # the child's batches
    monkeypatch.setattr(service, "BATCH", 3)  # the import's chunks: boundaries that differ
    asked = []
    find = service._people_by_hash

    def recording(hashes, db):
        asked.append((len(hashes), db is connection))
        return find(hashes, db)

    monkeypatch.setattr(service, "_people_by_hash", recording)
    outcome = registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert {r.row: r.code for r in outcome.rejects} == {
        2: RegistryError.CCCD_OTHER_COMMUNE,  # Giàng Mí Pó, in the other commune
        **REJECTED,
    }
    assert outcome.inserted == 3
    assert set(Person.objects.filter(commune=commune).values_list("full_name", flat=True)) == {
        "Vàng Thị Mỷ",
        "Giàng Mí Sính",
        "Sùng Mí Chứ",
    }
    # One look-up per chunk that holds a CCCD not already in the commune, never all at once;
    # on PostgreSQL never over the main connection (busy with the COPY).
    assert len(asked) >= 2
    assert sum(n for n, _main in asked) == 3  # the three well-formed CCCDs of the file
    if connection.vendor == "postgresql":
        assert not any(main for _n, main in asked)


def test_an_import_that_grows_the_table_refreshes_the_planners_statistics(
    monkeypatch, commune, officer, village
):
    """PostgreSQL: a list that grows the people's table by a tenth or more is followed, in its
    transaction and before the commune's recount, by ANALYZE of the people and households (the
    recount planned for the table as it was went through the new people row by row)."""
    from django.test.utils import CaptureQueriesContext

    from hocvuso.registry.importing import service

    monkeypatch.setattr(service, "BATCH", 2)  # "a large import": two rows or more
    with CaptureQueriesContext(connection) as queries:
        outcome = registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert outcome.inserted == 4
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert len(analyzed) == 1
        assert analyzed[0].startswith("ANALYZE registry_person (")
        assert "registry_household (" in analyzed[0]
        # What the planner lacked: the row counts, refreshed by a column list as by the whole.
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'registry_person'")
            assert cursor.fetchone()[0] >= outcome.inserted
        position = [q["sql"] for q in queries.captured_queries].index(analyzed[0])
        later = " ".join(q["sql"] for q in queries.captured_queries[position:])
        assert "kpi_cohortsummary" in later  # the recount comes after it
    else:
        assert analyzed == []
