"""Skill pages: record a skill event for a person (mobile-first, a few taps) and reverse one.

Thin: parse input, call one selector or service, render. Out of scope → 404, as everywhere.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.access.skills import can_record_skills
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.web import add_domain_error, not_found_as_404
from hocvuso.registry import selectors as registry_selectors
from hocvuso.skills import selectors, services
from hocvuso.skills.forms import ReverseForm, SkillEventForm


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def record(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = registry_selectors.person_get(request.user, person_id)
    if not can_record_skills(request.user, person):
        raise NotFound()
    areas = list(selectors.catalogue())
    form = SkillEventForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            services.skill_event_record(
                actor=request.user,
                id=data["id"],
                person=person,
                skill=selectors.skill_get(code=data["skill"]),
                happened_on=data["happened_on"],
                channel=data["channel"],
                helped_by=request.user if data["helped"] else None,
                note=data["note"],
            )
        except NotFound:
            form.add_error("skill", _("Choose a skill from the list."))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect("ui:person", person_id=person.pk)
    response = render(
        request,
        "skills/record.html",
        {"commune": person.commune, "household": person.household, "person": person, "form": form},
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
@not_found_as_404
def reverse(request: HttpRequest, event_id: UUID) -> HttpResponse:
    event = selectors.event_get(request.user, event_id)
    if not can_record_skills(request.user, event.person):
        raise NotFound()
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.skill_event_reverse(
                actor=request.user,
                event=event,
                reason=form.cleaned_data["reason"],
                id=uuid7(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The record was withdrawn."))
            return redirect("ui:person", person_id=event.person_id)
    return render(
        request,
        "skills/reverse_failed.html",
        {"person": event.person, "form": form},
        status=400,
    )
