"""Counts a list may take from a higher layer instead of counting its rows.

A paged list shows how many entries it has. Counting the filtered rows of a worklist costs the
commune (45 ms of a 70 ms page at 100,000 people on PostgreSQL), while the dashboards' summary
tables already hold the same number. The domain app cannot import ``kpi`` (it sits above), so,
as with the hooks, the higher layer *provides*: ``kpi`` registers a counter under a list's name
in its ``AppConfig.ready()``, and the list asks :func:`count` — which answers ``None`` when no
counter is registered or when the counter cannot answer exactly for these filters (a search
term, a village scope…); the list then counts its rows, as before. A counter must equal that
count whenever it answers (tested list by list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Counter = Callable[..., Any]
_counters: dict[str, Counter] = {}


def provide(name: str, counter: Counter) -> None:
    """Register ``counter`` for the list ``name`` (one per list: a second replaces it)."""
    _counters[name] = counter


def count(name: str, **filters: Any) -> Any:
    """The length of the list ``name`` with ``filters`` (or, for a page's figures, a dict of
    them), from its counter; ``None`` if there is none, or it cannot tell exactly."""
    counter = _counters.get(name)
    return counter(**filters) if counter is not None else None
