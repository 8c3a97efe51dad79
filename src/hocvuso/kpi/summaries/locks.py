"""Recounts and live writers of the summary tables kept apart, on PostgreSQL.

A live write (a visit, a skill event, an import…) adds its *deltas* to the summary rows in its
own transaction. A recount (``rebuild_summaries``, a commune's refresh, the daily roll forward)
*replaces* rows by counts read from the raw records. Under READ COMMITTED the two could
interleave: a writer that had already added its delta to a row, but not yet committed, is not
in the recount's snapshot; the recount then waits on that row's lock, and overwrites the
writer's delta with a count that lacks it: the write is lost from the figures until the next
recount. The whole-table rebuild, one transaction of about a minute at 10M persons, made that
window long.

So every live writer takes one shared transaction-level advisory lock before it touches a
summary row, and every recount of whole tables or of the year takes the same lock
exclusively before it reads: a recount waits for the writers in flight and then counts their
rows; writers arriving meanwhile wait until the recount has committed, then add their deltas
to its rows. Writers never wait for one another (the lock is shared). The shared lock costs no
statement of its own: it is taken in the query that reads the communes' stored years, which
every delta write runs first (:func:`stored_years`).

SQLite has one writer at a time (the database lock), so there is nothing to keep apart and no
lock is taken.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from hocvuso.kpi.models import CommuneSummary

# One key for the summary tables (pg_advisory_xact_lock takes a bigint): "hvs.kpi" in ASCII.
KEY = 0x6876_732E_6B70_69


def stored_years(codes: Sequence[str]) -> dict[str, int]:
    """The year each of ``codes``' commune rows was counted for (communes with no row are
    absent), taking the live writers' shared lock in the same statement on PostgreSQL."""
    if connection.vendor != "postgresql":
        return dict(
            CommuneSummary.objects.filter(commune_id__in=codes).values_list("commune_id", "year")
        )
    table = connection.ops.quote_name(CommuneSummary._meta.db_table)
    # The LEFT JOIN returns the lock's row even when no commune has a row yet, so the lock is
    # always taken (a function in a WHERE clause is evaluated only for the rows scanned).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.commune_id, s.year FROM "  # noqa: S608
            "(SELECT pg_advisory_xact_lock_shared(%s) AS held OFFSET 0) AS lock "
            f"LEFT JOIN {table} s ON s.commune_id = ANY(%s)",
            [KEY, list(codes)],
        )
        return {commune: year for commune, year in cursor.fetchall() if commune is not None}


def hold_shared() -> None:
    """A live writer that does not start with :func:`stored_years` (a commune's refresh)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [KEY])


def hold_exclusive() -> None:
    """A recount of whole tables: waits for the writers in flight; later ones wait for its
    commit. Inside the recount's transaction, before its first read."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [KEY])
