"""The pages that compose every app: the commune finder, the commune's home (its registry and
the doors to each of the movement's models), a person's record (registry details, skills, the
audited reveal of their full ID number). Thin: selectors of each app, rendered together."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.learning import can_edit_content
from hocvuso.access.registry import can_reveal_cccd, can_see_sensitive
from hocvuso.access.scope import is_mentor
from hocvuso.access.skills import can_record_skills
from hocvuso.access.units import access_commune, can_edit_commune, is_officer
from hocvuso.assistance import selectors as assistance_selectors
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.web import add_domain_error, not_found_as_404, paginate, search_term
from hocvuso.desk import selectors as desk_selectors
from hocvuso.kpi import selectors as kpi_selectors
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry import services as registry_services
from hocvuso.registry.forms import RevealForm
from hocvuso.registry.models import Person
from hocvuso.skills import selectors as skills_selectors
from hocvuso.teams import selectors as teams_selectors
from hocvuso.ui.forms import CommuneSearchForm

# --- Home: the commune finder -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    q, redirect_to = search_term(request)
    if redirect_to is not None:
        return redirect_to
    form = CommuneSearchForm(initial={"q": q})
    mine = registry_selectors.own_people(actor=request.user)
    total = registry_selectors.commune_list(actor=request.user).count()
    page = None
    if total:
        found = registry_selectors.commune_list(actor=request.user, q=q)
        page = paginate(found, request.GET.get("page"))
    return render(
        request,
        "ui/home.html",
        {
            "form": form,
            "q": q,
            "total": total,
            "page": page,
            "mine": mine,
            "asked": assistance_selectors.own_help_requests(
                actor=request.user, person_ids=[p.pk for p in mine]
            ),
            "help_worklists": assistance_selectors.worklist_communes(actor=request.user),
            "youth": registry_selectors.youth_commune_list(actor=request.user),
            "desks": registry_selectors.desk_commune_list(actor=request.user),
            "teams": teams_selectors.own_team_list(actor=request.user),
            "mentor": is_mentor(request.user),
            "steering": kpi_selectors.steering_home(actor=request.user),
            "content": can_edit_content(request.user),
        },
    )


# --- Commune: its registry and the doors to the movement's models -----------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def commune(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code)
    q, redirect_to = search_term(request)
    if redirect_to is not None:
        return redirect_to
    counts = registry_selectors.commune_counts(actor=request.user, commune=commune)
    villages = list(registry_selectors.villages_of(commune=commune))
    households_in = kpi_selectors.village_households(commune.code)
    for v in villages:
        v.household_count = households_in.get(v.pk, 0)  # type: ignore[attr-defined]
    village = None
    if request.GET.get("village"):
        village = next((v for v in villages if str(v.pk) == request.GET["village"]), None)
    households = registry_selectors.household_keys(
        actor=request.user, commune=commune, village=village, q=q
    )
    return render(
        request,
        "ui/commune.html",
        {
            "commune": commune,
            "can_edit": can_edit_commune(request.user, commune.code),
            "officer": is_officer(request.user, commune.code),
            "counts": counts,
            "villages": villages,
            "q": q,
            "village": village,
            "page": paginate(
                households,
                request.GET.get("page"),
                rows=registry_selectors.household_rows,
                # the whole commune's: already counted for the page's figures
                count=counts["households"] if village is None and not q else None,
            ),
            "desk": desk_selectors.commune_desk(actor=request.user, commune=commune),
        },
    )


# --- A person's record ------------------------------------------------------------------------


def _person_page(
    request: HttpRequest,
    person: Person,
    *,
    reveal_form: RevealForm | None = None,
    revealed: str = "",
    status: int = 200,
) -> HttpResponse:
    skills = skills_selectors.person_skills(actor=request.user, person=person)
    response = render(
        request,
        "ui/person.html",
        {
            "commune": person.commune,
            "household": person.household,
            "person": person,
            "sensitive": can_see_sensitive(request.user, person.commune_id, person.pk),
            "can_edit": can_edit_commune(request.user, person.commune_id),
            "can_reveal": can_reveal_cccd(request.user, person.commune_id),
            "reveal_form": reveal_form or RevealForm(),
            "revealed": revealed,
            "is_head": person.household.head_id == person.pk,
            "skill_status": skills.status,
            "skill_events": skills.events,
            "can_record_skills": can_record_skills(request.user, person),
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
@not_found_as_404
def person(request: HttpRequest, person_id: UUID) -> HttpResponse:
    try:
        found = registry_selectors.person_get(request.user, person_id)
    except NotFound:
        # A record merged into another: its address leads to the record kept (if seen).
        survivor = registry_selectors.survivor_get(request.user, person_id)
        return redirect("ui:person", person_id=survivor.pk)
    return _person_page(request, found)


@sensitive_variables("number")
@login_required
@require_POST
@not_found_as_404
def person_reveal_cccd(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """The full CCCD on this one response only: never stored, never in a URL, never cached."""
    person = registry_selectors.person_get(request.user, person_id)
    form = RevealForm(request.POST)
    number = ""
    if form.is_valid():
        try:
            number = registry_services.person_reveal_cccd(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    response = _person_page(
        request, person, reveal_form=form, revealed=number, status=200 if number else 400
    )
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response
