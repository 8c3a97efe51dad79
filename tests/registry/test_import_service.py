"""The bulk import service on the real database: counts, idempotency, dedupe, scope, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hocvuso.core.errors import CoreError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.geo.models import Village
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing.service import registry_import, rejects_csv
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create, person_register
from hocvuso.registry.synthetic import CLEAN_HEADERS, Population, clean_csv

pytestmark = pytest.mark.django_db


def _csv(rows: list[list[str]], headers: list[str] = CLEAN_HEADERS) -> bytes:
    lines = [";".join(headers)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _row(code, village, name, rel, birth, sex, cccd="", phone="", ethnicity="Mông"):
    return [code, village, "", name, rel, birth, sex, ethnicity, cccd, phone, "Nông dân", ""]


MIXED = [
    _row("H1", "Thôn Thèn Pả", "Giàng Mí Pó", "Chủ hộ", "04/03/1970", "Nam", "002070123456"),
    _row("H1", "Thôn Thèn Pả", "Vàng Thị Mỷ", "Vợ", "1972", "Nữ", "002172000111", "0912345678"),
    _row("H1", "Thôn Thèn Pả", "Giàng Mí Sính", "Con trai", "2015", "Nam"),
    _row("H2", "Thôn Thèn Pả", "Lò Văn Pấng", "Chủ hộ", "1980", "Nam", "002080123"),  # bad CCCD
    _row("H2", "Thôn Thèn Pả", "Lò Thị Dợ", "Vợ", "31/02/1982", "Nữ"),  # impossible date
    _row("H1", "Thôn Thèn Pả", "Vàng Thị Mỷ", "Vợ", "1972", "Nữ", "002172000111"),  # pasted twice
    _row("H3", "Thôn Thèn Pả", "Sùng Mí Chứ", "Chủ hộ", "1990", "Nam", "002190000222"),  # sex
    _row("H3", "Thôn Thèn Pả", "Sùng Thị Mai", "Vợ", "1992", "Nữ", "", "12"),  # bad phone
]


def _import(commune, officer, data, **kw):
    kw.setdefault("filename", "list.csv")
    return registry_import(actor=officer, commune=commune, data=data, **kw)


def test_mixed_file_every_row_accounted_for(commune, officer, village):
    outcome = _import(commune, officer, _csv(MIXED))
    assert outcome.counts() == {
        "read": 8,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 5,
    }
    assert outcome.balanced
    codes = {r.row: r.code for r in outcome.rejects}
    assert codes == {
        5: RegistryError.CCCD_FORMAT,
        6: RegistryError.INVALID_BIRTH_DATE,
        7: RegistryError.DUPLICATE_IN_FILE,
        8: RegistryError.CCCD_CENTURY_SEX,
        9: CoreError.INVALID_PHONE,
    }
    assert all(r.original for r in outcome.rejects)
    h1 = Household.objects.get(commune=commune, code="H1")
    assert h1.village_id == village.pk
    assert h1.head.full_name == "Giàng Mí Pó"
    assert h1.members.count() == 3
    wife = Person.objects.get(full_name="Vàng Thị Mỷ")
    assert (wife.birth_year, wife.birth_date, wife.phone) == (1972, None, "+84912345678")
    assert wife.cccd_hash == cccd_lib.lookup_hash("002172000111")
    assert cccd_lib.reveal(wife.cccd_ciphertext) == "002172000111"
    # Every row of H2 was rejected: no empty household is left behind.
    assert not Household.objects.filter(code="H2").exists()
    audit = AuditLog.objects.get(action="registry.import")
    assert audit.changes["inserted"] == 3
    assert audit.changes["rejected"] == 5


def test_second_import_changes_nothing(commune, officer, village):
    data = _csv(MIXED)
    _import(commune, officer, data)
    snapshot = sorted(Person.objects.values_list("id", "full_name", "phone", "updated_at"))
    again = _import(commune, officer, data)
    assert again.counts() == {
        "read": 8,
        "inserted": 0,
        "updated": 0,
        "unchanged": 3,
        "rejected": 5,
    }
    assert sorted(Person.objects.values_list("id", "full_name", "phone", "updated_at")) == snapshot


def test_changed_rows_are_updated_and_empty_cells_erase_nothing(commune, officer, village):
    _import(commune, officer, _csv(MIXED[:3]))
    changed = [list(r) for r in MIXED[:3]]
    changed[1][9] = "0987 654 321"  # new phone for the wife
    changed[2][8] = ""  # nothing new for the child
    changed[0][9] = ""  # the head's phone cell left empty
    outcome = _import(commune, officer, _csv(changed))
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 1, 2)
    assert Person.objects.get(full_name="Vàng Thị Mỷ").phone == "+84987654321"


def test_dry_run_writes_nothing(commune, officer, village):
    before = (Person.objects.count(), Household.objects.count(), AuditLog.objects.count())
    outcome = _import(commune, officer, _csv(MIXED), dry_run=True)
    assert (outcome.inserted, outcome.rejected) == (3, 5)
    assert (Person.objects.count(), Household.objects.count(), AuditLog.objects.count()) == before


def test_existing_person_matched_by_cccd_or_identity(commune, officer, village, head):
    # head (fixture) is Giàng Mí Pó, 1970, CCCD 002070123456, in household LC-001.
    rows = [
        _row(
            "LC-001", "Thôn Thèn Pả", "Giàng Mí Pó", "Chủ hộ", "04/03/1970", "Nam", "002070123456"
        ),
        _row("LC-001", "Thôn Thèn Pả", "Giàng Thị Dua", "Con gái", "2012", "Nữ"),
    ]
    outcome = _import(commune, officer, _csv(rows))
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (1, 0, 1)
    # Without a CCCD in the file the same person is found by household + name + year.
    rows[0][8] = ""
    outcome = _import(commune, officer, _csv(rows))
    assert (outcome.inserted, outcome.unchanged) == (0, 2)
    assert Person.objects.filter(full_name="Giàng Mí Pó").count() == 1


def test_cccd_registered_in_another_commune_is_reported_not_duplicated(
    commune, other_commune, officer, other_officer, village
):
    elsewhere = household_create(actor=other_officer, commune=other_commune, code="BD-1")
    person_register(
        actor=other_officer,
        household=elsewhere,
        full_name="Giàng Mí Pó",
        sex="M",
        birth_year=1970,
        cccd="002070123456",
    )
    outcome = _import(commune, officer, _csv(MIXED[:1]))
    assert [r.code for r in outcome.rejects] == [RegistryError.CCCD_OTHER_COMMUNE]
    assert not Household.objects.filter(commune=commune, code="H1").exists()  # none left empty
    assert Person.objects.filter(cccd_hash=cccd_lib.lookup_hash("002070123456")).count() == 1


def test_unknown_villages(commune, officer):
    rows = [
        _row("H1", "Thôn Mới", "Giàng Mí Pó", "Chủ hộ", "1970", "Nam"),
        _row("H2", "Đông", "Lò Văn Pấng", "Chủ hộ", "1980", "Nam"),
    ]
    village_create_ = Village.objects.create(
        commune=commune, name="Thôn Đông", search_key="thon dong"
    )
    # The web flow stops before writing and lists the new names.
    stopped = _import(commune, officer, _csv(rows), stop_for_villages=True)
    assert stopped.needs_confirmation
    assert stopped.new_villages == ["Thôn Mới"]
    assert Person.objects.count() == 0
    # The command line without --create-villages rejects their rows ("Đông" finds "Thôn Đông").
    outcome = _import(commune, officer, _csv(rows))
    assert [(r.row, r.code) for r in outcome.rejects] == [(2, RegistryError.UNKNOWN_VILLAGE)]
    assert Person.objects.get().household.village == village_create_
    # Mapping the new name to an existing village files the rows there.
    decisions = {"Thôn Mới": str(village_create_.pk)}
    mapped = _import(commune, officer, _csv(rows), village_decisions=decisions)
    assert mapped.inserted == 1
    assert not Village.objects.filter(name="Thôn Mới").exists()
    # Or create it.
    Person.objects.all().delete()
    Household.objects.all().delete()
    created = _import(commune, officer, _csv(rows), create_villages=True)
    assert (created.inserted, created.villages_created) == (2, 1)
    assert Village.objects.filter(commune=commune, name="Thôn Mới").exists()


def test_out_of_scope_actor_imports_nothing(commune, citizen):
    with pytest.raises(NotFound):
        _import(commune, citizen, _csv(MIXED))
    assert Person.objects.count() == 0


def test_queries_do_not_grow_with_rows(commune, officer, village, monkeypatch):
    from hocvuso.kpi import summaries

    refresh = summaries.refresh
    inner: list[int] = []

    def counted_refresh(*args, **kwargs):  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            refresh(*args, **kwargs)
        inner.append(len(ctx.captured_queries))

    monkeypatch.setattr(summaries, "refresh", counted_refresh)

    def run(count: int, prefix: str) -> tuple[int, int]:
        population = Population(seed=count, ethnic_minority=True, cccd_province="002")
        households = list(population.households(count, ["Thôn Thèn Pả"], prefix=prefix))
        inner.clear()
        with CaptureQueriesContext(connection) as ctx:
            outcome = _import(commune, officer, clean_csv(households))
        assert outcome.balanced
        assert outcome.inserted > count
        assert len(inner) == 1  # the commune's summaries are recounted once, after the write
        return len(ctx.captured_queries) - inner[0], inner[0]

    # ~20 rows against ~700: only the batched statements may grow (SQLite splits a bulk insert
    # of households by its 999-parameter limit), never one query per row. The recount of the
    # commune's summaries after the import is a fixed set of grouped queries too.
    (small, small_summary), (large, large_summary) = run(5, "S"), run(200, "L")
    assert small <= 12  # with the two reads of the commune's merged records (their tombstones)
    assert large <= small + 2
    assert 0 < small_summary <= 25
    assert large_summary <= small_summary + 1


def test_rejects_file_names_row_code_and_reason(commune, officer, village):
    outcome = _import(commune, officer, _csv(MIXED))
    data = rejects_csv(outcome.header, [r.as_dict() for r in outcome.rejects])
    text = data.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 5
    assert lines[1].startswith("5,cccd_format,")
    assert "Lò Văn Pấng" in lines[1]


def test_import_job_keeps_no_plain_cccd_anywhere(commune, officer, village, settings):
    from hocvuso.registry.importing.jobs import (
        import_job_create,
        import_job_rejects,
        import_job_run,
    )
    from hocvuso.registry.models import ImportStatus
    from tests.factories import tables_containing

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = import_job_create(actor=officer, commune=commune, filename="list.csv", data=_csv(MIXED))
    numbers = ["002070123456", "002172000111", "002190000222"]
    assert tables_containing(numbers) == []  # the stored upload is sealed
    job = import_job_run(job_id=str(job.pk))
    assert job.status == ImportStatus.DONE
    assert (job.read, job.inserted, job.rejected) == (8, 3, 5)
    assert bytes(job.data) == b""
    assert tables_containing(numbers) == []  # people protected, rejects sealed
    # Ethnicity, sensitive data, written sealed by the COPY path too, read back plain.
    from django.db import connection

    from hocvuso.core.crypto import PREFIX

    with connection.cursor() as cursor:
        cursor.execute("SELECT ethnicity FROM registry_person")
        stored = [value for (value,) in cursor.fetchall()]
    assert len(stored) == 3
    assert all(v.startswith(PREFIX) for v in stored)
    assert sorted(Person.objects.values_list("ethnicity", flat=True)) == ["08", "08", "08"]
    rejects = import_job_rejects(actor=officer, job=job)
    by_row = {r["row"]: r for r in rejects}
    assert "002190000222" in by_row[8]["original"]  # the officer gets the row back to fix it


def _finished_job_with_rejects(commune, officer, settings):  # type: ignore[no-untyped-def]
    from hocvuso.registry.importing.jobs import import_job_create, import_job_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = import_job_create(actor=officer, commune=commune, filename="list.csv", data=_csv(MIXED))
    return import_job_run(job_id=str(job.pk))


def test_rejects_download_is_audited_and_whole_only_for_revealers(
    commune, officer, village, settings, monkeypatch
):
    from hocvuso.core.models import AuditLog
    from hocvuso.registry.importing import jobs

    job = _finished_job_with_rejects(commune, officer, settings)
    text = jobs.import_job_rejects_csv(actor=officer, job=job).decode("utf-8-sig")
    assert "002190000222" in text  # the officer may reveal: the row comes back to be fixed
    monkeypatch.setattr(jobs, "can_reveal_cccd", lambda actor, code: False)
    masked = jobs.import_job_rejects_csv(actor=officer, job=job).decode("utf-8-sig")
    assert "002190000222" not in masked
    assert "*********222" in masked
    assert "Sùng Mí Chứ" in masked  # the rest of the row stays
    rows = list(
        AuditLog.objects.filter(action="import.download_rejects", object_id=str(job.pk))
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert rows == [{"rows": 5, "full_cccd": True}, {"rows": 5, "full_cccd": False}]


def test_rejects_expire_after_30_days_and_the_purge_drops_them(
    commune, officer, village, settings, officer_client
):
    import datetime as dt

    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone

    from hocvuso.registry.importing.jobs import import_job_rejects
    from hocvuso.registry.models import ImportJob

    old = _finished_job_with_rejects(commune, officer, settings)
    recent = _finished_job_with_rejects(commune, officer, settings)
    ImportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=30, minutes=1)
    )
    old.refresh_from_db()
    assert import_job_rejects(actor=officer, job=old) == []  # gone for readers at once
    assert len(import_job_rejects(actor=officer, job=recent)) == 5
    page = officer_client.get(reverse("registry:import_job", args=[old.pk])).content.decode()
    assert "đã được xoá 30 ngày sau" in page
    call_command("purge_import_rejects")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert bytes(old.rejects_sealed) == b""
    assert bytes(recent.rejects_sealed) != b""
    from hocvuso.registry.importing.jobs import import_rejects_purge

    assert import_rejects_purge() == 0  # again: nothing more to do


def test_every_person_an_import_touches_has_an_audit_row_of_their_own(commune, officer, village):
    from hocvuso.core.models import AuditItem, AuditLog

    first = _import(commune, officer, _csv(MIXED))
    assert first.inserted == 3
    [summary] = AuditLog.objects.filter(action="registry.import")
    assert summary.actor_id == officer.pk
    created = AuditItem.objects.filter(action="person.import_create")
    people = set(Person.objects.values_list("pk", flat=True))
    assert {a.object_id for a in created} == people
    assert {(a.entry_id, tuple(a.fields)) for a in created} == {(summary.pk, ())}
    # Again with a corrected phone and another household for one person: one row, for them.
    moved = [list(r) for r in MIXED]
    moved[1][0] = "H9"  # Vàng Thị Mỷ to a household of her own
    moved[1][9] = "0987654321"
    _import(commune, officer, _csv(moved))
    [second] = AuditLog.objects.filter(action="registry.import").exclude(pk=summary.pk)
    [changed] = AuditItem.objects.filter(action="person.import_update")
    mỷ = Person.objects.get(full_name="Vàng Thị Mỷ")
    assert (changed.object_id, changed.entry_id) == (mỷ.pk, second.pk)
    assert changed.fields == ["household", "phone"]
    assert AuditItem.objects.filter(action="person.import_create").count() == 3
    # No value is held, and nothing about a person is written as a full audit row any more.
    assert "0987654321" not in str(list(AuditItem.objects.values_list("fields", flat=True)))
    assert not AuditLog.objects.filter(action__startswith="person.import").exists()


def test_an_imported_persons_trail_is_in_their_export_and_the_auditors_search(
    commune, officer, village, national_admin
):
    from hocvuso.privacy.selectors import audit_search
    from hocvuso.privacy.services import person_export

    _import(commune, officer, _csv(MIXED))
    moved = [list(r) for r in MIXED]
    moved[1][9] = "0987654321"
    _import(commune, officer, _csv(moved))
    mỷ = Person.objects.get(full_name="Vàng Thị Mỷ")
    imports = list(AuditLog.objects.filter(action="registry.import").order_by("id"))
    assert len(imports) == 2
    lines = person_export(actor=officer, person=mỷ, fmt="json")["audit"]
    by_import = [a for a in lines if a["action"].startswith("person.import")]
    assert [(a["action"], a["changes"], a["by"]) for a in by_import] == [
        ("person.import_create", {"entry": imports[0].pk, "fields": []}, str(officer)),
        ("person.import_update", {"entry": imports[1].pk, "fields": ["phone"]}, str(officer)),
    ]
    assert by_import[0]["action_label"] == "Người được thêm qua nhập danh sách"
    found = audit_search(actor=national_admin, object_id=str(mỷ.pk))
    assert {a.pk for a in found} >= {i.pk for i in imports}
    # Another person's search does not bring in an import that never touched them.
    assert not audit_search(actor=national_admin, object_id=str(uuid7())).exists()


def test_audit_items_are_append_only_on_postgresql(commune, officer, village):
    from django.db import ProgrammingError, connection, transaction

    from hocvuso.core.models import AuditItem

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (SQLite has no such guard)")
    _import(commune, officer, _csv(MIXED))
    before = sorted(AuditItem.objects.values_list("object_id", "entry_id", "action"))
    for change in (
        lambda: AuditItem.objects.update(action="person.import_update"),
        lambda: AuditItem.objects.all().delete(),
    ):
        with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
            change()
    assert sorted(AuditItem.objects.values_list("object_id", "entry_id", "action")) == before


def test_a_header_only_file_says_no_rows_and_imports_nothing(commune, officer, village):
    from hocvuso.core.errors import DomainError
    from hocvuso.core.models import AuditLog

    with pytest.raises(DomainError) as caught:
        _import(commune, officer, _csv([]))
    assert caught.value.code == "no_rows"
    assert not Person.objects.exists()
    assert not AuditLog.objects.filter(action="registry.import").exists()
