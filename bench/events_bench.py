"""Skill-event batch benchmark: ``skill_events_record_batch`` of 10,000 events at national scale,
in paired rounds against the raw write of the same rows.

    python bench/events_bench.py [--persons 1000000] [--events 10000] [--rounds 3]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--db-prefix hocvuso]

In a child process, on a fresh PostgreSQL database (``<prefix>_events_bench_<pid>_<random>``,
created and dropped by the script):

1. ``migrate``, ``load_units``, the synthetic national population of
   ``bench/dashboard_bench.py`` (``build_population``: set-based SQL, status rows for everyone),
   ``kpi.summaries.rebuild()``, ``ANALYZE``;
2. ``--rounds`` rounds, each on ``--events`` people drawn afresh (no one twice): the events
   behind their synthetic status rows written first (untimed, so that their status follows from
   their events), then, alternated — the order swapped every round —
   - **the batch**: ``skill_events_record_batch`` of one event per person (a skill each lacks,
     as a field day records), the events and their audit rows written, the status rows brought
     up to date, the dashboards' summaries moved in the same transaction, committed;
   - **the baseline**: the raw write of the same number of event and audit rows
     (``core.bulk.insert_rows``: one ``COPY`` each) in a transaction rolled back after it;
3. ``kpi.summaries.check()``: the summaries still equal a recount (must be empty).

Prints events/s of the batch (median and range over the rounds), the ratio batch / baseline
(median and range), the machine's load at each round, and ends with one line of JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


def _dashboard_bench() -> Any:
    path = Path(__file__).with_name("dashboard_bench.py")
    spec = importlib.util.spec_from_file_location("dashboard_bench", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(persons: int, n_events: int, rounds: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.audit import AuditAction
    from hocvuso.core.bulk import insert_rows
    from hocvuso.core.ids import uuid7
    from hocvuso.core.models import AuditLog
    from hocvuso.kpi import summaries
    from hocvuso.registry.models import Person
    from hocvuso.skills import facts, status
    from hocvuso.skills.models import Channel, PersonSkillStatus, Skill, SkillEvent
    from hocvuso.skills.services import (
        AUDIT_COLUMNS,
        EVENT_COLUMNS,
        EventInput,
        person_refs,
        skill_events_record_batch,
    )

    bench = _dashboard_bench()
    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    t0 = time.perf_counter()
    bench.build_population(persons, {})
    log(f"population of {persons:,} built in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    summaries.rebuild()
    log(f"summaries rebuilt in {time.perf_counter() - t0:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def cpu() -> float:
        """This process's CPU seconds and its PostgreSQL backend's (same machine)."""
        with open(f"/proc/{backend}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    sets = facts.skill_sets()
    skills = {s.code: s for s in Skill.objects.all()}
    basic = sets.of(facts.BASIC_SET, None)
    other = next(c for c in skills if c not in basic and c not in facts.T4_CODES)
    rng = random.Random(20261201)
    drawn = rng.sample(range(1, persons + 1), n_events * rounds)
    today = timezone.localdate()

    def inputs_for(keys: list[int]) -> list[Any]:
        ids = [bench.synthetic_id(bench.K_PERSON, k) for k in keys]
        # The people as a batch caller reads them (one tuple each: the rules' facts).
        people = person_refs(ids)
        assert len(people) == len(ids)
        jobs = dict(Person.objects.filter(pk__any=ids).values_list("pk", "occupation"))
        statuses = {s.person_id: s for s in PersonSkillStatus.objects.filter(person_id__in=ids)}
        bench.backfill_events(statuses, sets)  # their status follows from their events
        with transaction.atomic():
            status.status_refresh(sorted(statuses), sets=sets)
        out = []
        for pid in ids:
            st, person = statuses.get(pid), people[pid]
            mask = st.t4_mask if st else 0
            if not st or st.vneid_level < 2:
                code = facts.VNEID_LEVEL2
            elif not st.has_bank_account:
                code = facts.BANK_ACCOUNT
            elif jobs[pid] in facts.T4_OCCUPATIONS and mask != facts.T4_ALL:
                code = next(c for i, c in enumerate(facts.T4_CODES) if not mask & (1 << i))
            elif not st.basic_complete:
                code = next(c for c in basic if c != facts.VNEID_LEVEL2)
            else:
                code = other
            out.append(
                EventInput(
                    id=uuid7(),
                    person=person,
                    skill=skills[code],
                    happened_on=today,
                    channel=Channel.HOME_VISIT,
                )
            )
        return out

    def subject(events: list[Any]) -> float:
        profile = os.environ.get("EVENTS_BENCH_PROFILE") == "1"
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile(time.process_time)
            prof.enable()
        t, c = time.perf_counter(), cpu()
        skill_events_record_batch(actor=SYSTEM, events=events, returning=False)
        took = time.perf_counter() - t
        spent["cpu"] = cpu() - c
        if profile:
            prof.disable()
            stats = pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative")
            stats.print_stats(os.environ.get("EVENTS_BENCH_FILTER", ""), 40)
        return took

    def baseline(events: list[Any]) -> float:
        rows = [
            (uuid7(), e.person.pk, e.skill.pk, today, e.channel, None, None, "", None, None)
            for e in events
        ]
        audit = [
            (None, str(AuditAction.SKILL_EVENT_RECORD), "skills.skillevent", str(r[0]),
             {"person": str(r[1]), "skill": "x", "happened_on": today.isoformat(),
              "channel": r[4]}, "")
            for r in rows
        ]  # fmt: skip
        t = time.perf_counter()
        with transaction.atomic():
            insert_rows(SkillEvent, EVENT_COLUMNS, rows)
            insert_rows(AuditLog, AUDIT_COLUMNS, audit)
            took = time.perf_counter() - t
            transaction.set_rollback(True)
        return took

    spent: dict[str, float] = {}
    out_rounds = []
    for r in range(rounds):
        events = inputs_for(drawn[r * n_events : (r + 1) * n_events])
        load = os.getloadavg()[0]
        if r % 2 == 0:
            base_s = baseline(events)
            batch_s = subject(events)
        else:
            batch_s = subject(events)
            base_s = baseline(events)
        out_rounds.append(
            {
                "load": round(load, 2),
                "batch_s": round(batch_s, 3),
                "baseline_s": round(base_s, 3),
                "events_per_s": round(n_events / batch_s),
                "cpu_s": round(spent["cpu"], 3),
                "events_per_cpu_s": round(n_events / spent["cpu"]),
                "ratio": round(batch_s / base_s, 2),
            }
        )
        log(f"round {r + 1}: {out_rounds[-1]}")
    t0 = time.perf_counter()
    differences = summaries.check()
    log(f"check: {len(differences)} differences in {time.perf_counter() - t0:.1f} s")

    def spread(key: str) -> dict[str, float]:
        values = [x[key] for x in out_rounds]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(" on ")[0]
    return {
        "server": server,
        "persons": persons,
        "events": n_events,
        "rounds": out_rounds,
        "events_per_s": spread("events_per_s"),
        "events_per_cpu_s": spread("events_per_cpu_s"),
        "ratio": spread("ratio"),
        "check_differences": len(differences),
        "day": dt.datetime.now(dt.UTC).date().isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db-prefix", default=os.environ.get("HOCVUSO_BENCH_DB_PREFIX", "hocvuso"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.persons, args.events, args.rounds)))
        return
    import psycopg

    db = f"{args.db_prefix}_events_bench_{os.getpid()}_{secrets.token_hex(3)}"
    tmp = tempfile.mkdtemp(prefix="hocvuso-events-bench-")
    with psycopg.connect(args.postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {db}")
    env = dict(
        os.environ,
        HOCVUSO_DATA_DIR=tmp,
        DJANGO_SETTINGS_MODULE="hocvuso.config.settings",
        DATABASE_URL=urlunparse(urlparse(args.postgres_url)._replace(path=f"/{db}")),
    )
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--persons", str(args.persons),
             "--events", str(args.events), "--rounds", str(args.rounds)],
            env=env, stdout=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    finally:
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    if out.returncode != 0:
        sys.exit("the benchmark failed")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    e, q, c = r["events_per_s"], r["ratio"], r["events_per_cpu_s"]
    loads = [x["load"] for x in r["rounds"]]
    print(f"{r['server']}, {r['persons']:,} persons, {r['events']:,} events a batch")
    print(
        f"skill_events_record_batch: {e['median']:,.0f} events/s (range {e['min']:,.0f}–"
        f"{e['max']:,.0f}; target ≥ 10,000), {q['median']}× the raw COPY of the same rows "
        f"(range {q['min']}–{q['max']}), load {min(loads)}–{max(loads)}; summaries check: "
        f"{r['check_differences']} differences"
    )
    print(
        f"per CPU second (this process and its PostgreSQL backend): {c['median']:,.0f} events "
        f"(range {c['min']:,.0f}–{c['max']:,.0f})"
    )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps({"bench": "events", "machine": machine, **r}))


if __name__ == "__main__":
    main()
