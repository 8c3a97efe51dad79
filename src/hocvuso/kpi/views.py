"""Dashboard pages (nation, province, commune, village), exports, the monthly report and the
targets form. Thin: parse the query, build the dashboard, turn it into drawable parts, render.
Out of scope → 404, as everywhere."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.kpi import can_open_targets, home_unit
from hocvuso.access.units import is_province_officer
from hocvuso.core.errors import NotFound
from hocvuso.core.replicas import replica_reads
from hocvuso.core.web import not_found_as_404, run_form
from hocvuso.kpi import dashboards, exports, maps, present, selectors, services
from hocvuso.kpi import jobs as kpi_jobs
from hocvuso.kpi.dashboards import Dashboard
from hocvuso.kpi.forms import TargetForm
from hocvuso.kpi.selectors import AREAS, UnitRef

URL_NAMES = {
    "national": "kpi:national",
    "province": "kpi:province",
    "commune": "kpi:commune",
    "village": "kpi:village",
}


@functools.cache
def _url_pattern(level: str) -> str:
    """The level's URL with a placeholder for the code (reverse() once, not per row)."""
    if level == "national":
        return reverse(URL_NAMES[level])
    sample = "00000000-0000-0000-0000-000000000000" if level == "village" else "CODE"
    return reverse(URL_NAMES[level], args=[sample]).replace(sample, "{code}")


def unit_url(level: str, code: str, **params: str) -> str:
    url = _url_pattern(level).replace("{code}", code)
    params = {k: v for k, v in params.items() if v and not (k == "vung" and v == "all")}
    return f"{url}?{urlencode(params)}" if params else url


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The widest dashboard the user may open."""
    unit = home_unit(request.user)
    if unit is None:
        raise Http404()
    return redirect(unit_url(*unit))


def _build(request: HttpRequest, level: str, code: str, *, full: bool = True) -> Dashboard:
    return dashboards.build(
        actor=request.user,
        level=level,
        code=code,
        area=request.GET.get("vung", "all"),
        indicator=request.GET.get("i", ""),
        full=full,
    )


def _crumbs(unit: UnitRef, actor: Any) -> list[tuple[str, str]]:
    """Links up the hierarchy, only to the levels the user may open."""
    out: list[tuple[str, str]] = []
    home = home_unit(actor)
    order = ["national", "province", "commune", "village"]
    top = order.index(home[0]) if home else 3
    chain: list[tuple[str, str, str]] = [("national", "", _("Nationwide"))]
    names = selectors.unit_names(unit)
    if unit.province and unit.level != "province":
        chain.append(("province", unit.province, names["province"]))
    if unit.commune:
        chain.append(("commune", unit.commune, names["commune"]))
    for level, code, name in chain:
        if order.index(level) >= top and (level, code) != (unit.level, unit.code):
            out.append((name, unit_url(level, code)))
    return out


def _context(request: HttpRequest, d: Dashboard) -> dict[str, Any]:
    selected = d.selected
    charts = []
    months = [m for m, _v in d.trend]
    for cell in d.cells:
        series = [(m, v.get(cell.indicator.code)) for m, v in d.trend]
        line = present.chart(series, cell.indicator, cell.target)
        charts.append((cell, line, present.chart_svg(line, "spark", 2.5)))
    big = None
    if selected is not None:
        own = next((c for c in d.cells if c.indicator.code == selected.code), None)
        big = present.chart(
            [(m, v.get(selected.code)) for m, v in d.trend],
            selected,
            own.target if own else None,
            width=640,
            height=200,
        )
    area = d.area
    ranking = [
        (
            row,
            row.cell(selected.code) if selected else None,
            unit_url(row.child.level, row.child.code, i=selected.code if selected else "")
            if row.child.code
            else "",
        )
        for row in d.ranking
    ]
    shapes: list[present.Shape] = []
    points: list[present.Point] = []
    viewbox = maps.viewbox()
    show_points = request.GET.get("diem") == "1"
    if selected is not None and d.unit.level == "national":
        shapes = present.province_shapes(
            [
                (
                    r.child.code,
                    r.child.name,
                    r.cell(selected.code),
                    unit_url("province", r.child.code, i=selected.code, vung=area),
                )
                for r in d.rows
            ]
        )
        if show_points:
            book = selectors.target_book(d.year, d.month)
            items = []
            for commune, f in selectors.all_communes(area=area):
                ref = UnitRef(
                    "commune",
                    commune.code,
                    commune.name,
                    province=commune.province_id,
                    remote=commune.is_remote or commune.is_ethnic_minority,
                )
                cell = selectors.cells([selected], f, book, ref)[0]
                items.append(
                    (
                        commune,
                        commune.name,
                        cell,
                        unit_url("commune", commune.code, i=selected.code),
                    )
                )
            points = present.commune_points(items)
    elif selected is not None and d.unit.level == "province":
        viewbox = maps.province_viewbox(d.unit.code)
        outline = maps.map_data().provinces.get(d.unit.code, "")
        if outline:
            shapes = [present.Shape(d.unit.code, d.unit.name, outline, "outline", d.unit.name, "")]
        points = present.commune_points(
            [
                (
                    r.child,
                    r.child.name,
                    r.cell(selected.code),
                    unit_url("commune", r.child.code, i=selected.code),
                )
                for r in d.rows
            ]
        )
    level_code = d.unit.code
    return {
        "d": d,
        "unit": d.unit,
        "charts": charts,
        "big": big,
        "big_svg": present.chart_svg(big, "chart", 3.5) if big else "",
        "map_svg": present.map_svg(
            viewbox,
            f"{_('Map')}: {selected.name}" if selected else _("Map"),
            shapes,
            points,
            maps.map_data().archipelagos if d.unit.level == "national" else [],
            1.2 if d.unit.level == "province" else 0.9,
        )
        if shapes or points
        else "",
        "months": months,
        "ranking": ranking,
        "ranking_html": present.ranking_rows(ranking),
        "shapes": shapes,
        "points": points,
        "viewbox": viewbox,
        "show_points": show_points,
        "archipelagos": maps.map_data().archipelagos if d.unit.level == "national" else [],
        "crumbs": _crumbs(d.unit, request.user),
        "areas": [
            (
                a,
                label,
                unit_url(d.unit.level, level_code, i=selected.code if selected else "", vung=a),
            )
            for a, label in (
                ("all", _("All areas")),
                ("remote", _("Remote / ethnic-minority")),
                ("other", _("Other areas")),
            )
        ]
        if d.unit.level in ("national", "province")
        else [],
        "choices": [
            (i, unit_url(d.unit.level, level_code, i=i.code, vung=area))
            for i in d.indicators
            if d.child_level and d.child_level in i.levels
        ],
        "export_xlsx": _export_url(d.unit, "xlsx", area),
        "export_csv": _export_url(d.unit, "csv", area),
        "export_job_url": (
            reverse("kpi:national_export_job")
            if d.unit.level == "national"
            else reverse("kpi:province_export_job", args=[d.unit.code])
            if d.unit.level == "province"
            else ""
        ),
        "area": area,
        "report_url": reverse("kpi:national_report")
        if d.unit.level == "national"
        else reverse(f"kpi:{d.unit.level}_report", args=[level_code])
        if d.unit.level in ("province", "commune")
        else "",
        "targets_url": _targets_url(request.user, d.unit),
        "areas_url": (
            reverse("registry:area_flags", args=[d.unit.code])
            if d.unit.level == "province" and is_province_officer(request.user, d.unit.code)
            else ""
        ),
        "points_url": unit_url(
            "national", "", i=selected.code if selected else "", vung=area, diem="1"
        )
        if d.unit.level == "national"
        else "",
    }


def _export_url(unit: UnitRef, fmt: str, area: str) -> str:
    args = [fmt] if unit.level == "national" else [unit.code, fmt]
    url = reverse(f"kpi:{unit.level}_export", args=args)
    return f"{url}?vung={area}" if area != "all" else url


def _targets_url(actor: Any, unit: UnitRef) -> str:
    """The targets page this dashboard leads to, if the actor sets targets there."""
    if unit.level not in ("national", "province"):
        return ""
    code = unit.code if unit.level == "province" else None
    if not can_open_targets(actor, code):
        return ""
    return reverse("kpi:targets_province", args=[code]) if code else reverse("kpi:targets_national")


def _render(request: HttpRequest, level: str, code: str) -> HttpResponse:
    d = _build(request, level, code, full=False)
    response = render(request, "kpi/dashboard.html", _context(request, d))
    response["Cache-Control"] = "private, max-age=60"
    return response


@login_required
@require_GET
@not_found_as_404
@replica_reads
def dashboard(request: HttpRequest, level: str, code: str | UUID = "") -> HttpResponse:
    """Any level's page; ``level`` comes from the URL pattern."""
    return _render(request, level, str(code))


def _export(request: HttpRequest, level: str, code: str, fmt: str) -> HttpResponse:
    d = _build(request, level, code)
    stem = f"hocvuso-{level}-{code or 'vn'}-{d.as_of:%Y-%m-%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx(d),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "csv":
        response = HttpResponse(exports.csv_text(d), content_type="text/csv; charset=utf-8")
    else:
        raise NotFound()
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@login_required
@require_GET
@not_found_as_404
@replica_reads
def export(request: HttpRequest, level: str, fmt: str, code: str | UUID = "") -> HttpResponse:
    return _export(request, level, str(code), fmt)


@login_required
@require_POST
@not_found_as_404
def export_job(request: HttpRequest, level: str, code: str = "") -> HttpResponse:
    """The nation's or a province's export prepared in the background: the job's page follows
    it and offers the file when it is done."""
    fmt = request.POST.get("fmt", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise NotFound()
    area = request.POST.get("vung", "all")
    job = kpi_jobs.start_export(
        actor=request.user, level=level, code=code, fmt=fmt, area=area if area in AREAS else "all"
    )
    return redirect("ui:job", job_id=job.pk)


# --- The monthly report -----------------------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
@replica_reads
def report(request: HttpRequest, level: str, code: str = "") -> HttpResponse:
    r = dashboards.monthly_report(
        actor=request.user, level=level, code=code, month=request.GET.get("thang", "")
    )
    return render(
        request,
        "kpi/report.html",
        {"r": r, "dashboard_url": unit_url(level, code), "printed": timezone.localtime()},
    )


# --- Targets ----------------------------------------------------------------------------------


def _targets(request: HttpRequest, province_code: str | None) -> HttpResponse:
    prov, units = selectors.target_scope(request.user, province_code)
    today = timezone.localdate()
    inds = selectors.indicators()
    years = list(range(today.year - 1, today.year + 6))
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        initial={"year": today.year},
        units=units,
        indicators=inds,
        years=years,
    )

    def save(f: TargetForm) -> None:
        data = f.cleaned_data
        place = selectors.target_place_of(data["unit"])
        services.target_set(
            actor=request.user,
            indicator=next(i for i in inds if i.code == data["indicator"]),
            year=data["year"],
            month=data["month"],
            value=data["value"] or None,
            province=place.province,
            commune=place.commune,
            remote_only=place.remote_only,
        )

    if request.method == "POST" and run_form(form, save):
        messages.success(request, _("Target saved."))
        return redirect(request.path)
    rows = selectors.target_rows(prov, today.year)
    return render(
        request,
        "kpi/targets.html",
        {
            "province": prov,
            "units": units,
            "indicators": inds,
            "form": form,
            "errors": form.errors_by_field() if form.is_bound else {},
            "rows": rows,
            "years": years,
            "month_choices": list(range(1, 13)),
            "dashboard_url": unit_url("province", prov.code) if prov else unit_url("national", ""),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def targets_national(request: HttpRequest) -> HttpResponse:
    return _targets(request, None)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def targets_province(request: HttpRequest, code: str) -> HttpResponse:
    return _targets(request, code)
