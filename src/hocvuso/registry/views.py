"""The commune's registry pages: villages, households and their members, a person's details.
Thin: parse input, call a selector or a service, render. Every write goes through a service with
``actor=request.user``; a rule broken becomes a form error, an object out of scope a 404."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.registry import can_see_sensitive
from hocvuso.access.units import access_commune, access_village, can_edit_commune, ensure_commune
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.phones import format_phone
from hocvuso.core.web import add_domain_error, not_found_as_404, run_form
from hocvuso.geo import selectors as geo_selectors
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry import services as registry_services
from hocvuso.registry.forms import (
    AreaFlagsForm,
    HeadForm,
    HouseholdForm,
    MoveForm,
    PersonForm,
    VillageForm,
    VillageImportForm,
)
from hocvuso.registry.models import Household
from hocvuso.registry.parsing import parse_birth
from hocvuso.registry.services import merges as merge_services
from hocvuso.registry.services import moves as move_services


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def village_create(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    form = VillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village = registry_services.village_create(
                actor=request.user, commune=commune, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Village “%(name)s” added.") % {"name": village.name})
            return redirect("ui:commune", code=commune.code)
    return render(request, "registry/village_form.html", {"commune": commune, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def village_edit(request: HttpRequest, code: str, village_id: UUID) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    village = access_village(request.user, commune, village_id)
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
            registry_services.village_update(actor=request.user, village=village, **values)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Village saved."))
            return redirect("ui:commune", code=commune.code)
    return render(
        request,
        "registry/village_form.html",
        {"commune": commune, "form": form, "village": village},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def villages_import(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    form = VillageImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            result = registry_services.villages_import_csv(
                actor=request.user, commune=commune, data=data
            )
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "registry/village_import.html",
        {"commune": commune, "form": form, "result": result},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def household_create(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
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
            return redirect("registry:household", household_id=household.pk)
    return render(request, "registry/household_form.html", {"commune": commune, "form": form})


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
    matches: list[Any] | None = None,
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
        "registry/household.html",
        {
            "commune": commune,
            "can_edit": can_edit_commune(request.user, commune.code),
            "household": household,
            "members": list(members),
            "edit_form": edit_form,
            "head_form": head_form,
            "person_form": person_form,
            "matches": matches or [],
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
    return _household_page(request, registry_selectors.household_get(request.user, household_id))


@login_required
@require_POST
@not_found_as_404
def household_edit(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.household_get(request.user, household_id)
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
            return redirect("registry:household", household_id=household.pk)
    household.refresh_from_db()
    return _household_page(request, household, edit_form=form, status=400)


@login_required
@require_POST
@not_found_as_404
def household_set_head(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.household_get(request.user, household_id)
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
            return redirect("registry:household", household_id=household.pk)
    return _household_page(request, household, head_form=form, status=400)


@sensitive_post_parameters("cccd")
@login_required
@require_POST
@not_found_as_404
def person_add(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.household_get(request.user, household_id)
    ensure_commune(request.user, household.commune_id, write=True)
    sensitive = can_see_sensitive(request.user, household.commune_id)
    form = PersonForm(request.POST, sensitive=sensitive)
    matches: list[Any] = []
    if form.is_valid():
        try:
            person = registry_services.person_add(
                actor=request.user, household=household, **_person_form_values(form)
            )
        except DomainError as exc:
            if isinstance(exc, registry_services.PossibleDuplicate):
                matches = exc.matches
                form = PersonForm(request.POST, sensitive=sensitive, offered=True)
                form.is_valid()
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.full_name})
            return redirect("registry:household", household_id=household.pk)
    return _household_page(request, household, person_form=form, matches=matches, status=400)


# --- Person -----------------------------------------------------------------------------------


@sensitive_post_parameters("cccd")
@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def person_edit(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = registry_selectors.person_get(request.user, person_id)
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
            return redirect("ui:person", person_id=person.pk)
        person.refresh_from_db()
    response = render(
        request,
        "registry/person_form.html",
        {"commune": person.commune, "household": person.household, "person": person, "form": form},
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


# --- The province: which communes are remote / ethnic-minority areas ---------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def area_flags(request: HttpRequest, code: str) -> HttpResponse:
    """The province's communes with their two area flags, set by the province's officers."""
    province, communes = registry_selectors.province_communes_for_flags(
        actor=request.user, code=code
    )
    form = AreaFlagsForm(request.POST or None, communes=communes)
    changed: list[int] = []

    def save(f: AreaFlagsForm) -> None:
        changed.append(
            registry_services.commune_flags_set(
                actor=request.user, province_code=province.code, flags=f.flags()
            )
        )

    if request.method == "POST" and run_form(form, save):
        messages.success(
            request,
            _("Saved: %(n)s communes changed.") % {"n": changed[0]},
        )
        return redirect("registry:area_flags", code=province.code)
    return render(request, "registry/area_flags.html", {"province": province, "form": form})


# --- One record per person: the duplicates worklist, merge, split ------------------------------


@login_required
@require_GET
@not_found_as_404
def duplicates(request: HttpRequest, code: str) -> HttpResponse:
    """The commune's likely duplicates with their reasons, and its recent merges (to undo)."""
    commune = access_commune(request.user, code, write=True)
    shown = registry_selectors.DUPLICATES_SHOWN
    pairs = registry_selectors.duplicate_pairs(actor=request.user, commune=commune, limit=shown)
    total = (
        registry_selectors.duplicate_pair_count(actor=request.user, commune=commune)
        if len(pairs) >= shown
        else len(pairs)
    )
    merges = registry_selectors.merge_list(actor=request.user, commune=commune)
    response = render(
        request,
        "registry/duplicates.html",
        {"commune": commune, "pairs": pairs, "total": total, "merges": merges},
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
@not_found_as_404
def duplicates_merge(request: HttpRequest, code: str) -> HttpResponse:
    """Merge the pair ``first``, ``second``: ``keep`` (one of them) survives, the other becomes
    its tombstone."""
    commune = access_commune(request.user, code, write=True)
    first, second = registry_selectors.merge_pair_get(
        request.user, request.POST.get("first"), request.POST.get("second")
    )
    keep = request.POST.get("keep")
    if first.commune_id != commune.code or keep not in (str(first.pk), str(second.pk)):
        raise NotFound()
    survivor, duplicate = (first, second) if keep == str(first.pk) else (second, first)
    reason = request.POST.get("reason") or "officer"
    try:
        merge_services.person_merge(
            actor=request.user, survivor=survivor, duplicate=duplicate, reason=reason
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Merged: %(name)s has one record now.") % {"name": survivor.full_name},
        )
    return redirect("registry:duplicates", code=commune.code)


@login_required
@require_POST
@not_found_as_404
def duplicates_dismiss(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, write=True)
    first, second = registry_selectors.merge_pair_get(
        request.user, request.POST.get("first"), request.POST.get("second")
    )
    if first.commune_id != commune.code:
        raise NotFound()
    merge_services.pair_not_duplicate(actor=request.user, first=first, second=second)
    messages.success(request, _("Kept as two people."))
    return redirect("registry:duplicates", code=commune.code)


@login_required
@require_POST
@not_found_as_404
def merge_split(request: HttpRequest, merge_id: UUID) -> HttpResponse:
    merge = registry_selectors.merge_get(request.user, merge_id)
    try:
        merge_services.person_split(actor=request.user, merge=merge)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The merge was undone: two records again."))
    return redirect("registry:duplicates", code=merge.commune_id)


@login_required
@require_GET
@not_found_as_404
def unit_transfers(request: HttpRequest, code: str) -> HttpResponse:
    """The moves of a retired unit's registry into or out of the commune, with their progress."""
    commune = access_commune(request.user, code, write=True)
    transfers = registry_selectors.unit_transfer_list(actor=request.user, commune=commune)
    response = render(
        request, "registry/unit_transfers.html", {"commune": commune, "transfers": transfers}
    )
    add_never_cache_headers(response)
    return response


# --- Moves to another commune ------------------------------------------------------------------


def _move_page(
    request: HttpRequest, *, obj: Any, kind: str, move: Any, code_required: bool
) -> HttpResponse:
    ensure_commune(request.user, obj.commune_id, write=True)
    q = request.GET.get("q", "").strip()
    picks = registry_selectors.move_destinations(
        actor=request.user, from_commune=obj.commune_id, q=q
    )
    form = MoveForm(request.POST or None, picks=picks)
    if code_required:
        form.fields["code"].required = True
    if request.method == "POST" and form.is_valid():
        try:
            to = geo_selectors.commune_get(code=form.cleaned_data["commune"])
        except NotFound:
            form.add_error("commune", _("No commune has this code."))
        else:
            try:
                move(to=to, code=form.cleaned_data["code"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Moved to %(commune)s.") % {"commune": to.name})
                return redirect("ui:commune", code=obj.commune_id)
    response = render(
        request,
        "registry/move.html",
        {
            "commune": obj.commune,
            "obj": obj,
            "kind": kind,
            "form": form,
            "q": q,
            "picks": picks,
            "max_picks": registry_selectors.MOVE_PICKS,
        },
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def person_move(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = registry_selectors.person_get(request.user, person_id)
    return _move_page(
        request,
        obj=person,
        kind="person",
        code_required=True,
        move=lambda to, code: move_services.person_move(
            actor=request.user, person=person, to=to, code=code
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def household_move(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.household_get(request.user, household_id)
    return _move_page(
        request,
        obj=household,
        kind="household",
        code_required=False,
        move=lambda to, code: move_services.household_move(
            actor=request.user, household=household, to=to, code=code
        ),
    )
