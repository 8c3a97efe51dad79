"""The dashboards' long work as background jobs (``core.jobs``): exports of the nation or a
province, rebuilding the summary tables (and their history), checking them against a recount.
Registered by ``kpi.apps``."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hocvuso.access.jobs import can_export_unit, can_run_national_job
from hocvuso.core import jobs, replicas
from hocvuso.kpi import dashboards, exports, summaries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@jobs.kind(
    "kpi.export",
    label=_("Dashboard export"),
    counting=_("units"),
    allowed=can_export_unit,
    notes={"units": _("Units in the file")},
)
def export(run: jobs.Run) -> None:
    """The nation's or a province's dashboard as a spreadsheet or CSV, built as the one who
    asked (their scope, their language): the figures only, no personal data. Short: a run that
    is resumed builds it again (the same file for the same figures). Its reads go to a read
    replica when one is configured and usable, as the dashboard pages' do
    (:func:`~hocvuso.core.replicas.read_from_replica`: lag, fallback to the primary)."""
    params, job = run.params, run.job
    fmt = params.get("fmt", "xlsx")
    with translation.override(params.get("lang") or "vi"):
        run.progress(0, 1)
        actor = run.actor
        d = replicas.read_from_replica(
            lambda: dashboards.build(
                actor=actor, level=job.level, code=job.code, area=params.get("area", "all")
            )
        )
        stem = f"hocvuso-{job.level}-{job.code or 'vn'}-{d.as_of:%Y-%m-%d}"
        if fmt == "csv":
            data, kind = exports.csv_text(d).encode(), "text/csv; charset=utf-8"
        else:
            data, kind = exports.xlsx(d), XLSX
        run.keep_result(data, name=f"{stem}.{'csv' if fmt == 'csv' else 'xlsx'}", content_type=kind)
        run.note(units=1 + len(d.rows))
        run.progress(1, 1)


def _alive(run: jobs.Run, batch: int | None) -> AbstractContextManager[None]:
    """Every commune in one transaction (PostgreSQL, no batch asked for): no report until it
    ends, so the heartbeat is kept by a thread of its own meanwhile."""
    return run.keeping_alive() if summaries.whole_table(batch) else nullcontext()


@jobs.kind(
    "kpi.rebuild",
    label=_("Rebuilding the dashboards' figures"),
    counting=_("communes"),
    allowed=can_run_national_job,
    notes={"communes": _("Communes recounted"), "month_rows": _("Month rows rebuilt")},
)
def rebuild(run: jobs.Run) -> None:
    """``rebuild_summaries`` (and ``--history MONTHS``): the set-based rebuild batch by batch,
    each batch committed and then reported with the last commune as the checkpoint; then the
    history, month rows counted in the database (``summaries.backfill_all``). On PostgreSQL
    each stage is one batch of every commune, unless ``batch`` is given. Each batch replaces
    its rows: done again, the same rows."""
    months = int(run.params.get("history", 0))
    # No batch asked for: every commune at once on PostgreSQL (one transaction; a run killed
    # in it starts that stage again), SET_BATCH communes a checkpoint elsewhere.
    batch = int(run.params["batch"]) if run.params.get("batch") else None
    point = run.checkpoint
    if point.get("stage", "rebuild") == "rebuild":
        steps = {"n": 0}

        def reported(done: int, total: int, last: str) -> None:
            steps["n"] = total
            run.progress(done, total, checkpoint={"stage": "rebuild", "after": last})

        with _alive(run, batch):
            summaries.rebuild(progress=reported, after=point.get("after"), batch=batch)
        run.note(communes=steps["n"] or run.job.total)
        point = {"stage": "history", "after": None}
        run.progress(run.job.total, run.job.total, checkpoint=point)
    if months:
        start_rows = int(point.get("rows", 0))

        def written(done: int, total: int, last: str, rows: int) -> None:
            point = {"stage": "history", "after": last, "rows": start_rows + rows}
            run.progress(done, total, checkpoint=point)

        with _alive(run, batch):
            rows = start_rows + summaries.backfill_all(
                months=months, after=point.get("after"), progress=written, batch=batch
            )
        run.note(month_rows=rows)


@jobs.kind(
    "kpi.check",
    label=_("Checking the dashboards' figures against a recount"),
    counting=_("communes"),
    allowed=can_run_national_job,
    notes={"differences": _("Differences found")},
)
def check(run: jobs.Run) -> None:
    """``check_summaries`` as a job: batch by batch, the differences found so far kept in the
    checkpoint (codes and counts only, no personal data), then written as a text file."""
    found: list[str] = list(run.checkpoint.get("found", []))

    def reported(done: int, total: int, last: str, new: list[summaries.Difference]) -> None:
        found.extend(str(d) for d in new)
        run.progress(done, total, checkpoint={"after": last, "found": found[:1000]})

    with _alive(run, None):
        summaries.check(progress=reported, after=run.checkpoint.get("after"))
    run.note(differences=len(found))
    text = "\n".join(found) if found else str(_("No difference."))
    run.keep_result(text.encode(), name="check-summaries.txt", content_type="text/plain")


def start_export(*, actor: Any, level: str, code: str, fmt: str, area: str) -> Any:
    return jobs.start(
        actor=actor,
        kind="kpi.export",
        level=level,
        code=code,
        params={"fmt": fmt, "area": area, "lang": translation.get_language() or "vi"},
    )
