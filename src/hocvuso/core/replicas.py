"""Read replicas: which reads may go to a streaming replica, which replica, and when not.

PostgreSQL streaming replicas (``DATABASE_REPLICA_URLS``, comma-separated) serve the reads of
the views marked :func:`replica_reads` — dashboards, reports, exports, public certificate
verification —; everything else reads and writes on the primary (``default``). A read goes to
the primary all the same when:

- the browser is *pinned*: it sent a write (POST, PUT, PATCH, DELETE) or a request of it wrote
  to the database less than ``HOCVUSO_REPLICA_PIN_SECONDS`` ago (cookie ``hocvuso_pin``, holding
  the time the pin ends): a person who just saved something sees it, never an older copy;
- the request already wrote (the rest of it reads what it wrote), or the read is inside a
  transaction on the primary;
- no replica is usable: each is checked at most every ``HOCVUSO_REPLICA_CHECK_SECONDS`` per
  process (one query on the primary for its WAL position, one on the replica for what it has
  replayed: :func:`lag_seconds`); a replica more than ``HOCVUSO_REPLICA_MAX_LAG_SECONDS``
  behind, unreachable or not in recovery is skipped until the next check;
- the replica fails in the middle of a view: the view is run again on the primary (the views
  marked here only read, or write idempotently), and the replica is skipped until the next
  check. The person sees their page, never an error.

The pin window must be longer than the largest lag accepted plus the check interval, so that a
write is on every replica that may serve the writer once the pin ends (checked by the settings).
"""

from __future__ import annotations

import functools
import logging
import math
import random
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

PIN_COOKIE = "hocvuso_pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Writes that do not pin: the session row is saved after most requests (last seen), the
# request's own bookkeeping, not something the person wrote.
UNPINNING_MODELS = frozenset({"sessions.Session"})

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def replica_aliases() -> list[str]:
    """The database aliases of the configured replicas (none without DATABASE_REPLICA_URLS)."""
    return list(getattr(settings, "HOCVUSO_REPLICAS", []))


# --- What one request may do ------------------------------------------------------------------


@dataclass
class _Reads:
    pinned: bool = False
    eligible: bool = False
    wrote: bool = False
    force_primary: bool = False
    chosen: str | None = None
    decided: bool = False
    used: set[str] = field(default_factory=set)

    def replica(self) -> str | None:
        if not self.eligible or self.pinned or self.wrote or self.force_primary:
            return None
        if not self.decided:
            self.chosen = pick_replica()
            self.decided = True
        return self.chosen


_state: ContextVar[_Reads | None] = ContextVar("hocvuso_reads", default=None)


class ReplicaRouter:
    """The database router (``DATABASE_ROUTERS``): reads of marked views to a usable replica,
    every write, every migration and every other read to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        state = _state.get()
        if state is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        alias = state.replica()
        if alias is not None:
            state.used.add(alias)
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = _state.get()
        if state is not None and model._meta.label not in UNPINNING_MODELS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias holds the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def replica_reads(view: F) -> F:
    """Marks a view whose reads a replica may serve. Run again on the primary, once, if the
    replica fails while it runs."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = _state.get()
        if state is None or not replica_aliases():
            return view(*args, **kwargs)
        return _routed(state, lambda: view(*args, **kwargs), "failed during a request")

    return wrapper  # type: ignore[return-value]


def _routed(state: _Reads, call: Callable[[], T], failure: str) -> T:
    """``call`` with its reads routed by ``state``; run again on the primary, once, if the
    replica it read from fails during it."""
    before = state.eligible
    state.eligible = True
    try:
        return call()
    except (OperationalError, InterfaceError):
        failed = set(state.used)
        if not failed:
            raise
        for alias in failed:
            _mark_unusable(alias, failure)
        state.force_primary = True
        state.used.clear()
        return call()
    finally:
        state.eligible = before


def read_from_replica(call: Callable[[], T]) -> T:
    """Outside a request — a background job in the worker: ``call`` with its reads routed as a
    marked view's (:func:`replica_reads`). A usable replica serves them — measured as for the
    web (lag at most ``HOCVUSO_REPLICA_MAX_LAG_SECONDS``, checked every
    ``HOCVUSO_REPLICA_CHECK_SECONDS`` per process) —, else the primary; the primary as soon as
    ``call`` writes, and for all of it again if the replica fails during it. ``call`` must only
    read, or write idempotently (it may run twice). No pin: a job has no browser, and what
    it reports of itself is written and read outside ``call``."""
    if not replica_aliases():
        return call()
    outer = _state.get()
    if outer is not None:  # inside a request: its state (its pin, its writes) decides
        return _routed(outer, call, "failed during a request")
    token = _state.set(_Reads())
    try:
        state = _state.get()
        assert state is not None
        return _routed(state, call, "failed during a job")
    finally:
        _state.reset(token)


class ReplicaPinMiddleware:
    """Gives each request its routing state; pins a browser to the primary after it writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        now = time.time()
        state = _Reads(pinned=_pinned_until(request) > now)
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if request.method not in SAFE_METHODS or state.wrote:
            seconds = int(settings.HOCVUSO_REPLICA_PIN_SECONDS)
            response.set_cookie(
                PIN_COOKIE,
                str(math.ceil(now + seconds)),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
            )
        return response


def _pinned_until(request: HttpRequest) -> float:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return 0.0


# --- Which replica, and how far behind ----------------------------------------------------------


@dataclass
class ReplicaHealth:
    alias: str
    usable: bool
    lag_s: float | None  # None: unknown (unreachable, or not a replica)
    reason: str
    checked_at: float


_health: dict[str, ReplicaHealth] = {}
_lock = threading.Lock()


def lag_seconds(primary: Any, replica: Any) -> float | None:
    """How far ``replica`` is behind ``primary`` (two connections), in seconds: 0 when
    it has replayed everything the primary had written when asked, else the age of the last
    transaction it replayed. None when ``replica`` is not in recovery (not a replica)."""
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (position,) = cursor.fetchone()
    with replica.cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), "
            "pg_wal_lsn_diff(%s::pg_lsn, COALESCE(pg_last_wal_replay_lsn(), '0/0'::pg_lsn)), "
            "EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())",
            [position],
        )
        in_recovery, behind_bytes, age = cursor.fetchone()
    if not in_recovery:
        return None
    if behind_bytes is not None and float(behind_bytes) <= 0:
        return 0.0
    return float(age) if age is not None else math.inf


def measure_lag(alias: str) -> float | None:
    """:func:`lag_seconds` of the replica ``alias`` behind the primary, now."""
    return lag_seconds(connections[DEFAULT_DB_ALIAS], connections[alias])


def check_replica(alias: str) -> ReplicaHealth:
    """Measure one replica now (and remember it)."""
    limit = float(settings.HOCVUSO_REPLICA_MAX_LAG_SECONDS)
    try:
        lag = measure_lag(alias)
    except DatabaseError as exc:
        _close(alias)
        health = ReplicaHealth(alias, False, None, f"unreachable: {type(exc).__name__}", 0.0)
    else:
        if lag is None:
            health = ReplicaHealth(alias, False, None, "not in recovery", 0.0)
        elif lag > limit:
            health = ReplicaHealth(alias, False, lag, f"lag {lag:.1f} s > {limit:g} s", 0.0)
        else:
            health = ReplicaHealth(alias, True, lag, "ok", 0.0)
    health.checked_at = time.monotonic()
    _remember(health)
    return health


def replica_health(alias: str) -> ReplicaHealth:
    """The last measurement of ``alias`` if recent enough, else a new one."""
    every = float(settings.HOCVUSO_REPLICA_CHECK_SECONDS)
    known = _health.get(alias)
    if known is not None and time.monotonic() - known.checked_at < every:
        return known
    return check_replica(alias)


def pick_replica() -> str | None:
    """A usable replica (a random one of them, spreading the load), or None: the primary."""
    aliases = replica_aliases()
    random.shuffle(aliases)
    for alias in aliases:
        if replica_health(alias).usable:
            return alias
    return None


def _remember(health: ReplicaHealth) -> None:
    with _lock:
        before = _health.get(health.alias)
        _health[health.alias] = health
    if before is None or before.usable != health.usable:
        if health.usable:
            log.info("replica %s in use (lag %.1f s)", health.alias, health.lag_s or 0.0)
        else:
            log.warning("replica %s skipped: %s", health.alias, health.reason)


def _mark_unusable(alias: str, reason: str) -> None:
    _close(alias)
    _remember(ReplicaHealth(alias, False, None, reason, time.monotonic()))


def _close(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        connections[alias].connection = None


def forget_health() -> None:
    """Forget every measurement (tests)."""
    with _lock:
        _health.clear()
