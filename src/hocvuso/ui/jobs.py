"""Background jobs' pages: the list of one's jobs (and, for national administrators, the
country-wide work to start), a job's progress (done / total, rate, time left; the page
refreshes itself while the job runs), and its result to download once done. Every job is
fetched through the access policy (``access.jobs``): out of scope is "not found"."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hocvuso.access.jobs import can_run_national_job, can_see_job, jobs_q
from hocvuso.core import jobs
from hocvuso.core.errors import NotFound
from hocvuso.core.fetch import as_uuid
from hocvuso.core.models import Job, JobStatus
from hocvuso.core.web import not_found_as_404

# The country-wide work a national administrator may start from the list (no parameters).
NATIONAL_KINDS = ("kpi.rebuild", "kpi.check", "skills.status_rebuild", "registry.rotate_id_key")
REFRESH_SECONDS = 3


def job_get(actor: Any, job_id: Any) -> Job:
    """The job, if the actor may follow it (not found otherwise)."""
    job = Job.objects.select_related("created_by").defer("result").filter(pk=as_uuid(job_id))
    found = job.first()
    if found is None or not can_see_job(actor, found):
        raise NotFound()
    return found


def job_list(actor: Any, limit: int = 50) -> list[Job]:
    rows = Job.objects.filter(jobs_q(actor)).defer("result").select_related("created_by")
    return [j for j in rows.order_by("-created_at")[: limit * 2] if can_see_job(actor, j)][:limit]


def _duration(seconds: float) -> str:
    """A time left, to the minute above one minute."""
    seconds = round(seconds)
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}


def _view(job: Job) -> dict[str, Any]:
    kind = jobs.kind_of(job.kind)
    progress = jobs.progress_of(job)
    return {
        "job": job,
        "label": kind.label if kind else job.kind,
        "counting": kind.counting if kind else "",
        "progress": progress,
        "rate": round(progress.rate, 1) if progress.rate is not None else None,
        "left": _duration(progress.left.total_seconds()) if progress.left is not None else "",
        "notes": [
            (kind.notes.get(name, name) if kind else name, value)
            for name, value in job.summary.items()
        ],
    }


@login_required
@require_GET
def job_index(request: HttpRequest) -> HttpResponse:
    startable = []
    if can_run_national_job(request.user, "national", ""):
        startable = [(k, jobs.KINDS[k].label) for k in NATIONAL_KINDS if k in jobs.KINDS]
    rows = [_view(j) for j in job_list(request.user)]
    if not rows and not startable:
        raise Http404()
    response = render(request, "ui/jobs.html", {"rows": rows, "startable": startable})
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
@not_found_as_404
def job_start(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in NATIONAL_KINDS:
        raise NotFound()
    job = jobs.start(actor=request.user, kind=kind, level="national", code="")
    return redirect("ui:job", job_id=job.pk)


@login_required
@require_GET
@not_found_as_404
def job_page(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = job_get(request.user, job_id)
    under_way = job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
    context = {
        **_view(job),
        "statuses": JobStatus,
        "under_way": under_way,
        "refresh": REFRESH_SECONDS if under_way else None,
        "downloadable": job.status == JobStatus.DONE
        and bool(job.result_name)
        and Job.objects.filter(pk=job.pk).exclude(result="").exists()
        and not (job.expires_at and job.expires_at <= timezone.now()),
    }
    response = render(request, "ui/job.html", context)
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
@not_found_as_404
def job_result(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = job_get(request.user, job_id)
    data = jobs.result_of(Job.objects.get(pk=job.pk))
    if data is None:
        raise NotFound()
    response = HttpResponse(data, content_type=job.result_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    add_never_cache_headers(response)
    return response
