"""API rows benchmark: what one row of a worklist costs between the database and the JSON.

    python bench/api_rows_bench.py [--rows 25 500] [--rounds 5]

Paired rounds, alternating which goes first, over the same synthetic family-worklist rows
(no database): *schema rows* — a ``HouseholdRow`` built a row, then the page dumped, as the
outreach API answered before (django-ninja skips re-validating a response of its own type);
*dict rows* — plain dicts validated once, as a whole page, by the response schema, then dumped
(what django-ninja does with a dict, and what the outreach API now answers); and, for scale,
``json.dumps`` of the same dicts. Prints µs a row, the median ratio with its range and the
machine's load, and a last line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[25, 500])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.config.settings")
    import django

    django.setup()
    from hocvuso.outreach.api import FamilyPage, HouseholdRow

    out: dict[str, Any] = {"bench": "api_rows", "rounds": args.rounds, "sizes": []}
    for n in args.rows:
        rows = [
            {
                "id": uuid.uuid4(),
                "code": f"HGD-{i:05d}",
                "village": "Thôn Lũng Cú",
                "head": "Giàng Mí Pó",
                "member_count": 4,
                "priority": i % 4,
            }
            for i in range(n)
        ]

        def schema_rows(rows: list[dict[str, Any]] = rows, n: int = n) -> Any:
            page = FamilyPage(count=n, page=1, pages=1, results=[HouseholdRow(**r) for r in rows])
            return page.model_dump()

        def dict_rows(rows: list[dict[str, Any]] = rows, n: int = n) -> Any:
            page = {"count": n, "page": 1, "pages": 1, "results": rows}
            return FamilyPage.model_validate(page).model_dump()

        def plain_json(rows: list[dict[str, Any]] = rows) -> Any:
            return json.dumps([{**r, "id": str(r["id"])} for r in rows])

        assert schema_rows() == dict_rows()  # the same answer
        subjects: dict[str, Callable[[], Any]] = {
            "schema_rows": schema_rows,
            "dict_rows": dict_rows,
            "json_dumps": plain_json,
        }
        per: dict[str, list[float]] = {k: [] for k in subjects}
        loads = []
        for r in range(args.rounds):
            loads.append(round(os.getloadavg()[0], 2))
            order = list(subjects) if r % 2 == 0 else list(reversed(subjects))
            for name in order:
                fn = subjects[name]
                fn()
                t0 = time.perf_counter()
                for _ in range(args.repeat):
                    fn()
                per[name].append((time.perf_counter() - t0) / args.repeat / n * 1e6)
        ratios = [d / s for s, d in zip(per["schema_rows"], per["dict_rows"], strict=True)]
        size = {
            "rows": n,
            **{f"{k}_us_a_row": round(statistics.median(v), 2) for k, v in per.items()},
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
            "load_1m": [min(loads), max(loads)],
        }
        out["sizes"].append(size)
        print(
            f"{n} rows: schema rows {size['schema_rows_us_a_row']} µs a row, dict rows "
            f"{size['dict_rows_us_a_row']} (ratio {size['ratio_median']}, "
            f"{size['ratio_range'][0]}–{size['ratio_range'][1]}), json.dumps "
            f"{size['json_dumps_us_a_row']}; load 1m {min(loads)}–{max(loads)}"
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
