"""Server-rendered pages for commune officers. Thin: parse input, call a selector or a service,
render. Every write goes through a service with ``actor=request.user``; a rule broken becomes a
form error, an object out of scope a 404."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.core.access import (
    can_edit_commune,
    can_record_skills,
    can_reveal_cccd,
    can_see_sensitive,
    commune_q,
    ensure_commune,
    is_officer,
)
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.phones import format_phone
from hocvuso.desk import selectors as desk_selectors
from hocvuso.geo import selectors as geo_selectors
from hocvuso.geo import services as geo_services
from hocvuso.geo.models import Commune, Village
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry import services as registry_services
from hocvuso.registry.models import Household, Person
from hocvuso.registry.parsing import parse_birth
from hocvuso.skills import selectors as skills_selectors
from hocvuso.web.forms import (
    CommuneSearchForm,
    HeadForm,
    HouseholdForm,
    PersonForm,
    RevealForm,
    VillageForm,
    VillageImportForm,
    add_domain_error,
)

View = Callable[..., HttpResponse]


def not_found_as_404(view: View) -> View:
    """Out of scope or missing: the same 404, with no hint which."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None

    return wrapper


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    return Paginator(qs, settings.HOCVUSO_PAGE_SIZE).get_page(request.GET.get("page"))


def _commune(request: HttpRequest, code: str, *, write: bool = False) -> Commune:
    """The commune if the user may open it (``write``: may keep its registry); else 404."""
    if not code.isdigit():
        raise NotFound()
    commune = geo_selectors.commune_get(code=code)
    ensure_commune(request.user, commune.code, write=write)
    return commune


def _village(commune: Commune, village_id: Any) -> Village:
    try:
        return geo_selectors.village_list(commune=commune).get(pk=UUID(str(village_id)))
    except (ValueError, Village.DoesNotExist):
        raise NotFound() from None


# --- Home: the commune finder -----------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = CommuneSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    visible = geo_selectors.commune_search().filter(commune_q(request.user))
    total = visible.count()
    page = None
    if total:
        page = _page(request, geo_selectors.commune_search(q=q).filter(commune_q(request.user)))
    return render(request, "web/home.html", {"form": form, "q": q, "total": total, "page": page})


# --- Commune: villages and households -----------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
def commune(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune(request, code)
    counts = registry_selectors.commune_counts(actor=request.user, commune=commune)
    villages = list(
        geo_selectors.village_list(commune=commune).annotate(household_count=Count("households"))
    )
    q = request.GET.get("q", "").strip()[:100]
    village = None
    if request.GET.get("village"):
        village = next((v for v in villages if str(v.pk) == request.GET["village"]), None)
    households = registry_selectors.household_list(
        actor=request.user, commune=commune, village=village, q=q
    )
    return render(
        request,
        "web/commune.html",
        {
            "commune": commune,
            "can_edit": can_edit_commune(request.user, commune.code),
            "officer": is_officer(request.user, commune.code),
            "counts": counts,
            "villages": villages,
            "q": q,
            "village": village,
            "page": _page(request, households),
            "desk": desk_selectors.commune_desk(actor=request.user, commune=commune),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def village_create(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune(request, code, write=True)
    form = VillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village = geo_services.village_create(
                actor=request.user, commune=commune, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Village “%(name)s” added.") % {"name": village.name})
            return redirect("web:commune", code=commune.code)
    return render(request, "web/village_form.html", {"commune": commune, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def village_edit(request: HttpRequest, code: str, village_id: UUID) -> HttpResponse:
    commune = _commune(request, code, write=True)
    village = _village(commune, village_id)
    initial = {
        "name": village.name,
        "kind": village.kind,
        "is_remote": village.is_remote,
        "is_ethnic_minority": village.is_ethnic_minority,
    }
    form = VillageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if not values["kind"]:
            values.pop("kind")
        try:
            geo_services.village_update(actor=request.user, village=village, **values)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Village saved."))
            return redirect("web:commune", code=commune.code)
    return render(
        request, "web/village_form.html", {"commune": commune, "form": form, "village": village}
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def villages_import(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune(request, code, write=True)
    form = VillageImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            result = geo_services.villages_import_csv(
                actor=request.user, commune=commune, data=data
            )
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request, "web/village_import.html", {"commune": commune, "form": form, "result": result}
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def household_create(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune(request, code, write=True)
    villages = geo_selectors.village_list(commune=commune)
    initial = {}
    if request.GET.get("village"):
        initial["village"] = request.GET["village"]
    form = HouseholdForm(request.POST or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            household = registry_services.household_create(
                actor=request.user, commune=commune, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Household %(code)s added.") % {"code": household.code})
            return redirect("web:household", household_id=household.pk)
    return render(request, "web/household_form.html", {"commune": commune, "form": form})


# --- Household --------------------------------------------------------------------------------


def _person_form_values(form: PersonForm) -> dict[str, Any]:
    """The service arguments of a valid person form (the birth text parsed here)."""
    data = dict(form.cleaned_data)
    data.pop("remove_cccd", None)
    data["birth_date"], data["birth_year"] = parse_birth(data.pop("birth"))
    return data


def _household_page(
    request: HttpRequest,
    household: Household,
    *,
    edit_form: HouseholdForm | None = None,
    head_form: HeadForm | None = None,
    person_form: PersonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    commune = household.commune
    members = registry_selectors.household_members(actor=request.user, household=household)
    villages = geo_selectors.village_list(commune=commune)
    sensitive = can_see_sensitive(request.user, commune.code)
    edit_form = edit_form or HouseholdForm(
        villages=villages,
        initial={
            "code": household.code,
            "village": household.village_id,
            "address": household.address,
        },
    )
    head_form = head_form or HeadForm(members=members, initial={"head": household.head_id})
    person_form = person_form or PersonForm(sensitive=sensitive)
    return render(
        request,
        "web/household.html",
        {
            "commune": commune,
            "can_edit": can_edit_commune(request.user, commune.code),
            "household": household,
            "members": list(members),
            "edit_form": edit_form,
            "head_form": head_form,
            "person_form": person_form,
            "open_form": next(
                (
                    name
                    for name, f in [
                        ("edit", edit_form),
                        ("head", head_form),
                        ("person", person_form),
                    ]
                    if f.errors
                ),
                "",
            ),
        },
        status=status,
    )


@login_required
@require_GET
@not_found_as_404
def household(request: HttpRequest, household_id: UUID) -> HttpResponse:
    return _household_page(request, registry_selectors.access_household(request.user, household_id))


@login_required
@require_POST
@not_found_as_404
def household_edit(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.access_household(request.user, household_id)
    ensure_commune(request.user, household.commune_id, write=True)
    villages = geo_selectors.village_list(commune=household.commune)
    form = HouseholdForm(request.POST, villages=villages)
    if form.is_valid():
        try:
            registry_services.household_update(
                actor=request.user, household=household, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Household saved."))
            return redirect("web:household", household_id=household.pk)
    household.refresh_from_db()
    return _household_page(request, household, edit_form=form, status=400)


@login_required
@require_POST
@not_found_as_404
def household_set_head(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.access_household(request.user, household_id)
    ensure_commune(request.user, household.commune_id, write=True)
    members = registry_selectors.household_members(actor=request.user, household=household)
    form = HeadForm(request.POST, members=members)
    if form.is_valid():
        try:
            registry_services.household_update(
                actor=request.user, household=household, head=form.cleaned_data["head"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Head of household saved."))
            return redirect("web:household", household_id=household.pk)
    return _household_page(request, household, head_form=form, status=400)


@sensitive_post_parameters("cccd")
@login_required
@require_POST
@not_found_as_404
def person_add(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.access_household(request.user, household_id)
    ensure_commune(request.user, household.commune_id, write=True)
    sensitive = can_see_sensitive(request.user, household.commune_id)
    form = PersonForm(request.POST, sensitive=sensitive)
    if form.is_valid():
        try:
            person = registry_services.person_register(
                actor=request.user, household=household, **_person_form_values(form)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.full_name})
            return redirect("web:household", household_id=household.pk)
    return _household_page(request, household, person_form=form, status=400)


# --- Person -----------------------------------------------------------------------------------


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
        "web/person.html",
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
    return _person_page(request, registry_selectors.access_person(request.user, person_id))


@sensitive_post_parameters("cccd")
@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def person_edit(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = registry_selectors.access_person(request.user, person_id)
    ensure_commune(request.user, person.commune_id, write=True)
    sensitive = can_see_sensitive(request.user, person.commune_id)
    birth = (
        person.birth_date.strftime("%d/%m/%Y")
        if person.birth_date
        else str(person.birth_year or "")
    )
    initial = {
        "full_name": person.full_name,
        "birth": birth,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "phone": format_phone(person.phone),
        "occupation": person.occupation,
        "relationship": person.relationship,
        "special_needs": person.special_needs,
    }
    form = PersonForm(
        request.POST or None,
        initial=initial,
        sensitive=sensitive,
        editing=True,
        has_cccd=person.has_cccd,
    )
    if request.method == "POST" and form.is_valid():
        remove = bool(form.cleaned_data.get("remove_cccd"))
        try:
            values = _person_form_values(form)
            cccd = values.pop("cccd").strip()
            registry_services.person_update(
                actor=request.user,
                person=person,
                cccd="" if remove else (cccd or None),
                **values,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:person", person_id=person.pk)
        person.refresh_from_db()
    response = render(
        request,
        "web/person_form.html",
        {"commune": person.commune, "household": person.household, "person": person, "form": form},
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


@sensitive_variables("number")
@login_required
@require_POST
@not_found_as_404
def person_reveal_cccd(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """The full CCCD on this one response only: never stored, never in a URL, never cached."""
    person = registry_selectors.access_person(request.user, person_id)
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
