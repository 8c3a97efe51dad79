"""A large file decided batch by batch while it streams into the database (protected in the
second process, its CCCDs looked up a batch ahead): households whose rows and head fall in
different batches, the audit trail of every person, an error in the middle of the stream that
writes nothing, reasons in the officer's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from hocvuso.core.models import AuditItem, AuditLog
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing import sealing, service
from hocvuso.registry.importing.service import registry_import
from hocvuso.registry.models import Household, Person
from hocvuso.registry.synthetic import CLEAN_HEADERS

from .conftest import make_csv

pytestmark = pytest.mark.django_db


def _csv(rows: list[list[str]]) -> bytes:
    return make_csv([CLEAN_HEADERS, *rows], delimiter=";").encode()


def _row(code, name, rel, birth, sex="Nam", cccd=""):
    return [code, "Thôn Thèn Pả", "", name, rel, birth, sex, "Kinh", cccd, "", "", ""]


# Batches of three rows: H1's head comes in the second batch, after two of its members; H2
# starts in the second batch and its head is in the third; H3 never names a head.
ROWS = [
    _row("H1", "Vàng Thị Mỷ", "Vợ", "1972", "Nữ"),
    _row("H1", "Giàng Mí Sính", "Con trai", "2015"),
    _row("H3", "Lò Văn Pấng", "Con trai", "2001"),
    _row("H1", "Giàng Mí Pó", "Chủ hộ", "1970", cccd="002070123456"),
    _row("H2", "Sùng Thị Mai", "Vợ", "1992", "Nữ"),
    _row("H2", "Sùng Thị Mai", "Vợ", "1992", "Nữ"),  # the same row twice: rejected
    _row("H2", "Sùng Mí Chứ", "Chủ hộ", "1990", cccd="002090000222"),
    _row("H3", "Lò Thị Dợ", "Con gái", "2003", "Nữ"),
]


@pytest.fixture
def batches_of_three(monkeypatch):
    monkeypatch.setattr(sealing, "MIN_ROWS", 0)  # "a large file": protected aside
    monkeypatch.setattr(sealing, "BATCH", 2)
    monkeypatch.setattr(service, "BATCH", 3)


def test_a_large_file_is_decided_batch_by_batch(batches_of_three, commune, officer, village):
    outcome = registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert outcome.counts() == {
        "read": 8,
        "inserted": 7,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert [(r.row, r.code) for r in outcome.rejects] == [(7, RegistryError.DUPLICATE_IN_FILE)]
    households = {h.code: h for h in Household.objects.filter(commune=commune)}
    assert set(households) == {"H1", "H2", "H3"}
    heads = {code: h.head.full_name if h.head else None for code, h in households.items()}
    assert heads == {"H1": "Giàng Mí Pó", "H2": "Sùng Mí Chứ", "H3": None}
    members = {
        code: sorted(Person.objects.filter(household=h).values_list("full_name", flat=True))
        for code, h in households.items()
    }
    assert members == {
        "H1": ["Giàng Mí Pó", "Giàng Mí Sính", "Vàng Thị Mỷ"],
        "H2": ["Sùng Mí Chứ", "Sùng Thị Mai"],
        "H3": ["Lò Thị Dợ", "Lò Văn Pấng"],
    }
    # One audit row per person created, each pointing at the import's summary, which holds
    # the final counts.
    summary = AuditLog.objects.get(action="registry.import")
    assert summary.changes["inserted"] == 7
    assert summary.changes["households_created"] == 3
    created = AuditItem.objects.filter(action="person.import_create")
    assert sorted(a.object_id for a in created) == sorted(
        Person.objects.filter(commune=commune).values_list("pk", flat=True)
    )
    assert {a.entry_id for a in created} == {summary.pk}

    again = registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 7)


def test_an_error_in_the_middle_of_the_stream_writes_nothing(
    batches_of_three, monkeypatch, commune, officer, village
):
    decide = service._Import._decide
    calls = []

    def failing(self, r):
        calls.append(r)
        if len(calls) == 5:  # in the second batch: the first one is in the COPY by then
            raise RuntimeError("a bug while deciding")
        return decide(self, r)

    monkeypatch.setattr(service._Import, "_decide", failing)
    before = (
        Person.objects.count(),
        Household.objects.count(),
        AuditLog.objects.count(),
        AuditItem.objects.count(),
    )
    with pytest.raises(RuntimeError, match="a bug while deciding"):
        registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    assert (
        Person.objects.count(),
        Household.objects.count(),
        AuditLog.objects.count(),
        AuditItem.objects.count(),
    ) == before


@pytest.mark.parametrize(
    ("language", "reason"),
    [("vi", "đã có ở dòng 6"), ("en", "already on row 6")],
)
def test_reasons_in_a_large_file_speak_the_officers_language(
    batches_of_three, language, reason, commune, officer, village
):
    with translation.override(language):
        outcome = registry_import(actor=officer, commune=commune, data=_csv(ROWS), filename="l.csv")
    (reject,) = outcome.rejects
    assert reason in reject.message
