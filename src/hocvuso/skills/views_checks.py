"""Pages of the back-checks (verification of reported skill events). Thin: parse input, call
one selector or service, render. Out of scope → 404, as everywhere."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hocvuso.access.checks import can_draw_checks, can_read_checks, ensure_checks
from hocvuso.access.units import access_commune
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.web import add_domain_error, not_found_as_404, paginate
from hocvuso.skills import checks
from hocvuso.skills.forms import DrawForm, OutcomeForm


def _draw_form(data: Any = None) -> DrawForm:
    return DrawForm(data)


@login_required
@require_GET
@not_found_as_404
def check_rounds(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_read_checks)
    qs = checks.round_list(actor=request.user, commune=commune)
    page = paginate(qs, request.GET.get("page"), rows=checks.round_rows)
    can_draw = can_draw_checks(request.user, commune.code)
    rates = checks.confirmation_rates(actor=request.user, commune=commune)
    return render(
        request,
        "skills/check_rounds.html",
        {
            "commune": commune,
            "page": page,
            "rates": checks.worst_rates(rates),
            "rates_total": len(rates),
            "can_draw": can_draw,
            "form": _draw_form() if can_draw else None,
        },
    )


@login_required
@require_POST
@not_found_as_404
def check_draw(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_draw_checks)
    form = _draw_form(request.POST)
    helper = None
    if form.is_valid() and form.cleaned_data["helper"]:
        helper = checks.helper_named(commune, form.cleaned_data["helper"])
        if helper is None:
            unknown = _("Nobody helping citizens in this commune has this username.")
            form.add_error("helper", unknown)
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            rnd = checks.check_round_draw(
                actor=request.user,
                id=data["id"],
                commune=commune,
                period_from=data["period_from"],
                period_to=data["period_to"],
                percent=data["percent"],
                seed=data["seed"],
                channel=data["channel"],
                helper=helper,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Sample drawn."))
            return redirect("skills:check_round", round_id=rnd.pk)
    return render(
        request,
        "skills/check_rounds.html",
        {"commune": commune, "page": None, "rates": [], "can_draw": True, "form": form},
        status=400,
    )


@login_required
@require_GET
@not_found_as_404
def check_round(request: HttpRequest, round_id: UUID) -> HttpResponse:
    rnd = checks.round_get(request.user, round_id)
    can_draw = can_draw_checks(request.user, rnd.commune_id)
    response = render(
        request,
        "skills/check_round.html",
        {
            "commune": rnd.commune,
            "round": rnd,
            "checks": list(checks.round_checks(rnd)),
            "can_draw": can_draw,
            "outcome_form": OutcomeForm(),
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
@not_found_as_404
def check_assign(request: HttpRequest, round_id: UUID) -> HttpResponse:
    rnd = checks.round_get(request.user, round_id)
    ensure_checks(request.user, rnd.commune_id, write=True)
    try:
        ids = [UUID(x) for x in request.POST.getlist("check")]
    except ValueError:
        raise NotFound() from None
    try:
        user = checks.checker_get(rnd, request.POST.get("user"))
    except NotFound:
        messages.error(request, _("Choose who does the checks."))
        return redirect("skills:check_round", round_id=rnd.pk)
    try:
        n = checks.check_assign(actor=request.user, round=rnd, checks=ids, user=user)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s checks assigned.") % {"n": n})
    return redirect("skills:check_round", round_id=rnd.pk)


@login_required
@require_POST
@not_found_as_404
def check_outcome(request: HttpRequest, check_id: UUID) -> HttpResponse:
    check = checks.check_get(request.user, check_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the outcome."))
    else:
        try:
            checks.check_outcome_record(
                actor=request.user,
                check=check,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Outcome recorded."))
    if can_read_checks(request.user, check.round.commune_id):
        return redirect("skills:check_round", round_id=check.round_id)
    return redirect("ui:home")
