"""The health check for a load balancer or a monitor: ``GET /healthz``.

200 when the database answers, 503 when it does not. The body says how long the database took,
how many background tasks wait and how old the oldest is (a stuck worker shows as a growing
age), each scheduled job's last run and the runs missed (``degraded``), and each read
replica's lag (``degraded`` when one is skipped). Nothing personal, no
login, never cached.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A task waiting longer than this means the worker is not keeping up (or is down).
QUEUE_STALE_SECONDS = 600


def _queue() -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.filter(status="READY")
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return {
        "ready": ready.count(),
        "running": DBTaskResult.objects.filter(status="RUNNING").count(),
        "oldest_ready_s": round(age, 1),
        "stale": age > QUEUE_STALE_SECONDS,
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
        queue = _queue()
    except DatabaseError:
        return JsonResponse({"status": "down", "database": {"ok": False}}, status=503)
    scheduled = _scheduled()
    replicas = _replicas()
    unusable = any(not r["usable"] for r in replicas.values())
    status = "degraded" if queue["stale"] or scheduled["missed"] or unusable else "ok"
    body = {"status": status, "database": database, "queue": queue, "scheduled": scheduled}
    if replicas:
        body["replicas"] = replicas
    return JsonResponse(body)


def _replicas() -> dict[str, Any]:
    """Each read replica: in use or skipped, its lag in seconds and why (core/replicas.py)."""
    from hocvuso.core.replicas import replica_aliases, replica_health

    out = {}
    for alias in replica_aliases():
        h = replica_health(alias)
        lag = None if h.lag_s is None or h.lag_s == float("inf") else round(h.lag_s, 2)
        out[alias] = {"usable": h.usable, "lag_s": lag, "reason": h.reason}
    return out


def _scheduled() -> dict[str, Any]:
    """Each scheduled job's last finished run, and the jobs whose due run was missed."""
    from hocvuso.core.models import ScheduledRun
    from hocvuso.core.schedule import SCHEDULE, missed

    last: dict[str, Any] = {}
    for job in SCHEDULE:
        run = (
            ScheduledRun.objects.filter(job=job.command, finished_at__isnull=False)
            .order_by("-due_at")
            .values("finished_at", "ok")
            .first()
        )
        last[job.command] = (
            {"finished_at": timezone.localtime(run["finished_at"]).isoformat(), "ok": run["ok"]}
            if run and run["finished_at"]
            else None
        )
    return {"last": last, "missed": missed()}
