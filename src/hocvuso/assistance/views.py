"""Help pages: a citizen asks for help; the commune's worklist of requests; one request, where a
helper takes it, answers it and closes it. Thin: parse input, call one selector or service,
render. Out of scope → 404, as everywhere."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.assistance import can_ask_help, can_read_help_requests
from hocvuso.access.units import access_commune
from hocvuso.assistance import selectors, services
from hocvuso.assistance.forms import AskForm, StepForm
from hocvuso.core.errors import DomainError, ensure
from hocvuso.core.web import add_domain_error, not_found_as_404, paginate
from hocvuso.registry import selectors as registry_selectors


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def ask(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """A citizen asks for help for their own record."""
    person = registry_selectors.person_get(request.user, person_id)
    ensure(can_ask_help(request.user, person))
    skills = selectors.skill_choices()
    form = AskForm(request.POST or None, skills=skills)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            r = services.help_request_ask(
                actor=request.user,
                id=data["id"],
                person=person,
                skill=form.skills.get(data["skill"]),
                need=data["need"],
                contact=data["contact"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Your request is sent. A helper of your commune will answer.")
            )
            return redirect("assistance:request", request_id=r.pk)
    response = render(
        request,
        "assistance/ask.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
@not_found_as_404
def worklist(request: HttpRequest, code: str) -> HttpResponse:
    """The commune's requests the user may read (a team member: their villages')."""
    commune = access_commune(request.user, code, allowed=can_read_help_requests)
    closed = request.GET.get("da-dong") == "1"
    qs = selectors.help_request_list(actor=request.user, commune=commune, closed=closed)
    return render(
        request,
        "assistance/worklist.html",
        {
            "commune": commune,
            "closed": closed,
            "page": paginate(qs, request.GET.get("page"), rows=selectors.help_request_rows),
        },
    )


def _request_page(
    request: HttpRequest, r: Any, form: StepForm | None = None, status: int = 200
) -> HttpResponse:
    view = selectors.help_request_view(actor=request.user, request=r)
    response = render(
        request,
        "assistance/request.html",
        {
            "commune": r.commune,
            "v": view,
            "r": r,
            "form": form or StepForm(initial={"answer": r.answer}),
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
@not_found_as_404
def request_detail(request: HttpRequest, request_id: UUID) -> HttpResponse:
    return _request_page(request, selectors.help_request_get(request.user, request_id))


@login_required
@require_POST
@not_found_as_404
def request_step(request: HttpRequest, request_id: UUID) -> HttpResponse:
    """Take, answer or close the request (one form, its ``step`` field)."""
    r = selectors.help_request_get(request.user, request_id)
    form = StepForm(request.POST)
    if form.is_valid():
        step = form.cleaned_data["step"]
        try:
            if step == "answer":
                services.help_request_answer(
                    actor=request.user, request=r, answer=form.cleaned_data["answer"]
                )
                messages.success(request, _("Answer saved. Close the request when it is done."))
            elif step == "take":
                services.help_request_take(actor=request.user, request=r)
                messages.success(request, _("Request taken: it is yours to answer."))
            else:
                services.help_request_close(actor=request.user, request=r)
                messages.success(request, _("Request closed."))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("assistance:request", request_id=r.pk)
    return _request_page(request, r, form, status=400)


@login_required
@require_POST
@not_found_as_404
def withdraw(request: HttpRequest, request_id: UUID) -> HttpResponse:
    """The asker withdraws their request."""
    r = selectors.help_request_get(request.user, request_id)
    try:
        services.help_request_withdraw(actor=request.user, request=r)
    except DomainError as exc:
        form = StepForm({"step": "close"})
        form.is_valid()  # bound and cleaned, so the service's reason can be put on it
        add_domain_error(form, exc)
        return _request_page(request, r, form, status=400)
    messages.success(request, _("Your request is withdrawn."))
    return redirect("assistance:request", request_id=r.pk)
