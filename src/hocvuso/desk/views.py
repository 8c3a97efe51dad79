"""Support-desk pages: the desk's day, logging a visit in a few taps, the log, one visit.

Thin: parse input, call one selector or service, render. Out of scope → 404, as everywhere.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hocvuso.access.desk import can_log_visits, can_read_visits
from hocvuso.access.units import access_commune
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.web import add_domain_error, not_found_as_404, outbox_strings, paginate
from hocvuso.desk import selectors, services
from hocvuso.desk.forms import NEW_HOUSEHOLD, VisitForm
from hocvuso.geo.models import Commune
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry.models import Person
from hocvuso.registry.services import PossibleDuplicate


@login_required
@require_GET
@not_found_as_404
def day(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_read_visits)
    today = timezone.localdate()
    visits = list(selectors.visit_list(actor=request.user, commune=commune, day=today))
    figures = selectors.desk_figures(actor=request.user, communes=[commune.code])[commune.code]
    return render(
        request,
        "desk/day.html",
        {
            "commune": commune,
            "today": today,
            "visits": visits,
            "figures": figures,
            "can_log": can_log_visits(request.user, commune.code),
        },
    )


@login_required
@require_GET
@not_found_as_404
def visits(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_read_visits)
    qs = selectors.visit_list(actor=request.user, commune=commune)
    page = paginate(qs, request.GET.get("page"), rows=selectors.visit_rows)
    return render(request, "desk/visits.html", {"commune": commune, "page": page})


@login_required
@require_GET
@not_found_as_404
def visit(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    v = selectors.desk_visit_get(request.user, visit_id)
    return render(request, "desk/visit.html", {"commune": v.commune, "visit": v})


def _new_person(data: dict[str, Any], commune: Commune, request: HttpRequest) -> Any:
    household = None
    if data["household"] and data["household"] != NEW_HOUSEHOLD:
        household = registry_selectors.household_get(request.user, data["household"])
        if household.commune_id != commune.code:
            raise NotFound()
    return services.NewPerson(
        full_name=data["new_full_name"],
        sex=data["new_sex"],
        birth_year=data["new_birth_year"],
        phone=data["new_phone"],
        household=household,
        confirmed_new=data["confirmed_new"],
    )


def _person(data: dict[str, Any], commune: Commune, request: HttpRequest) -> Person | None:
    if not data["person"]:
        return None
    person = registry_selectors.person_get(request.user, data["person"])
    if person.commune_id != commune.code:
        raise NotFound()
    return person


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def log(request: HttpRequest, code: str) -> HttpResponse:
    """Log a citizen helped at the desk. "Find" re-shows the form with the people found (the
    search text is never written back: it may be a CCCD); "Save" logs the visit."""
    commune = access_commune(request.user, code, allowed=can_log_visits)
    form = VisitForm(request.POST or None)
    found: list[Person] = []
    offered = False
    if request.method == "POST" and "find" in request.POST:
        found = selectors.person_search(
            actor=request.user, commune=commune, q=request.POST.get("q", "")[:100]
        )
        form = VisitForm(initial={k: v for k, v in request.POST.items() if k in form.fields})
        if not found:
            messages.info(request, _("Nobody found. Add the person below."))
    elif request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        person = _person(data, commune, request)
        new_person = None
        if person is None and data["new_full_name"]:
            new_person = _new_person(data, commune, request)
        try:
            v = services.desk_visit_record(
                actor=request.user,
                id=data["id"],
                commune=commune,
                person=person,
                new_person=new_person,
                procedure=data["procedure"],
                outcome=data["outcome"],
                can_do_alone=data["can_do_alone"],
                note=data["note"],
                happened_at=data["happened_at"],
            )
        except DomainError as exc:
            if isinstance(exc, PossibleDuplicate):
                # The people the walk-in may be: chosen with the radio buttons, or confirmed new.
                found, offered = [m.person for m in exc.matches], True
            if exc.field and exc.field not in form.fields and f"new_{exc.field}" in form.fields:
                exc.field = f"new_{exc.field}"
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Visit logged."))
            return redirect("desk:visit", visit_id=v.pk)
    households = list({p.household_id: p.household for p in found}.values())
    response = render(
        request,
        "desk/log.html",
        {
            "commune": commune,
            "form": form,
            "found": found,
            "offered": offered,
            "households": households,
        },
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


# --- The desk log offline (the field app) -------------------------------------------------------


@login_required
@require_GET
def field(request: HttpRequest) -> HttpResponse:
    """The desk log when the commune's line is down: a shell with no data of its own (the
    citizen is found in the phone's copy of the commune's registry, ui/field/field.js and
    desk/field.js), so the service worker may keep it for use offline."""
    return render(request, "desk/field.html", {"strings": field_strings()})


def field_strings() -> dict[str, Any]:
    """The words of the offline desk log, translated here (the phone has no catalogue)."""
    from hocvuso.desk.models import Outcome
    from hocvuso.desk.procedures import PROCEDURES

    return {
        **outbox_strings(),
        "no_registry": _("This phone holds no registry of a commune's desk."),
        "search": _("Find the citizen by name"),
        "procedure": _("Procedure"),
        "procedures": [[p.code, p.name] for p in PROCEDURES],
        "outcome": _("Outcome"),
        "outcomes": [[str(value), str(label)] for value, label in Outcome.choices],
        "can_do_alone": _("Can do it alone next time"),
        "note": _("Note"),
        "save": _("Save the visit"),
        "cancel": _("Cancel"),
        "logged": _("Logged on this phone"),
        "waiting": _("Waiting to be sent"),
        "device_name": _("Field app"),
    }
