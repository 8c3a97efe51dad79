"""Number formatting benchmark: what grouping one value by thousands costs (issue 15).

    python bench/format_bench.py [--values 20000] [--rounds 5]

Paired rounds, alternating which goes first: the former way of ``kpi.present.fmt_number`` and
the ``num`` filter (``numberformat.format`` with two ``get_format`` calls a value) against
``core.numbers.grouped``, over the same values — a dashboard's mix: whole counts (ints and
integral Decimals) and percentages with one decimal — in Vietnamese. Prints µs a value, the
median ratio with its range and the machine's load, and a last line of JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from decimal import Decimal
from typing import Any


def former(value: Any, places: int | None) -> str:
    from django.utils import numberformat
    from django.utils.formats import get_format

    return str(
        numberformat.format(
            value,
            get_format("DECIMAL_SEPARATOR"),
            decimal_pos=places,
            grouping=3,
            thousand_sep=get_format("THOUSAND_SEPARATOR"),
            force_grouping=True,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.config.settings")
    import django

    django.setup()
    from django.utils import translation

    from hocvuso.core.numbers import grouped

    rng = random.Random(15)
    values: list[tuple[Any, int | None]] = []
    for i in range(args.values):
        kind = i % 3
        if kind == 0:
            values.append((rng.randrange(0, 10**7), None))
        elif kind == 1:
            values.append((Decimal(rng.randrange(0, 10**7)), 0))
        else:
            values.append((Decimal(rng.randrange(0, 1000)) / 10, 1))
    subjects = {"former": former, "grouped": grouped}
    per: dict[str, list[float]] = {"former": [], "grouped": []}
    loads = []
    with translation.override("vi"):
        assert all(former(v, p) == grouped(v, p) for v, p in values)  # the same text
        for r in range(args.rounds):
            loads.append(round(os.getloadavg()[0], 2))
            order = ("former", "grouped") if r % 2 == 0 else ("grouped", "former")
            for name in order:
                fn = subjects[name]
                t0 = time.perf_counter()
                for v, p in values:
                    fn(v, p)
                per[name].append((time.perf_counter() - t0) / len(values) * 1e6)
    ratios = [g / f for f, g in zip(per["former"], per["grouped"], strict=True)]
    out = {
        "bench": "format",
        "values": args.values,
        "rounds": args.rounds,
        "former_us": round(statistics.median(per["former"]), 2),
        "grouped_us": round(statistics.median(per["grouped"]), 2),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "load_1m": [min(loads), max(loads)],
    }
    print(f"former (numberformat + 2 get_format): {out['former_us']} µs a value")
    print(f"core.numbers.grouped:                 {out['grouped_us']} µs a value")
    print(f"ratio {out['ratio_median']} ({out['ratio_range'][0]}–{out['ratio_range'][1]})")
    print(f"load 1m {out['load_1m'][0]}–{out['load_1m'][1]} on {os.cpu_count()} CPUs")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
