"""Dashboard benchmark: summary rebuild, dashboard reads and status refresh at national scale.

    python bench/dashboard_bench.py [--persons 1000000 10000000] [--db postgres|sqlite|both]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--repeat 50]
        [--events 10000]

Default: PostgreSQL at 1M and 10M persons, SQLite at 1M (``--persons`` given: those sizes on
every database chosen). For each database and size, in a child process of its own:

1. a fresh database (PostgreSQL: ``hocvuso_dash_bench_<pid>_<time>``, a name of the run's own,
   created and dropped by the script; SQLite: a temporary file), ``migrate``, ``load_units``
   (34 provinces, 3,321 communes);
2. a synthetic national population written with set-based SQL (``INSERT … SELECT`` over
   ``generate_series`` on PostgreSQL, over a numbers table on SQLite), not through the services:
   villages, households (~3.6 persons each), persons spread unevenly over every commune (commune
   sizes drawn from a log-normal with a fixed seed), status rows, one team per commune, visits of
   30 % of the households and the people at home;
3. ``kpi.summaries.rebuild()`` (timed), twelve months of trend history, then
   ``summaries.check()`` (timed; runs at sizes up to ``--check-max``, must be empty);
4. the national, province (largest) and commune (largest) dashboards, ``--repeat`` times each
   after 3 warm-ups, as a national admin logged in with ``django.test.Client`` (p50/p95 of the
   whole request; ``dashboards.build`` when the pages are not wired yet — the output says which);
5. the refresh cost: ``skill_events_record_batch`` of ``--events`` events for random people
   across the country, and the share of it spent in ``summaries.status_changed``;
6. the same national figures counted at request time by scanning people
   (``recount_people`` + ``recount_households`` over every commune), against p95 of the page.

It prints a table with the targets beside the figures (never failing on them) and ends with one
line of JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import hashlib
import importlib.util
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse, urlunparse

# A name of this run's own (several people bench on one server): created and dropped by it.
PG_DB = f"hocvuso_dash_bench_{os.getpid()}_{int(time.time())}"
SEED = 20250701
LEVELS = ("national", "province", "commune")
TARGET_P95_MS = 50.0
TARGET_SCALE_RATIO = 1.5
TARGET_REFRESH_S = 1.0

# The kinds in the synthetic UUIDs (first 8 hex digits): ids are monotonic per table, like v7.
K_VILLAGE, K_HOUSEHOLD, K_PERSON, K_VISIT, K_TEAM = 1, 2, 3, 4, 5
# A realistic width for the sealed CCCD of adults (the scan comparison reads whole rows).
CIPHER_FILLER = "gAAAAA" + "x" * 114
# Ethnicity is sealed at rest: one value sealed with the run's key (build_population), so that
# the paths that open it (the skill-event refresh reads whole persons) can.
VILLAGES_MAX = 27  # per commune, as at national scale (~90,000 villages / 3,321 communes)
PEOPLE_PER_VILLAGE = 300
PEOPLE_PER_HOUSEHOLD = 3.6
VISITED_PERCENT = 30


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def timed(label: str, into: dict[str, float] | None = None) -> Iterator[None]:
    t0 = time.perf_counter()
    yield
    s = time.perf_counter() - t0
    if into is not None:
        into[label] = round(s, 2)
    log(f"{label}: {s:.1f} s")


# --- Synthetic population, set-based -----------------------------------------------------------


def splitmix(k: int, salt: int) -> int:
    """SQLite's stand-in for PostgreSQL's hashint8extended: a 63-bit hash of (k, salt)."""
    m = (1 << 64) - 1
    z = (k * 0x9E3779B97F4A7C15 + (salt + 1) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return (z ^ (z >> 31)) >> 1


def synthetic_id(kind: int, k: int) -> uuid.UUID:
    return uuid.UUID(f"{kind:08x}000070008000{k:012x}")


class Dialect:
    """The few SQL pieces that differ between PostgreSQL and SQLite."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def h(self, expr: str, salt: int) -> str:
        """A non-negative pseudo-random integer of ``expr`` (deterministic, seedless)."""
        if self.pg:
            return f"(hashint8extended(({expr})::bigint, {salt}) & 9223372036854775807)"
        return f"bh({expr}, {salt})"

    def uid(self, kind: int, expr: str) -> str:
        if self.pg:
            return (
                f"(lpad(to_hex({kind}), 8, '0') || '-0000-7000-8000-' || "
                f"lpad(to_hex(({expr})::bigint), 12, '0'))::uuid"
            )
        return f"printf('%%08x000070008000%%012x', {kind}, {expr})"

    def series(self, column: str) -> str:
        """Rows ``g.i`` = 0 … ``p.<column>`` - 1 for each commune ``p`` of the plan."""
        if self.pg:
            return f"bench_plan p CROSS JOIN LATERAL generate_series(0, p.{column} - 1) AS g(i)"
        return f"bench_plan p JOIN bench_nums g ON g.i < p.{column}"

    def date(self, y: str, m: str, d: str) -> str:
        if self.pg:
            return f"make_date(({y})::int, ({m})::int, ({d})::int)"
        return f"printf('%%04d-%%02d-%%02d', {y}, {m}, {d})"

    @property
    def json_empty(self) -> str:
        return "'[]'::jsonb" if self.pg else "'[]'"


def commune_plan(persons: int, communes: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """People, households and villages per commune: skewed sizes (log-normal communes inside
    log-normal provinces), a fixed seed."""
    rng = random.Random(SEED)
    provinces = sorted({p for _c, p in communes})
    pweight = {p: rng.lognormvariate(0, 0.5) for p in provinces}
    weights = [pweight[p] * rng.lognormvariate(0, 0.8) for _c, p in communes]
    total = sum(weights)
    floor_share = min(5, persons // len(communes))
    spare = persons - floor_share * len(communes)
    raw = [spare * w / total for w in weights]
    counts = [floor_share + int(r) for r in raw]
    short = persons - sum(counts)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)[:short]:
        counts[i] += 1
    plan = []
    p_off = h_off = v_off = 0
    for idx, ((code, province), n) in enumerate(zip(communes, counts, strict=True)):
        households = max(1, round(n / PEOPLE_PER_HOUSEHOLD)) if n else 0
        villages = min(VILLAGES_MAX, max(3, round(n / PEOPLE_PER_VILLAGE)))
        plan.append(
            {
                "idx": idx + 1,
                "code": code,
                "province": province,
                "persons": n,
                "households": households,
                "villages": villages,
                "p_off": p_off + 1,
                "h_off": h_off + 1,
                "v_off": v_off + 1,
                "remote": rng.random() < 0.2,
            }
        )
        p_off, h_off, v_off = p_off + n, h_off + households, v_off + villages
    return plan


def execute(sql: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if params:
            cursor.execute(sql, params)
        else:
            cursor.execute(sql.replace("%%", "%"))
        return cursor.rowcount


def build_population(persons: int, timings: dict[str, float]) -> dict[str, Any]:
    """Write the population with INSERT … SELECT; returns the plan and the counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from hocvuso.geo.models import Commune

    d = Dialect(connection.vendor)
    from hocvuso.core.crypto import seal
    from hocvuso.registry.ethnicity import ETHNIC_GROUPS

    sealed_ethnicity = seal("ethnicity", ETHNIC_GROUPS[0][0])
    communes = list(Commune.objects.order_by("code").values_list("code", "province_id"))
    plan = commune_plan(persons, communes)
    remote = [p["code"] for p in plan if p["remote"]]
    Commune.objects.filter(code__in=remote).update(is_remote=True)
    Commune.objects.filter(code__in=remote[::2]).update(is_ethnic_minority=True)
    visitor = get_user_model().objects.create_user(
        username="bench.visitor", password=None, display_name="Bench visitor"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    last_event = connection.ops.adapt_datefield_value(dt.date(2025, 6, 1))

    if d.pg:
        execute("SET synchronous_commit = off")
        # The rows are consistent by construction: no per-row foreign-key triggers while loading.
        execute("SET session_replication_role = replica")
        execute("SET maintenance_work_mem = '512MB'")
    else:
        connection.ensure_connection()
        connection.connection.create_function("bh", 2, splitmix, deterministic=True)
        execute("PRAGMA foreign_keys = OFF")

    int_type = "bigint" if d.pg else "integer"
    bool_type = "boolean" if d.pg else "integer"
    execute("DROP TABLE IF EXISTS bench_plan")
    execute(
        f"CREATE TABLE bench_plan (idx {int_type} PRIMARY KEY, code varchar(5), "
        f"persons {int_type}, households {int_type}, villages {int_type}, p_off {int_type}, "
        f"h_off {int_type}, v_off {int_type}, remote {bool_type})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_plan VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    p["idx"],
                    p["code"],
                    p["persons"],
                    p["households"],
                    p["villages"],
                    p["p_off"],
                    p["h_off"],
                    p["v_off"],
                    p["remote"],
                )
                for p in plan
            ],
        )
    if not d.pg:
        biggest = max(p["persons"] for p in plan)
        execute("DROP TABLE IF EXISTS bench_nums")
        execute("CREATE TABLE bench_nums (i INTEGER PRIMARY KEY)")
        execute(
            "INSERT INTO bench_nums (i) WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL "
            "SELECT i + 1 FROM n WHERE i + 1 < %s) SELECT i FROM n",
            [biggest],
        )

    h = d.h
    # One row per person: its global number k, household number hk, year of birth, occupation.
    k = "(p.p_off + g.i)"
    person_source = f"""
        SELECT s.code, s.k, s.hk, s.byear,
          CASE WHEN s.r_occ < 10 THEN 'trader' WHEN s.r_occ < 20 THEN 'farmer'
               WHEN s.byear >= 2008 THEN 'student' WHEN s.byear < 1966 THEN 'retired'
               WHEN s.r_occ < 50 THEN 'worker' WHEN s.r_occ < 60 THEN 'official'
               WHEN s.r_occ < 70 THEN 'homemaker' WHEN s.r_occ < 80 THEN '' ELSE 'other'
          END AS occ
        FROM (
          SELECT p.code AS code, {k} AS k,
                 p.h_off + (g.i * p.households) / p.persons AS hk,
                 CASE WHEN {h(k, 2)} %% 200 = 0 THEN NULL ELSE 1930 + {h(k, 1)} %% 96 END
                   AS byear,
                 {h(k, 4)} %% 100 AS r_occ
          FROM {d.series("persons")}
        ) s
    """
    counts: dict[str, Any] = {}
    with transaction.atomic():
        with timed("villages", timings):
            counts["villages"] = execute(
                f"""INSERT INTO geo_village (id, created_at, updated_at, name, kind, is_remote,
                      is_ethnic_minority, search_key, commune_id)
                    SELECT {d.uid(K_VILLAGE, "p.v_off + g.i")}, %s, %s, 'Thôn ' || (g.i + 1),
                      'thon', p.remote, p.remote, 'thon ' || (g.i + 1), p.code
                    FROM {d.series("villages")}""",
                [now, now],
            )
        with timed("households", timings):
            hk = "(p.h_off + g.i)"
            counts["households"] = execute(
                f"""INSERT INTO registry_household (id, created_at, updated_at, code, address,
                      search_key, commune_id, village_id, head_id)
                    SELECT {d.uid(K_HOUSEHOLD, hk)}, %s, %s, 'HK-' || g.i, '', 'hk-' || g.i,
                      p.code,
                      CASE WHEN {h(hk, 15)} %% 100 = 0 THEN NULL
                           ELSE {d.uid(K_VILLAGE, "p.v_off + g.i %% p.villages")} END,
                      NULL
                    FROM {d.series("households")}""",
                [now, now],
            )
        with timed("persons", timings):
            birth_date = d.date("t.byear", f"1 + {h('t.k', 5)} %% 12", f"1 + {h('t.k', 6)} %% 28")
            counts["persons"] = execute(
                f"""INSERT INTO registry_person (id, created_at, updated_at, full_name,
                      search_key, birth_date, birth_year, sex, ethnicity, cccd_hash,
                      cccd_ciphertext, cccd_last3, phone, occupation, relationship,
                      special_needs, commune_id, household_id, erased_at)
                    SELECT {d.uid(K_PERSON, "t.k")}, %s, %s, 'Người ' || t.k, 'nguoi ' || t.k,
                      CASE WHEN t.byear IS NOT NULL AND {h("t.k", 3)} %% 10 < 3
                           THEN {birth_date} END,
                      t.byear, CASE WHEN {h("t.k", 7)} %% 2 = 0 THEN 'M' ELSE 'F' END,
                      '{sealed_ethnicity}', NULL,
                      CASE WHEN t.byear <= 2011 THEN '{CIPHER_FILLER}' ELSE '' END,
                      CASE WHEN t.byear <= 2011 THEN '123' ELSE '' END,
                      '', t.occ, '', '', t.code, {d.uid(K_HOUSEHOLD, "t.hk")}, NULL
                    FROM ({person_source}) t""",
                [now, now],
            )
        with timed("status rows", timings):
            # Aged 15+ this year: 60 % VNeID level 2 (10 % level 1), 40 % bank, 25 % the basic
            # set (a subset of level 2, as the set includes it); half the traders/farmers hold
            # some of the 4T.
            counts["status_rows"] = execute(
                f"""INSERT INTO skills_personskillstatus (person_id, skills, basic_complete,
                      vneid_level, has_bank_account, t4, t4_mask, last_event_on, updated_at)
                    SELECT {d.uid(K_PERSON, "u.k")}, {d.json_empty}, u.rv < 25,
                      CASE WHEN u.rv < 60 THEN 2 WHEN u.rv < 70 THEN 1 ELSE 0 END, u.rb < 40,
                      {d.json_empty}, u.mask, %s, %s
                    FROM (
                      SELECT t.k,
                        CASE WHEN t.byear <= 2010 THEN {h("t.k", 8)} %% 100 ELSE 100 END AS rv,
                        CASE WHEN t.byear <= 2010 THEN {h("t.k", 9)} %% 100 ELSE 100 END AS rb,
                        CASE WHEN t.occ IN ('trader', 'farmer') AND {h("t.k", 10)} %% 100 < 50
                             THEN {h("t.k", 11)} %% 16 ELSE 0 END AS mask
                      FROM ({person_source}) t
                    ) u
                    WHERE u.rv < 70 OR u.rb < 40 OR u.mask > 0""",
                [last_event, now],
            )
        with timed("teams and visits", timings):
            execute(
                f"""INSERT INTO teams_team (id, created_at, updated_at, name, commune_id,
                      created_by_id)
                    SELECT {d.uid(K_TEAM, "p.idx")}, %s, %s, 'Tổ công nghệ số ' || p.code,
                      p.code, NULL
                    FROM bench_plan p""",
                [now, now],
            )
            hk = "(p.h_off + g.i)"
            counts["visits"] = execute(
                f"""INSERT INTO teams_visit (id, created_at, updated_at, visited_at, issues,
                      issues_note, follow_up_on, note, household_id, team_id, visited_by_id)
                    SELECT {d.uid(K_VISIT, hk)}, %s, %s, %s, {d.json_empty}, '', NULL, '',
                      {d.uid(K_HOUSEHOLD, hk)}, {d.uid(K_TEAM, "p.idx")}, %s
                    FROM {d.series("households")}
                    WHERE {h(hk, 12)} %% 100 < {VISITED_PERCENT}""",
                [now, now, now, visitor.pk],
            )
            counts["visit_persons"] = execute(
                f"""INSERT INTO teams_visitperson (guided, gained, was_guided, person_id,
                      visit_id)
                    SELECT {d.json_empty}, {d.json_empty}, {h("t.k", 13)} %% 100 < 70,
                      {d.uid(K_PERSON, "t.k")}, {d.uid(K_VISIT, "t.hk")}
                    FROM ({person_source}) t
                    WHERE {h("t.hk", 12)} %% 100 < {VISITED_PERCENT}
                      AND {h("t.k", 14)} %% 100 < 60"""
            )
    if d.pg:
        execute("SET session_replication_role = DEFAULT")
    else:
        execute("PRAGMA foreign_keys = ON")
        execute("DROP TABLE bench_nums")
    execute("DROP TABLE bench_plan")
    with timed("household facts", timings):
        # What each household's lists filter and sort on (derived: kpi.summaries.households),
        # counted for the rows just written, in one statement.
        from hocvuso.kpi.summaries import recount_facts
        from hocvuso.registry.models import Household

        counts["household_facts"] = recount_facts(
            Household.all_objects.all(), year=timezone.localdate().year
        )
    with timed("vacuum analyze", timings):
        if d.pg:
            for table in (
                "geo_village",
                "registry_household",
                "registry_person",
                "skills_personskillstatus",
                "teams_visit",
                "teams_visitperson",
            ):
                execute(f"VACUUM ANALYZE {table}")
        else:
            execute("ANALYZE")
    counts["plan"] = plan
    return counts


def month_history(months: int = 12) -> None:
    """The month rows of the previous ``months`` - 1 months, as a growing movement would have
    left them (the current month scaled down), so that the trend reads a year of rows."""
    from django.db import connection
    from django.utils import timezone

    from hocvuso.kpi import summaries
    from hocvuso.kpi.measures import COMMUNE_COLUMNS

    day = summaries.month_of(timezone.localdate())
    cols = ", ".join(COMMUNE_COLUMNS)
    closed = []
    for back in range(1, months):
        month = day
        for _ in range(back):
            month = (month - dt.timedelta(days=1)).replace(day=1)
        closed.append(month)
        scaled = ", ".join(f"{c} * {months - back} / {months}" for c in COMMUNE_COLUMNS)
        execute(
            f"INSERT INTO kpi_monthsummary (commune_id, province_id, month, {cols}) "
            f"SELECT commune_id, province_id, %s, {scaled} FROM kpi_communesummary",
            [connection.ops.adapt_datefield_value(month)],
        )
    # The closed months added up per province, where the summaries keep such rows.
    close_months = getattr(summaries, "close_months", None)
    if close_months is not None:
        close_months(sorted(closed))


# --- Measuring ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def settle() -> float:
    """Let the database go quiet before timing reads: a checkpoint (the bulk load's dirty pages
    written out) and no autovacuum worker left on the database (at most two minutes)."""
    from django.db import connection

    t0 = time.perf_counter()
    if connection.vendor == "postgresql":
        execute("CHECKPOINT")
        for _ in range(120):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'autovacuum worker'"
                )
                if not cursor.fetchone()[0]:
                    break
            time.sleep(1)
    else:
        execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s = time.perf_counter() - t0
    log(f"settled in {s:.1f} s")
    return s


def timings_ms(fn: Callable[[], Any], repeat: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    gc.collect()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {
        "p50_ms": round(percentile(samples, 0.50), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "max_ms": round(max(samples), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
    }


def national_admin() -> Any:
    from django.contrib.auth import get_user_model

    from hocvuso.accounts.models import Role
    from hocvuso.core.actors import SYSTEM
    from hocvuso.roles.services import role_grant

    user = get_user_model().objects.create_user(
        username="bench.quantri", password=None, display_name="Bench national admin"
    )
    role_grant(actor=SYSTEM, user=user, role=Role.NATIONAL_ADMIN)
    return user


def logged_in_client(user: Any) -> tuple[Any, str]:
    """A test client logged in as ``user`` with a passed second factor (a confirmed TOTP
    device in the session, as after the code step); returns (client, how)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from hocvuso.accounts.models import Authenticator, new_authenticator_key

    client = Client()
    client.force_login(user)
    device = Authenticator.objects.create(
        user=user, name="bench", confirmed=True, key=new_authenticator_key()
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, "2fa-verified session"


def page_urls(codes: dict[str, str]) -> dict[str, str] | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return {
            "national": reverse("kpi:national"),
            "province": reverse("kpi:province", args=[codes["province"]]),
            "commune": reverse("kpi:commune", args=[codes["commune"]]),
        }
    except NoReverseMatch:
        return None


def api_urls(codes: dict[str, str]) -> dict[str, str] | None:
    """The JSON API of the dashboards (``/api/v1/dashboards/…``), if wired."""
    from django.urls import NoReverseMatch, reverse

    try:
        return {
            "national": reverse("api:kpi_national"),
            "province": reverse("api:kpi_province", args=[codes["province"]]),
            "commune": reverse("api:kpi_commune", args=[codes["commune"]]),
        }
    except NoReverseMatch:
        pass
    try:
        return {
            "national": reverse("api:kpi_dashboard", args=["national"]),
            "province": reverse("api:kpi_dashboard", args=["province", codes["province"]]),
            "commune": reverse("api:kpi_dashboard", args=["commune", codes["commune"]]),
        }
    except NoReverseMatch:
        return None


def measure_dashboards(codes: dict[str, str], repeat: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hocvuso.kpi import dashboards

    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = national_admin()
    out: dict[str, Any] = {"build": {}, "page": {}, "api": {}, "settle_s": settle()}
    # The machine's load when the timing starts: anything else running skews the percentiles.
    out["loadavg_1m"] = round(os.getloadavg()[0], 2)
    for level in LEVELS:
        code = codes.get(level, "")

        def build(level: str = level, code: str = code) -> Any:
            return dashboards.build(actor=user, level=level, code=code)

        out["build"][level] = timings_ms(build, repeat)
        with CaptureQueriesContext(connection) as ctx:
            build()
        out["build"][level]["queries"] = len(ctx.captured_queries)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        out["build"][level]["slowest_query_ms"] = round(float(slowest["time"]) * 1000, 2)
        log(f"build {level}: {out['build'][level]}")
    urls = page_urls(codes)
    out["measured"] = "page" if urls else "build"
    if urls:
        client, how = logged_in_client(user)
        out["login"] = how
        for level, url in urls.items():
            first = client.get(url)
            if first.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {first.status_code} {first.get('Location', '')}")
            out["page"][level] = timings_ms(lambda url=url: client.get(url), repeat)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            out["page"][level]["queries"] = len(ctx.captured_queries)
            out["page"][level]["bytes"] = len(first.content)
            log(f"page {level} {url}: {out['page'][level]}")
        api = api_urls(codes)
        if api:
            for level, url in api.items():
                first = client.get(url)
                if first.status_code != 200:
                    log(f"api {url}: HTTP {first.status_code}; not timed")
                    continue
                out["api"][level] = timings_ms(lambda url=url: client.get(url), repeat)
                log(f"api {level} {url}: {out['api'][level]}")
    out["levels"] = out[out["measured"]]
    return out


def backfill_events(statuses: dict[uuid.UUID, Any], sets: Any) -> int:
    """Events behind the synthetic status rows of the sampled people (the bulk load wrote
    status rows only), so that recomputing their status from events keeps their flags."""
    from hocvuso.skills import facts
    from hocvuso.skills.models import Channel, Skill, SkillEvent

    skill_ids = dict(Skill.objects.values_list("code", "pk"))
    basic = sets.of(facts.BASIC_SET, None)
    events = []
    day = dt.date(2025, 6, 1)
    for pid, st in statuses.items():
        codes: set[str] = set()
        if st.vneid_level >= 2:
            codes.add(facts.VNEID_LEVEL2)
        elif st.vneid_level == 1:
            codes.add(facts.VNEID_INSTALLED)
        if st.has_bank_account:
            codes.add(facts.BANK_ACCOUNT)
        if st.basic_complete:
            codes.update(basic)
        codes.update(c for i, c in enumerate(facts.T4_CODES) if st.t4_mask & (1 << i))
        events.extend(
            SkillEvent(
                person_id=pid, skill_id=skill_ids[c], happened_on=day, channel=Channel.HOME_VISIT
            )
            for c in sorted(codes)
        )
    SkillEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


def measure_refresh(persons: int, n_events: int) -> dict[str, Any]:
    """``skill_events_record_batch`` of ``n_events`` events for random people country-wide."""
    from django.db import connection, transaction
    from django.db.models.query import QuerySet
    from django.utils import timezone

    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.ids import uuid7
    from hocvuso.kpi import summaries
    from hocvuso.registry.models import Person
    from hocvuso.skills import facts, services, status
    from hocvuso.skills.models import Channel, PersonSkillStatus, Skill

    rng = random.Random(SEED + 1)
    ks = rng.sample(range(1, persons + 1), min(n_events, persons))
    ids = [synthetic_id(K_PERSON, k) for k in ks]
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    assert len(people) == len(ids), (len(people), len(ids))
    statuses = {s.person_id: s for s in PersonSkillStatus.objects.filter(person_id__in=ids)}
    sets = facts.skill_sets()
    spent = {"s": 0.0, "calls": 0, "changes": 0}
    statements: dict[str, list[float]] = {}  # statement → [count, seconds, parameters]
    original = summaries.status_changed

    def per_statement(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            found = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)', sql)
            key = f"{sql.split()[0]} {found.group(1) if found else '?'}"
            row = statements.setdefault(key, [0, 0.0, 0])
            row[0] += 1
            row[1] += time.perf_counter() - t0
            row[2] += len(params or ())

    def shim(changes: Any, **kw: Any) -> None:
        t0 = time.perf_counter()
        try:
            with connection.execute_wrapper(per_statement):
                original(changes, **kw)
        finally:
            spent["s"] += time.perf_counter() - t0
            spent["calls"] += 1
            spent["changes"] += sum(1 for _p, old, new in changes if old != new)

    summaries.status_changed = shim  # services.py calls summaries.status_changed
    try:
        with timed("backfill events of the sample"):
            backfilled = backfill_events(statuses, sets)
            with transaction.atomic():
                status.status_refresh(sorted(statuses), sets=sets)
        assert spent["changes"] == 0, f"backfill changed {spent['changes']} flags"
        spent.update(s=0.0, calls=0, changes=0)
        statements.clear()

        skills = {s.code: s for s in Skill.objects.all()}
        basic = sets.of(facts.BASIC_SET, None)
        other = next(c for c in skills if c not in basic and c not in facts.T4_CODES)
        today = timezone.localdate()
        inputs = []
        kinds: dict[str, int] = {}
        for pid in ids:
            st = statuses.get(pid)
            person = people[pid]
            level = st.vneid_level if st else 0
            mask = st.t4_mask if st else 0
            if level < 2:
                code = facts.VNEID_LEVEL2
            elif not (st and st.has_bank_account):
                code = facts.BANK_ACCOUNT
            elif person.occupation in facts.T4_OCCUPATIONS and mask != 15:
                code = next(c for i, c in enumerate(facts.T4_CODES) if not mask & (1 << i))
            elif not (st and st.basic_complete):
                code = next(c for c in basic if c != facts.VNEID_LEVEL2)
            else:
                code = other
            kinds[code] = kinds.get(code, 0) + 1
            inputs.append(
                services.EventInput(
                    id=uuid7(),
                    person=person,
                    skill=skills[code],
                    happened_on=today,
                    channel=Channel.HOME_VISIT,
                )
            )
        # The status rows' own write (skills.services), timed apart: not the summaries' cost.
        # Through hocvuso.core.bulk.bulk_update when services uses it, else Django's.
        status_write = {"s": 0.0, "rows": 0, "depth": 0}
        own = getattr(services, "bulk_update", None)
        django_bulk_update = QuerySet.bulk_update

        def clocked(fn: Callable[..., Any], model_of: Callable[..., Any]) -> Callable[..., Any]:
            def run(*a: Any, **kw: Any) -> Any:
                t0 = time.perf_counter()
                status_write["depth"] += 1
                try:
                    return fn(*a, **kw)
                finally:
                    status_write["depth"] -= 1
                    if model_of(*a) is PersonSkillStatus and not status_write["depth"]:
                        status_write["s"] += time.perf_counter() - t0
                        status_write["rows"] += len(a[1])

            return run

        QuerySet.bulk_update = clocked(  # type: ignore[method-assign]
            django_bulk_update, lambda qs, *_: qs.model
        )
        if own is not None:
            services.bulk_update = clocked(own, lambda model, *_: model)  # type: ignore[attr-defined]
        try:
            t0 = time.perf_counter()
            services.skill_events_record_batch(actor=SYSTEM, events=inputs)
            batch_s = time.perf_counter() - t0
        finally:
            QuerySet.bulk_update = django_bulk_update  # type: ignore[method-assign]
            if own is not None:
                services.bulk_update = own  # type: ignore[attr-defined]
    finally:
        summaries.status_changed = original
    communes = len({p.commune_id for p in people.values()})
    out = {
        "events": len(inputs),
        "communes": communes,
        "skills": kinds,
        "backfilled_events": backfilled,
        "batch_s": round(batch_s, 3),
        "summary_s": round(spent["s"], 3),
        "summary_share": round(spent["s"] / batch_s, 3),
        "events_per_s": round(len(inputs) / batch_s),
        "flag_changes": spent["changes"],
        "status_bulk_update_s": round(status_write["s"], 3),
        "status_bulk_update_rows": status_write["rows"],
        "summary_statements": {
            k: {"n": int(n), "ms": round(t * 1000, 1), "params": int(pc)}
            for k, (n, t, pc) in sorted(statements.items(), key=lambda kv: -kv[1][1])
        },
    }
    log(f"refresh: {out}")
    return out


def run_check(label: str) -> dict[str, Any]:
    from hocvuso.kpi import summaries

    t0 = time.perf_counter()
    diffs = summaries.check()
    s = time.perf_counter() - t0
    log(f"check ({label}): {len(diffs)} differences in {s:.1f} s")
    for d in diffs[:10]:
        log(f"  {d}")
    return {"s": round(s, 2), "differences": len(diffs), "first": [str(d) for d in diffs[:5]]}


def db_size() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    name = settings.DATABASES["default"]["NAME"]
    return sum(os.path.getsize(f) for f in (name, f"{name}-wal") if os.path.exists(f))


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from hocvuso.kpi import summaries
    from hocvuso.kpi.models import CohortSummary, CommuneSummary, MonthSummary

    persons = args.persons[0]
    result: dict[str, Any] = {"database": connection.vendor, "persons": persons}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        if connection.vendor == "postgresql":
            result["server"] = cursor.fetchone()[0].split(" on ")[0]
        else:
            import sqlite3

            result["server"] = f"SQLite {sqlite3.sqlite_version}"
    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    build_t: dict[str, float] = {}
    t0 = time.perf_counter()
    counts = build_population(persons, build_t)
    result["build_s"] = round(time.perf_counter() - t0, 2)
    result["build_steps_s"] = build_t
    plan = counts.pop("plan")
    result["counts"] = counts
    log(f"population built in {result['build_s']} s: {counts}")

    def progress(done: int, total: int, _last: str = "") -> None:
        if done % 500 == 0 or done == total:
            log(f"rebuild: {done}/{total} communes")

    t0 = time.perf_counter()
    summaries.rebuild(progress=progress)
    result["rebuild_s"] = round(time.perf_counter() - t0, 2)
    log(f"rebuild: {result['rebuild_s']} s")
    month_history()
    # A steady state: the planner knows the summary tables (autovacuum would, within minutes).
    if connection.vendor == "postgresql":
        for table in ("cohort", "village", "commune", "month"):
            execute(f"VACUUM ANALYZE kpi_{table}summary")
    else:
        execute("ANALYZE")
    result["summary_rows"] = {
        "cohort": CohortSummary.objects.count(),
        "commune": CommuneSummary.objects.count(),
        "month": MonthSummary.objects.count(),
    }
    stored = CommuneSummary.objects.aggregate(p=Sum("persons"), h=Sum("households"))
    assert stored["p"] == persons, stored
    assert stored["h"] == counts["households"], stored
    result["check"] = run_check("after rebuild") if persons <= args.check_max else None

    by_province: dict[str, int] = {}
    for p in plan:
        by_province[p["province"]] = by_province.get(p["province"], 0) + p["persons"]
    province = max(by_province, key=lambda c: by_province[c])
    commune = max(plan, key=lambda p: p["persons"])
    codes = {"national": "", "province": province, "commune": commune["code"]}
    result["units"] = {
        "province": [province, by_province[province]],
        "commune": [commune["code"], commune["persons"], commune["villages"]],
    }
    result["dashboards"] = measure_dashboards(codes, args.repeat)

    result["refresh"] = measure_refresh(persons, args.events)
    result["check_after_refresh"] = (
        run_check("after refresh") if persons <= args.check_max else None
    )

    # What an import of the largest commune adds: its summary rows recounted (summaries.refresh).
    touches = []
    for _ in range(3):
        t0 = time.perf_counter()
        summaries.refresh([commune["code"]])
        touches.append(time.perf_counter() - t0)
    result["touch_largest_commune_s"] = round(statistics.median(touches), 3)
    log(f"refresh of the largest commune: {result['touch_largest_commune_s']} s")

    all_codes = [p["code"] for p in plan]
    scans = []
    for _ in range(args.scan_repeat):
        t0 = time.perf_counter()
        cohorts = summaries.recount_people(all_codes)
        villages = summaries.recount_households(all_codes)
        scans.append(time.perf_counter() - t0)
        log(f"scan: {scans[-1]:.1f} s ({len(cohorts)} cohorts, {len(villages)} villages)")
    scanned = sum(v[0] for v in cohorts.values())
    assert scanned == persons, (scanned, persons)
    result["scan_s"] = round(min(scans), 2)
    result["scan_all_s"] = [round(s, 2) for s in scans]
    national_p95 = result["dashboards"]["levels"]["national"]["p95_ms"]
    result["scan_over_national_p95"] = round(result["scan_s"] * 1000 / national_p95, 1)
    result["db_bytes"] = db_size()
    return result


# --- The parent: one child per database and size, the table, the JSON --------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if "model name" in line), "")
    mem = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        kb = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "memory": mem,
        "python": platform.python_version(),
    }


def code_state() -> dict[str, Any]:
    """Which hocvuso the children import (PYTHONPATH may point at a snapshot of the sources),
    its commit and a digest of its uncommitted changes, to tell runs apart."""
    spec = importlib.util.find_spec("hocvuso")
    if spec is None or not spec.origin:
        return {}
    src = os.path.dirname(os.path.dirname(spec.origin))
    root = os.path.dirname(src)
    # Where it came from, without the machine's own paths: this checkout's src or a snapshot.
    here = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    state: dict[str, Any] = {"src": "src" if os.path.realpath(src) == here else "snapshot"}
    git = shutil.which("git")
    if git and os.path.exists(os.path.join(root, ".git")):

        def out(*args: str) -> str:
            return subprocess.run(
                [git, "-C", root, *args], capture_output=True, text=True, check=False
            ).stdout

        diff = out("diff", "HEAD", "--", "src")
        state["commit"] = out("rev-parse", "--short", "HEAD").strip()
        state["dirty"] = [line[3:] for line in out("status", "--short", "--", "src").splitlines()]
        state["diff_sha256"] = hashlib.sha256(diff.encode()).hexdigest()[:12] if diff else ""
    elif os.path.exists(os.path.join(root, "COMMIT")):  # a `git archive` snapshot
        with open(os.path.join(root, "COMMIT")) as fh:
            state["commit"] = fh.read().strip()
    return state


def drop_pg(admin: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def run_child(target: str, persons: int, args: argparse.Namespace) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="hocvuso-dash-bench-")
    env = dict(os.environ, HOCVUSO_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="hocvuso.config.settings")
    for name in ("HOCVUSO_DEBUG", "HOCVUSO_ALLOWED_HOSTS", "HOCVUSO_ENV"):
        env.pop(name, None)
    try:
        if target == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            drop_pg(args.postgres_url)
            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = urlunparse(urlparse(args.postgres_url)._replace(path=f"/{PG_DB}"))
        log(f"=== {target}, {persons:,} persons ===")
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "--persons",
            str(persons),
            "--repeat",
            str(args.repeat),
            "--events",
            str(args.events),
            "--check-max",
            str(args.check_max),
            "--scan-repeat",
            str(args.scan_repeat),
        ]
        started = time.perf_counter()
        code = code_state()
        out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"{target} {persons:,} run failed (exit {out.returncode})")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["wall_s"] = round(time.perf_counter() - started, 1)
        result["code"] = code
        if code_state() != code:
            result["code_changed_during_run"] = True
            log(f"WARNING: the code under src/ changed during the {target} {persons:,} run")
        return result
    finally:
        if target == "postgres" and not args.keep_db:
            drop_pg(args.postgres_url)
        shutil.rmtree(tmp, ignore_errors=True)


def mark(ok: bool) -> str:
    return "ok " if ok else "MISS"


def report(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Print the table; returns the ratios."""
    for r in results:
        d = r["dashboards"]
        c = r["counts"]
        print()
        print(
            f"{r['database']} ({r['server']}), {r['persons']:,} persons, "
            f"{c['households']:,} households, {c['villages']:,} villages, "
            f"{c['visits']:,} visits — database {r['db_bytes'] / 2**30:.2f} GiB"
        )
        print(f"  build population     {r['build_s']:>9.1f} s   {r['build_steps_s']}")
        rows = r["summary_rows"]
        print(
            f"  summaries.rebuild    {r['rebuild_s']:>9.1f} s   ({rows['cohort']:,} cohort rows, "
            f"{rows['commune']:,} commune rows, {rows['month']:,} month rows)"
        )
        for label, chk in (
            ("check", r["check"]),
            ("check after refresh", r["check_after_refresh"]),
        ):
            if chk:
                state = "empty" if not chk["differences"] else f"{chk['differences']} DIFFERENCES"
                print(f"  {label:<20} {chk['s']:>9.1f} s   {state}")
        print(
            f"  dashboards measured: {d['measured']} (p50 / p95 ms, target p95 < 50 ms; "
            f"load average {d['loadavg_1m']} at the start)"
        )
        for level in LEVELS:
            m = d["levels"][level]
            b = d["build"][level]
            extra = (
                f"build() {b['p50_ms']:.1f} / {b['p95_ms']:.1f}, {b['queries']} queries"
                if d["measured"] == "page"
                else f"{b['queries']} queries, slowest {b['slowest_query_ms']} ms"
            )
            api = d["api"].get(level)
            api_s = f"; api {api['p50_ms']:.1f} / {api['p95_ms']:.1f}" if api else ""
            print(
                f"    {level:<9} {m['p50_ms']:>8.1f} / {m['p95_ms']:>7.1f}  "
                f"{mark(m['p95_ms'] < TARGET_P95_MS)}   {extra}{api_s}"
            )
        f = r["refresh"]
        print(
            f"  refresh {f['events']:,} events ({f['communes']:,} communes): batch "
            f"{f['batch_s']:.2f} s, status_changed {f['summary_s']:.3f} s "
            f"({f['summary_share']:.0%}), {f['events_per_s']:,} events/s  "
            f"{mark(f['batch_s'] <= TARGET_REFRESH_S)} (target ≤ {TARGET_REFRESH_S} s)"
        )
        print(
            f"    of which the status rows' bulk_update (skills.services) "
            f"{f['status_bulk_update_s']:.2f} s for {f['status_bulk_update_rows']:,} rows; "
            f"status_changed {mark(f['summary_s'] <= TARGET_REFRESH_S)}"
        )
        for k, v in f["summary_statements"].items():
            print(
                f"      {k:<32} {v['n']:>3} statements {v['ms']:>8.1f} ms {v['params']:>8,} params"
            )
        print(
            f"  summaries.refresh of the largest commune ({r['units']['commune'][1]:,} persons, "
            f"as after its import): {r['touch_largest_commune_s']:.2f} s"
        )
        print(
            f"  scan at request time {r['scan_s']:>9.1f} s   = {r['scan_over_national_p95']:,}x "
            f"p95 of the national dashboard"
        )
    ratios: dict[str, Any] = {}
    for db in ("postgresql", "sqlite"):
        runs = sorted((r for r in results if r["database"] == db), key=lambda r: r["persons"])
        if len(runs) < 2:
            continue
        small, big = runs[0], runs[-1]
        key = f"{db} {big['persons']}/{small['persons']}"
        entry: dict[str, Any] = {}
        for level in LEVELS:
            entry[f"p95_{level}"] = round(
                big["dashboards"]["levels"][level]["p95_ms"]
                / small["dashboards"]["levels"][level]["p95_ms"],
                2,
            )
        entry["refresh_batch"] = round(big["refresh"]["batch_s"] / small["refresh"]["batch_s"], 2)
        entry["refresh_summary"] = round(
            big["refresh"]["summary_s"] / small["refresh"]["summary_s"], 2
        )
        entry["rebuild"] = round(big["rebuild_s"] / small["rebuild_s"], 2)
        ratios[key] = entry
        print()
        print(f"{db}: {big['persons']:,} against {small['persons']:,} persons")
        for level in LEVELS:
            v = entry[f"p95_{level}"]
            print(
                f"  p95 {level:<9} x{v:<6} {mark(v <= TARGET_SCALE_RATIO)} "
                f"(target ≤ {TARGET_SCALE_RATIO})"
            )
        print(
            f"  refresh batch x{entry['refresh_batch']}, status_changed "
            f"x{entry['refresh_summary']} (target ≈ 1), rebuild x{entry['rebuild']}"
        )
    return ratios


def summary_of(r: dict[str, Any]) -> dict[str, Any]:
    d = r["dashboards"]
    after = r["check_after_refresh"]
    return {
        "database": r["database"],
        "server": r["server"],
        "persons": r["persons"],
        "households": r["counts"]["households"],
        "villages": r["counts"]["villages"],
        "visits": r["counts"]["visits"],
        "db_gib": round(r["db_bytes"] / 2**30, 2),
        "build_s": r["build_s"],
        "build_steps_s": r["build_steps_s"],
        "rebuild_s": r["rebuild_s"],
        "summary_rows": r["summary_rows"],
        "check_s": r["check"]["s"] if r["check"] else None,
        "check_differences": r["check"]["differences"] if r["check"] else None,
        "measured": d["measured"],
        "loadavg_1m": d["loadavg_1m"],
        "dashboard_ms": {
            level: {k: d["levels"][level][k] for k in ("p50_ms", "p95_ms")} for level in LEVELS
        },
        "build_ms": {
            level: {k: d["build"][level][k] for k in ("p50_ms", "p95_ms", "queries")}
            for level in LEVELS
        },
        "api_ms": {level: {k: v[k] for k in ("p50_ms", "p95_ms")} for level, v in d["api"].items()},
        "units": r["units"],
        "refresh": {
            k: r["refresh"][k]
            for k in ("events", "communes", "batch_s", "summary_s", "events_per_s", "flag_changes")
        },
        "check_after_refresh_s": after["s"] if after else None,
        "check_after_refresh_differences": after["differences"] if after else None,
        "touch_largest_commune_s": r["touch_largest_commune_s"],
        "scan_s": r["scan_s"],
        "scan_over_national_p95": r["scan_over_national_p95"],
        "wall_s": r["wall_s"],
        "code": r["code"],
        "code_changed_during_run": r.get("code_changed_during_run", False),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, nargs="+", default=None)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HOCVUSO_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--check-max", type=int, default=2_000_000, help="run summaries.check() up to this size"
    )
    parser.add_argument("--scan-repeat", type=int, default=2)
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help=f"leave the last PostgreSQL database ({PG_DB}) for inspection; drop it yourself",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args)))
        return

    targets = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    runs = []
    for target in targets:
        sizes = args.persons or ([1_000_000, 10_000_000] if target == "postgres" else [1_000_000])
        runs.extend((target, n) for n in sorted(sizes))
    results = []
    failed = []
    for target, persons in runs:
        try:
            results.append(run_child(target, persons, args))
        except RuntimeError as exc:
            log(str(exc))
            failed.append(f"{target} {persons}")
    ratios = report(results)
    bad_checks = [
        f"{r['database']} {r['persons']}"
        for r in results
        for chk in (r["check"], r["check_after_refresh"])
        if chk and chk["differences"]
    ]
    print()
    if bad_checks:
        print(f"summaries.check() found differences: {', '.join(bad_checks)}")
    targets_doc = {
        "p95_ms": TARGET_P95_MS,
        "p95_ratio_10x": TARGET_SCALE_RATIO,
        "refresh_s": TARGET_REFRESH_S,
    }
    print(
        json.dumps(
            {
                "bench": "dashboard",
                "machine": machine(),
                "targets": targets_doc,
                "results": [summary_of(r) for r in results],
                "ratios": ratios,
                "failed": failed,
                "check_failed": bad_checks,
            }
        )
    )
    if failed or bad_checks:
        sys.exit(1)


if __name__ == "__main__":
    main()
