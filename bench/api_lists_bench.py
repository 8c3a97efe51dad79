"""API lists benchmark: every paged list endpoint against the same rows through ``.values()``
(issue 15 item 3).

    python bench/api_lists_bench.py [--db sqlite|postgres|both] [--persons 20000]
        [--sizes 25 500] [--rounds 3] [--repeat 15]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

For each database:

1. a fresh database of its own — PostgreSQL: ``hocvuso_apilists_<pid>_<random>``, created and at
   the end dropped by the script (only that one); SQLite: a file in a temporary directory —,
   built as ``bench/pages_bench.py`` builds its commune: ``migrate``, ``load_units``, one
   commune officer, one commune grown to ``--persons`` people with the synthetic population and
   the other lists' entries in proportion (desk visits, classes, help requests, mentors, a team
   covering every village), then ``ANALYZE``;
2. a device token of the officer: each request is what a field app or a program sends
   (``Authorization: Bearer …``), through ``django.test.Client`` in this process: the token
   checked, the scope, the commune, the count, the page's ids, its rows, the JSON;
3. for each endpoint and page size (``HOCVUSO_PAGE_SIZE`` set to it; page 1: that a later
   page costs the same is tested and measured by ``bench/pages_bench.py``), **paired
   rounds**, alternating which goes first: *api* — the request, ``--repeat`` times after 2
   warm-ups; *values* — the same rows (the endpoint's own scoped, ordered list,
   from the same selector) through ``.values(<the columns the rows show>)[offset:offset+size]``
   and ``json.dumps`` — one query, no authentication, no count, no schema. Computed columns
   (the plan's visit figures, a class's counts, the T flags) are left out of *values*: it is a
   floor, never more work than the endpoint's. The ratio is api / values of the medians, per
   round; the median of the rounds with its range is reported, with the machine's load.

The per-request fixed cost is the intercept of the line through the two page sizes (by the rows
each answered), and the cost of one row its slope. Timing never fails
anything: the figures go to docs/benchmarks.md. Ends with one line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


def load() -> float:
    return round(os.getloadavg()[0], 2)


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    for _ in range(2):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _endpoints(user: Any, code: str) -> list[tuple[str, str, Callable[[int, int], Any]]]:
    """(name, url, values(offset, size)): each paged list endpoint and its floor."""
    from django.urls import reverse
    from django.utils import timezone

    from hocvuso.assistance import selectors as assistance
    from hocvuso.classes import selectors as classes
    from hocvuso.desk import selectors as desk
    from hocvuso.geo.models import Commune
    from hocvuso.mentoring import selectors as mentoring
    from hocvuso.outreach import selectors as outreach
    from hocvuso.teams import selectors as teams
    from hocvuso.teams.models import Team

    commune = Commune.objects.get(code=code)
    team = Team.objects.filter(commune=commune).order_by("created_at").first()
    today = timezone.localdate()

    def floor(qs: Callable[[], Any], *fields: str) -> Callable[[int, int], Any]:
        def run(offset: int, size: int) -> bytes:
            rows = list(qs().values(*fields)[offset : offset + size])
            return json.dumps(rows, default=str, ensure_ascii=False).encode()

        return run

    person = (
        "id",
        "full_name",
        "birth_year",
        "household__village__name",
        "household_id",
        "phone",
    )
    out = [
        (
            "identity",
            reverse("api:outreach_identity", args=[code]),
            floor(
                lambda: outreach.identity_worklist(
                    actor=user, today=today, commune=commune, need="vneid", village=None, q=""
                ),
                *person,
                "skill_status__vneid_level",
                "skill_status__has_bank_account",
            ),
        ),
        (
            "families",
            reverse("api:outreach_families", args=[code]),
            floor(
                lambda: outreach.family_worklist(actor=user, commune=commune, village=None, q=""),
                "id",
                "code",
                "village__name",
                "head__full_name",
                "members_live",
                "priority",
            ),
        ),
        (
            "t4",
            reverse("api:outreach_t4", args=[code]),
            floor(
                lambda: outreach.t4_worklist(
                    actor=user, commune=commune, missing="", village=None, q=""
                ),
                *person[:2],
                "occupation",
                *person[3:],
                "skill_status__t4_mask",
            ),
        ),
        (
            "desk_visits",
            reverse("api:desk_visits", args=[code]),
            floor(
                lambda: desk.visit_list(actor=user, commune=commune),
                "id",
                "commune_id",
                "person_id",
                "person__full_name",
                "procedure",
                "outcome",
                "can_do_alone",
                "note",
                "happened_at",
                "staff__username",
                "skill_event_id",
            ),
        ),
        (
            "classes",
            reverse("api:classes_list", args=[code]),
            floor(
                lambda: classes.class_list_keys(actor=user, commune=commune),
                "id",
                "commune_id",
                "title",
                "branch",
                "village_id",
                "address",
                "starts_at",
                "capacity",
                "organiser__username",
            ),
        ),
        (
            "help_requests",
            reverse("api:assistance_requests", args=[code]),
            floor(
                lambda: assistance.help_request_list(actor=user, commune=commune),
                "id",
                "commune_id",
                "village_id",
                "person_id",
                "person__full_name",
                "skill__code",
                "need",
                "contact",
                "status",
                "taken_by__username",
                "answer",
                "created_at",
            ),
        ),
        (
            "mentors",
            reverse("api:mentoring_mentors", args=[code]),
            floor(
                lambda: mentoring.mentor_list(actor=user, commune=commune),
                "id",
                "person_id",
                "person__full_name",
                "person__household__village__name",
                "capacity",
                "languages",
                "active",
            ),
        ),
    ]
    if team is not None:
        out.append(
            (
                "plan",
                reverse("api:teams_plan", args=[team.pk]),
                floor(
                    lambda: teams.team_plan_keys(actor=user, team=team, village=None),
                    "id",
                    "code",
                    "village__name",
                    "head__full_name",
                    "members_live",
                    "priority",
                ),
            )
        )
    return out


def bench_here(args: argparse.Namespace) -> dict[str, Any]:
    """In this process, on the database of ``DATABASE_URL``: build, then measure."""
    import pages_bench

    setup = pages_bench.child_setup()
    code = setup["commune"]
    grown = pages_bench.child_grow(code, args.persons)
    log(f"grown: {grown}")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from hocvuso.accounts.services.tokens import token_create

    user = get_user_model().objects.get(username=pages_bench.OFFICER)
    _token, secret = token_create(actor=user, name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    results: list[dict[str, Any]] = []
    for name, url, values in _endpoints(user, code):
        for size in args.sizes:
            settings.HOCVUSO_PAGE_SIZE = size

            def api(url: str = url) -> bytes:
                response = client.get(url, {"page": 1})
                assert response.status_code == 200, (url, response.status_code)
                return response.content

            body = json.loads(api())
            rows = len(body["results"])
            # the page answered (a shorter list answers its last page): the same offset
            offset = (body["page"] - 1) * size
            floor_rows = json.loads(values(offset, size))
            assert len(floor_rows) == rows, (name, size, len(floor_rows), rows)
            ratios, api_ms, values_ms, loads = [], [], [], []
            for r in range(args.rounds):
                order = [("api", api), ("values", lambda v=values, o=offset, s=size: v(o, s))]
                if r % 2:
                    order.reverse()
                got: dict[str, float] = {}
                for label, fn in order:
                    got[label] = _median_ms(fn, args.repeat)
                ratios.append(got["api"] / got["values"])
                api_ms.append(got["api"])
                values_ms.append(got["values"])
                loads.append(load())
            row = {
                "list": name,
                "size": size,
                "rows": rows,
                "api_ms": round(statistics.median(api_ms), 2),
                "values_ms": round(statistics.median(values_ms), 2),
                "ratio": round(statistics.median(ratios), 2),
                "range": [round(min(ratios), 2), round(max(ratios), 2)],
                "load": [min(loads), max(loads)],
            }
            results.append(row)
            log(json.dumps(row))
    settings.HOCVUSO_PAGE_SIZE = 25
    fixed: dict[str, Any] = {}
    small, large = min(args.sizes), max(args.sizes)
    if small != large:
        for name in {r["list"] for r in results}:
            a = next(r for r in results if r["list"] == name and r["size"] == small)
            b = next(r for r in results if r["list"] == name and r["size"] == large)
            slope = (b["api_ms"] - a["api_ms"]) / (b["rows"] - a["rows"] or 1)
            fixed[name] = {
                "fixed_ms": round(a["api_ms"] - slope * a["rows"], 2),
                "us_per_row": round(slope * 1000, 1),
            }
    return {"grown": grown, "results": results, "fixed": fixed}


def child_main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.config.settings")
    args = json.loads(os.environ["API_LISTS_ARGS"])
    out = bench_here(argparse.Namespace(**args))
    print("RESULT " + json.dumps(out), flush=True)


def run_database(target: str, args: argparse.Namespace) -> dict[str, Any]:
    import subprocess

    env = dict(os.environ)
    env["API_LISTS_ARGS"] = json.dumps(
        {"persons": args.persons, "sizes": args.sizes, "rounds": args.rounds, "repeat": args.repeat}
    )
    env.setdefault("HOCVUSO_SECRET_KEY", secrets.token_urlsafe(32))
    tmp = tempfile.mkdtemp(prefix="hocvuso-apilists-")
    db_name = ""
    if target == "postgres":
        import psycopg

        db_name = f"hocvuso_apilists_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        url = urlparse(args.postgres_url)._replace(path=f"/{db_name}")
        env["DATABASE_URL"] = urlunparse(url)
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stderr.write(proc.stderr[-4000:])
        lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
        if proc.returncode or not lines:
            raise SystemExit(f"{target}: the child failed ({proc.returncode})")
        result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
        return result
    finally:
        if db_name:
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def main() -> None:
    if "--child" in sys.argv:
        child_main()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 500])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    out: dict[str, Any] = {"bench": "api_lists", "persons": args.persons, "databases": {}}
    for target in targets:
        log(f"{target}: building a commune of {args.persons} people")
        result = run_database(target, args)
        out["databases"][target] = result
        print(f"\n{target}, {args.persons} persons in one commune")
        print(f"{'list':<14} {'size':>5} {'api ms':>8} {'values ms':>10} {'ratio':>6}  range  load")
        for r in result["results"]:
            print(
                f"{r['list']:<14} {r['size']:>5} {r['api_ms']:>8} {r['values_ms']:>10} "
                f"{r['ratio']:>6}  {r['range'][0]}–{r['range'][1]}  {r['load']}"
            )
        for name, f in sorted(result["fixed"].items()):
            print(f"  {name}: fixed {f['fixed_ms']} ms a request, {f['us_per_row']} µs a row")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
