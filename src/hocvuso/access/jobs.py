"""Background jobs (``core.jobs``): who may start one, and who may follow it and download its
result.

- each kind of job names who may start it, for a unit (``level``, ``code``), with a predicate of
  this package (:func:`can_export_unit`, :func:`can_run_national_job`, …);
- a job is seen by the one who started it while they still may start it there, and by national
  administrators; anyone else gets "not found".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from hocvuso.access.kpi import can_see_nation, can_see_province
from hocvuso.access.scope import scope_of
from hocvuso.core.jobs import kind_of


def can_export_unit(actor: Any, level: str, code: str) -> bool:
    """A dashboard exported in the background: the nation's or a province's, by whoever may
    open that dashboard."""
    if level == "national":
        return not code and can_see_nation(actor)
    if level == "province":
        return bool(code) and can_see_province(actor, code)
    return False


def can_run_national_job(actor: Any, level: str, code: str) -> bool:
    """Work over the whole country (rebuilding or checking the figures, recounting statuses,
    re-protecting the keys, updating the unit list): national administrators (and the system)."""
    return level == "national" and not code and scope_of(actor).national


def can_see_job(actor: Any, job: Any) -> bool:
    kind = kind_of(job.kind)
    if kind is None or not kind.allowed(actor, job.level, job.code):
        return False
    return scope_of(actor).national or (
        job.created_by_id is not None and job.created_by_id == getattr(actor, "pk", None)
    )


def jobs_q(actor: Any) -> Q:
    """The jobs to list for the actor (each still checked with :func:`can_see_job`)."""
    if scope_of(actor).national:
        return Q()
    pk = getattr(actor, "pk", None)
    return Q(created_by_id=pk) if pk else Q(pk__in=[])
