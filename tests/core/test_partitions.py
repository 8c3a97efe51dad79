"""Monthly partitions on PostgreSQL (``core.partitions``): the migrations made them, rows written
by the services land in their month's partition, the next months are made ahead (and rows the
default partition caught move into theirs), an old month is archived and restored whole, the
append-only rule and the foreign keys still hold, and the hot queries still use their indexes.
SQLite keeps plain tables (checked too)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from hocvuso.core import partitions
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.registry.models import Household
from hocvuso.teams.models import Visit
from tests.factories import build_commune, make_user

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only"
)
TABLES = ("core_auditlog", "learning_learningevent", "teams_visit")


def _where(table: str, pk: object) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _month(months: int) -> dt.date:
    m = timezone.localdate().replace(day=1)
    for _ in range(abs(months)):
        m = partitions.next_month(m) if months > 0 else (m - dt.timedelta(days=1)).replace(day=1)
    return m


def _visit(commune, officer):  # type: ignore[no-untyped-def]
    from hocvuso.teams.services import team_create, team_member_add, visit_record

    build_commune(commune, households=3, seed=41)
    household = Household.objects.filter(commune=commune).order_by("code").first()
    assert household is not None
    team = team_create(actor=officer, commune=commune, name="Tổ P", villages=[household.village])
    worker = make_user("to.p")
    team_member_add(actor=officer, team=team, user=worker)
    return visit_record(
        actor=worker, team=team, id=uuid7(), household=household,
        visited_at=timezone.now() - dt.timedelta(hours=1),
    )  # fmt: skip


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite run")
def test_sqlite_keeps_plain_tables():
    assert [t for t in TABLES if partitions.is_partitioned(t)] == []
    assert partitions.extend_all() == {}


@postgres_only
def test_the_tables_are_partitioned_by_month_with_the_next_months_made(commune, officer):
    this, ahead = _month(0), _month(partitions.AHEAD)
    for table in TABLES:
        assert partitions.is_partitioned(table), table
        made = set(partitions.partitions_of(table))
        assert f"{table}_default" in made
        assert partitions.partition_name(table, this) in made
        assert partitions.partition_name(table, ahead) in made
        assert partitions.partition_name(table, partitions.next_month(ahead)) not in made
    # Rows written by the services are in this month's partition.
    visit = _visit(commune, officer)
    assert _where("teams_visit", visit.pk) == partitions.partition_name("teams_visit", this)
    audit = AuditLog.objects.order_by("-id").first()
    assert audit is not None
    assert _where("core_auditlog", audit.pk) == partitions.partition_name("core_auditlog", this)
    # The foreign key pointing at the visits still holds (its key, the id, is the partition key).
    from hocvuso.teams.models import VisitPerson

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checked at once, not at commit
    person = visit.household.members.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitPerson.objects.create(visit_id=uuid7(), person=person)
    # The same visit id twice: refused by the primary key, across the whole table.
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            id=visit.pk, team=visit.team, household=visit.household,
            visited_at=visit.visited_at, visited_by=visit.visited_by,
        )  # fmt: skip


@postgres_only
def test_months_are_made_ahead_and_take_what_the_default_caught(commune, officer):
    far = _month(partitions.AHEAD + 2)
    at = timezone.make_aware(dt.datetime.combine(far.replace(day=10), dt.time(9)))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditlog (at, action, object_type, object_id, changes, request_id) "
            "VALUES (%s, 'test.far', 'x', '1', '{}', '') RETURNING id",
            [at],
        )
        pk = cursor.fetchone()[0]
    assert _where("core_auditlog", pk) == "core_auditlog_default"
    made = partitions.extend("core_auditlog", ahead=partitions.AHEAD + 2)
    assert made == [
        partitions.partition_name("core_auditlog", _month(partitions.AHEAD + 1)),
        partitions.partition_name("core_auditlog", far),
    ]
    assert _where("core_auditlog", pk) == partitions.partition_name("core_auditlog", far)
    assert AuditLog.objects.filter(pk=pk, action="test.far").count() == 1
    assert partitions.extend("core_auditlog", ahead=partitions.AHEAD + 2) == []  # once
    call_command("partitions", "ensure", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _checksum(table: str, where: str, params: list[object]) -> tuple[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY id", params)  # noqa: S608
        rows = cursor.fetchall()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


@postgres_only
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump (postgresql-client)")
@pytest.mark.django_db(transaction=True)  # pg_dump reads from its own connection
def test_an_old_month_is_archived_and_restored_whole(units, tmp_path: Path):
    old = _month(-6)
    at = timezone.make_aware(dt.datetime.combine(old.replace(day=3), dt.time(8)))
    with connection.cursor() as cursor:
        for i in range(5):
            cursor.execute(
                "INSERT INTO core_auditlog (at, action, object_type, object_id, changes, "
                "request_id) VALUES (%s, 'test.old', 'x', %s, '{\"n\": 1}', '')",
                [at + dt.timedelta(minutes=i), str(i)],
            )
    name = partitions.partition_name("core_auditlog", old)
    lo, hi = at - dt.timedelta(days=2), at + dt.timedelta(days=1)
    before = _checksum("core_auditlog", "at >= %s AND at < %s", [lo, hi])
    assert before[0] == 5
    others = AuditLog.objects.exclude(action="test.old").count()
    path = tmp_path / "audit.dump"
    rows = partitions.archive("core_auditlog", old, path)
    assert rows == 5
    assert path.stat().st_size > 0
    assert name not in partitions.partitions_of("core_auditlog")
    assert _checksum("core_auditlog", "at >= %s AND at < %s", [lo, hi])[0] == 0
    assert AuditLog.objects.exclude(action="test.old").count() == others  # nothing else went
    assert partitions.restore("core_auditlog", old, path) == 5
    assert name in partitions.partitions_of("core_auditlog")
    assert _checksum("core_auditlog", "at >= %s AND at < %s", [lo, hi]) == before
    # Still append-only, restored rows too (the trigger is the parent's).
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(action="test.old").delete()


def _plan(sql: str, params: list[object]) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # The tables of a test are tiny: the planner would read them whole. Without sequential
        # scans it shows which index serves the query (and fails if none can).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


@postgres_only
def test_the_hot_queries_still_use_their_indexes(commune, officer):
    visit = _visit(commune, officer)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
    now = timezone.now()
    this = partitions.partition_name("core_auditlog", _month(0))
    # An object's audit trail (the privacy pages): its index, in every partition.
    plan = _plan(
        "SELECT * FROM core_auditlog WHERE object_type = %s AND object_id = %s ORDER BY id DESC",
        ["teams.visit", str(visit.pk)],
    )
    # (Each partition's copy of the parent's index is named after its columns.)
    assert "object_type_object_id_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
    # A time window: only its month's partition is read (pruning), through the time index.
    plan = _plan(
        "SELECT count(*) FROM core_auditlog WHERE at >= %s AND at < %s",
        [now - dt.timedelta(minutes=5), now],
    )
    assert this in plan, plan
    assert "core_auditlog_default" not in plan, plan
    assert partitions.partition_name("core_auditlog", _month(1)) not in plan, plan
    assert "Seq Scan" not in plan, plan
    # A household's visits (the coverage and history pages), and a visit by its id.
    plan = _plan(
        "SELECT * FROM teams_visit WHERE household_id = %s ORDER BY visited_at",
        [visit.household_id],
    )
    assert "household_id_visited_at_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
    plan = _plan("SELECT * FROM teams_visit WHERE id = %s", [visit.pk])
    assert "Seq Scan" not in plan, plan
    # Pruned to one partition by the id's month.
    assert plan.count("Index Scan") + plan.count("Index Only Scan") == 1, plan
    # An enrolment's learning events.
    plan = _plan(
        "SELECT * FROM learning_learningevent WHERE enrollment_id = %s ORDER BY at",
        [uuid7()],
    )
    assert "enrollment_id_at_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
