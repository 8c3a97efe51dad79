"""Pages of the youth-campaign classes (and the back-check round drawn over a class's gains,
through the skills app's service). Thin: parse input, call one selector or service, render.
Out of scope → 404, as everywhere."""

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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.checks import can_draw_checks, can_read_checks
from hocvuso.access.classes import can_organise, can_read_classes, can_work_class
from hocvuso.access.units import access_commune
from hocvuso.classes import selectors, services
from hocvuso.classes.forms import ClassForm, RegisterForm
from hocvuso.classes.models import ClassEvent
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.web import add_domain_error, not_found_as_404, outbox_strings, paginate
from hocvuso.geo import selectors as geo_selectors
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry.services import PossibleDuplicate
from hocvuso.skills import selectors as skills_selectors
from hocvuso.skills.checks import check_round_draw
from hocvuso.skills.forms import SampleForm


@login_required
@require_GET
@not_found_as_404
def class_list(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_read_classes)
    qs = selectors.class_list_keys(actor=request.user, commune=commune)
    page = paginate(qs, request.GET.get("page"), rows=selectors.class_rows)
    return render(
        request,
        "classes/list.html",
        {
            "commune": commune,
            "page": page,
            "can_organise": can_organise(request.user, commune.code),
            "can_check": can_read_checks(request.user, commune.code),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def class_create(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_organise)
    villages = list(geo_selectors.village_list(commune=commune))
    skills = list(skills_selectors.active_skills())
    candidates = list(selectors.volunteer_candidates(commune))
    form = ClassForm(
        request.POST or None,
        villages=[(str(v.pk), v.name) for v in villages],
        skills=[(s.code, str(s)) for s in skills],
        volunteers=[(str(u.pk), str(u)) for u in candidates],
    )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        by_code = {s.code: s for s in skills}
        village = next((v for v in villages if str(v.pk) == data["village"]), None)
        try:
            klass = services.class_create(
                actor=request.user,
                id=data["id"],
                commune=commune,
                title=data["title"],
                branch=data["branch"],
                village=village,
                address=data["address"],
                starts_at=data["starts_at"],
                capacity=data["capacity"],
                skills=[by_code[c] for c in data["skills"]],
                volunteers=[u for u in candidates if str(u.pk) in set(data["volunteers"])],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Class created."))
            return redirect("classes:detail", class_id=klass.pk)
    response = render(
        request,
        "classes/create.html",
        {"commune": commune, "form": form},
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


def _class_context(request: HttpRequest, klass: ClassEvent) -> dict[str, Any]:
    regs = selectors.class_registrations(actor=request.user, klass=klass)
    can_check = can_draw_checks(request.user, klass.commune_id)
    return {
        "commune": klass.commune,
        "klass": klass,
        "registrations": regs,
        "skills": list(klass.skills.all()),
        "volunteers": list(klass.volunteers.all()),
        "attended": selectors.class_counts(klass)[1],
        "can_work": can_work_class(request.user, klass),
        "register_form": RegisterForm(),
        # A back-check round over what this class reported (its gains).
        "sample_form": SampleForm() if can_check and any(r.gained for r in regs) else None,  # type: ignore[attr-defined]
    }


@login_required
@require_GET
@not_found_as_404
def class_detail(request: HttpRequest, class_id: UUID) -> HttpResponse:
    klass = selectors.class_get(request.user, class_id)
    response = render(request, "classes/detail.html", _class_context(request, klass))
    add_never_cache_headers(response)
    return response


def _done(request: HttpRequest, klass: ClassEvent, exc: DomainError | None, ok: str) -> Any:
    if exc is not None:
        if isinstance(exc, NotFound):
            raise exc
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect("classes:detail", class_id=klass.pk)


@login_required
@require_POST
@not_found_as_404
def class_register(request: HttpRequest, class_id: UUID) -> HttpResponse:
    klass = selectors.class_get(request.user, class_id)
    if not can_work_class(request.user, klass):
        raise NotFound()
    form = RegisterForm(request.POST)
    if not form.is_valid():
        return _done(request, klass, DomainError(CoreError.INVALID, _("Check the form.")), "")
    data = form.cleaned_data
    person = None
    if data["person"]:
        try:
            person = registry_selectors.person_get(request.user, data["person"])
        except NotFound:
            # One of the matches offered at the door (a youth volunteer sees no registry).
            person = registry_selectors.walk_in_person_get(
                request.user, klass.commune, data["person"]
            )
    new_person = None
    if person is None and data["full_name"]:
        new_person = services.NewPerson(
            full_name=data["full_name"],
            sex=data["sex"],
            birth_year=data["birth_year"],
            phone=data["phone"],
            confirmed_new=data["confirmed_new"],
        )
    try:
        services.class_register(
            actor=request.user, id=data["id"], klass=klass, person=person, new_person=new_person
        )
    except PossibleDuplicate as exc:
        # Offer the matches: register one of them, or confirm it is someone new.
        context = _class_context(request, klass)
        context["register_form"] = RegisterForm(request.POST, offered=True)
        context["matches"] = exc.matches
        context["walk_in_id"] = data["id"]
        context["register_form"].is_valid()
        context["register_form"].add_error("full_name", exc.message)
        response = render(request, "classes/detail.html", context, status=409)
        add_never_cache_headers(response)
        return response
    except DomainError as exc:
        return _done(request, klass, exc, "")
    return _done(request, klass, None, _("Registered."))


@login_required
@require_POST
@not_found_as_404
def class_attendance(request: HttpRequest, class_id: UUID) -> HttpResponse:
    klass = selectors.class_get(request.user, class_id)
    try:
        present = [UUID(x) for x in request.POST.getlist("present")]
    except ValueError:
        raise NotFound() from None
    try:
        n = services.class_attendance_set(actor=request.user, klass=klass, present=present)
    except DomainError as exc:
        return _done(request, klass, exc, "")
    return _done(request, klass, None, _("Attendance saved: %(n)s present.") % {"n": n})


@login_required
@require_POST
@not_found_as_404
def class_gains(request: HttpRequest, class_id: UUID) -> HttpResponse:
    klass = selectors.class_get(request.user, class_id)
    gains: list[tuple[UUID, str]] = []
    try:
        for value in request.POST.getlist("gain"):
            person_id, _sep, code = value.partition(":")
            gains.append((UUID(person_id), code))
    except ValueError:
        raise NotFound() from None
    try:
        services.class_gains_record(actor=request.user, klass=klass, gains=gains)
    except DomainError as exc:
        return _done(request, klass, exc, "")
    return _done(request, klass, None, _("Skills gained recorded."))


@login_required
@require_POST
@not_found_as_404
def class_check_draw(request: HttpRequest, class_id: UUID) -> HttpResponse:
    """Draw a back-check round over the skills gained at this class: the class's gain events
    are the sample frame handed to the skills app's service."""
    klass = selectors.class_get(request.user, class_id)
    if not can_draw_checks(request.user, klass.commune_id):
        raise NotFound()
    form = SampleForm(request.POST)
    if not form.is_valid():
        return _done(request, klass, DomainError(CoreError.INVALID, _("Check the form.")), "")
    day = timezone.localtime(klass.starts_at).date()
    try:
        rnd = check_round_draw(
            actor=request.user,
            id=form.cleaned_data["id"],
            commune=klass.commune,
            period_from=day,
            period_to=day,
            percent=form.cleaned_data["percent"],
            seed=form.cleaned_data["seed"],
            frame=selectors.check_frame(klass),
        )
    except DomainError as exc:
        return _done(request, klass, exc, "")
    messages.success(request, _("Sample drawn."))
    return redirect("skills:check_round", round_id=rnd.pk)


@login_required
@require_GET
def open_classes(request: HttpRequest) -> HttpResponse:
    """For a citizen: the upcoming classes of their commune, to sign up in one tap."""
    return render(
        request,
        "classes/open.html",
        # A fresh id per row, made when the page is drawn: a double tap signs up once.
        {"rows": [(c, p, uuid7()) for c, p in selectors.open_classes(actor=request.user)]},
    )


@login_required
@require_POST
@not_found_as_404
def sign_up(request: HttpRequest, class_id: UUID) -> HttpResponse:
    klass, person = selectors.open_class_get(request.user, class_id)
    try:
        reg_id = UUID(request.POST.get("id", ""))
    except ValueError:
        reg_id = uuid7()
    try:
        services.class_register(actor=request.user, id=reg_id, klass=klass, person=person)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are registered for this class."))
    return redirect("classes:open")


# --- Attendance and gains offline (the field app) -----------------------------------------------


@login_required
@require_GET
def field(request: HttpRequest) -> HttpResponse:
    """A class's attendance and gains without signal: a shell with no data of its own (the
    classes the user works and their registered people come from the phone's copy,
    ui/field/field.js and classes/field.js), so the service worker may keep it offline."""
    return render(request, "classes/field.html", {"strings": field_strings()})


def field_strings() -> dict[str, str]:
    """The words of the offline attendance page, translated here (the phone has none)."""
    return {
        **outbox_strings(),
        "no_class": _("No upcoming class that you work."),
        "attended": _("%(n)s present"),
        "registered": _("%(n)s registered"),
        "take_attendance": _("Take attendance"),
        "attendance_of": _("Attendance:"),
        "gained": _("Can now do alone"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "waiting": _("Waiting to be sent"),
        "device_name": _("Field app"),
    }
