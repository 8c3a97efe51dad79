"""Pages of the bulk registry import: upload a resident list, follow its job, confirm new
villages, download the rejected rows. Thin like :mod:`hocvuso.registry.views`: the work is done by
:mod:`hocvuso.registry.importing.jobs`, in the background."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.units import access_commune
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.text import fold
from hocvuso.core.web import add_domain_error, not_found_as_404
from hocvuso.geo import selectors as geo_selectors
from hocvuso.registry import selectors
from hocvuso.registry.cccd import mask_cccd_cell, mask_digits
from hocvuso.registry.forms import RegistryImportForm, VillageDecisionForm
from hocvuso.registry.importing.headers import cccd_columns
from hocvuso.registry.importing.jobs import (
    REJECTS_KEPT,
    import_job_confirm_villages,
    import_job_create,
    import_job_rejects,
    import_job_rejects_csv,
    rejects_expired,
)
from hocvuso.registry.importing.template import template_csv, template_xlsx
from hocvuso.registry.models import ImportJob, ImportStatus

RECENT_JOBS = 10
REJECTS_SHOWN = 50
REFRESH_SECONDS = 2
TEMPLATE_NAME = "mau-danh-sach-dan-cu"
TEMPLATES = {
    "xlsx": (
        template_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": (template_csv, "text/csv; charset=utf-8"),
}


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


# --- Upload ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def import_start(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                actor=request.user,
                commune=commune,
                filename=PurePath(upload.name).name,
                data=upload.read(),
                sheet=form.cleaned_data["sheet"].strip(),
                dry_run=form.cleaned_data["dry_run"],
                create_villages=form.cleaned_data["create_villages"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("registry:import_job", job_id=job.pk)
    return render(
        request,
        "registry/import_start.html",
        {
            "commune": commune,
            "form": form,
            "jobs": list(
                selectors.import_job_list(actor=request.user, commune=commune)[:RECENT_JOBS]
            ),
            "statuses": ImportStatus,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
@not_found_as_404
def import_template(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    access_commune(request.user, code, write=True)
    if fmt not in TEMPLATES:
        raise NotFound()
    make, content_type = TEMPLATES[fmt]
    response = HttpResponse(make(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAME}.{fmt}"'
    return response


# --- The job -----------------------------------------------------------------------------------


def _shown_rejects(job: ImportJob, rejects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first rejected rows, with their cells and no readable CCCD."""
    masked_columns = cccd_columns(job.header)
    shown = []
    for r in sorted(rejects, key=lambda r: r["row"])[:REJECTS_SHOWN]:
        cells = [
            mask_cccd_cell(str(c)) if i in masked_columns else mask_digits(str(c))
            for i, c in enumerate(r.get("original") or [])
        ]
        shown.append(
            {
                "row": r["row"],
                "code": r["code"],
                "message": mask_digits(str(r["message"])),
                "cells": [
                    (str(job.header[i]) if i < len(job.header) else "", c)
                    for i, c in enumerate(cells)
                    if c
                ],
            }
        )
    return shown


def _job_page(
    request: HttpRequest,
    job: ImportJob,
    *,
    village_form: VillageDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    commune = job.commune
    running = job.status in {ImportStatus.QUEUED, ImportStatus.RUNNING}
    rejects: list[dict[str, Any]] = []
    if job.status == ImportStatus.DONE and job.rejected:
        rejects = _shown_rejects(job, import_job_rejects(actor=request.user, job=job))
    if job.status == ImportStatus.NEEDS_CONFIRMATION and village_form is None:
        village_form = VillageDecisionForm(
            names=job.new_villages,
            villages=geo_selectors.village_list(commune=commune),
            initial={
                f"village_{i}": job.village_decisions[name]
                for i, name in enumerate(job.new_villages)
                if name in job.village_decisions
            },
        )
    response = render(
        request,
        "registry/import_job.html",
        {
            "commune": commune,
            "job": job,
            "statuses": ImportStatus,
            "running": running,
            "refresh": REFRESH_SECONDS if running else 0,
            "percent": (100 * job.done // job.total) if job.total else 0,
            "rejects": rejects,
            "more_rejects": max(job.rejected - len(rejects), 0),
            "rejects_gone": bool(job.rejected) and not rejects and rejects_expired(job),
            "rejects_until": job.finished_at + REJECTS_KEPT if job.finished_at else None,
            "village_form": village_form,
        },
        status=status,
    )
    if running:
        response["Refresh"] = str(REFRESH_SECONDS)
    return _no_store(response)


@login_required
@require_GET
@not_found_as_404
def import_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    return _job_page(request, selectors.import_job_get(request.user, job_id))


@login_required
@require_POST
@not_found_as_404
def import_confirm(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = selectors.import_job_get(request.user, job_id)
    form = VillageDecisionForm(
        request.POST,
        names=job.new_villages,
        villages=geo_selectors.village_list(commune=job.commune),
    )
    if form.is_valid():
        try:
            import_job_confirm_villages(actor=request.user, job=job, decisions=form.decisions())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("registry:import_job", job_id=job.pk)
    job.refresh_from_db()
    return _job_page(request, job, village_form=form, status=400)


@login_required
@require_GET
@not_found_as_404
def import_rejects(request: HttpRequest, job_id: UUID) -> HttpResponse:
    job = selectors.import_job_get(request.user, job_id)
    data = import_job_rejects_csv(actor=request.user, job=job)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    stem = re.sub(r"[^a-z0-9_.-]+", "-", fold(PurePath(job.filename).stem)).strip("-.") or "nhap"
    response["Content-Disposition"] = f'attachment; filename="loi-{stem[:60]}.csv"'
    return _no_store(response)
