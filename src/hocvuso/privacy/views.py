"""Pages about personal data protection: a person's consents and requests, their data (page and
JSON download), erasure, a commune's requests with the acknowledgement deadline, the auditor's view.

Thin: parse input, call one selector or service, render. Out of scope → 404, as everywhere.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.privacy import can_keep_privacy
from hocvuso.access.registry import is_self
from hocvuso.access.units import can_edit_commune
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.sheets import SafeWriter
from hocvuso.core.web import add_domain_error, not_found_as_404, paginate, run_form
from hocvuso.geo import selectors as geo_selectors
from hocvuso.privacy import selectors, services
from hocvuso.privacy.breaches import (
    breach_close,
    breach_get,
    breach_list,
    breach_notify_authority,
    breach_notify_persons,
    breach_record,
)
from hocvuso.privacy.forms import (
    AuditFilterForm,
    BreachForm,
    CompleteForm,
    ConsentForm,
    DataRequestForm,
    EraseForm,
    NotifyAuthorityForm,
    NotifyPersonsForm,
)
from hocvuso.privacy.models import ConsentPurpose, RequestKind
from hocvuso.registry.models import Person
from hocvuso.registry.purposes import BASIS


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


def _privacy_page(
    request: HttpRequest,
    person: Person,
    *,
    consent_form: ConsentForm | None = None,
    request_form: DataRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    self_service = is_self(actor, person) and not can_edit_commune(actor, person.commune_id)
    consents = list(selectors.consent_list(actor=actor, person=person))
    return _private(
        render(
            request,
            "privacy/person.html",
            {
                "commune": person.commune,
                "household": person.household,
                "person": person,
                "consents": consents,
                "requests": list(selectors.data_request_list(actor=actor, person=person)),
                "can_keep": can_keep_privacy(actor, person) and person.erased_at is None,
                "is_officer": can_edit_commune(actor, person.commune_id),
                "linked_accounts": selectors.linked_accounts(actor=actor, person=person),
                "withheld": [
                    ConsentPurpose(p).label for p in person.purposes_withheld or () if p in BASIS
                ],
                "consent_form": consent_form or ConsentForm(self_service=self_service),
                "request_form": request_form or DataRequestForm(self_service=self_service),
            },
            status=status,
        )
    )


@login_required
@require_GET
@not_found_as_404
def person_privacy(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = selectors.privacy_person_get(request.user, person_id)
    return _privacy_page(request, person)


def _self_service(request: HttpRequest, person: Person) -> bool:
    return is_self(request.user, person) and not can_edit_commune(request.user, person.commune_id)


@login_required
@require_POST
@not_found_as_404
def consent_record(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = selectors.privacy_person_get(request.user, person_id)
    form = ConsentForm(request.POST, self_service=_self_service(request, person))
    if run_form(
        form,
        lambda f: services.consent_record(actor=request.user, person=person, **f.service_values()),
    ):
        messages.success(request, _("Consent recorded."))
        return redirect("privacy:person", person_id=person.pk)
    return _privacy_page(request, person, consent_form=form, status=400)


@login_required
@require_POST
@not_found_as_404
def consent_withdraw(request: HttpRequest, consent_id: UUID) -> HttpResponse:
    consent = selectors.consent_get(request.user, consent_id)
    services.consent_withdraw(actor=request.user, consent=consent)
    messages.success(request, _("Consent withdrawn."))
    return redirect("privacy:person", person_id=consent.person_id)


@login_required
@require_POST
@not_found_as_404
def restriction_lift(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = selectors.privacy_person_get(request.user, person_id)
    services.restriction_lift(actor=request.user, person=person)
    messages.success(request, _("The restriction is lifted: the person's data is processed again."))
    return redirect("privacy:person", person_id=person.pk)


@login_required
@require_POST
@not_found_as_404
def request_create(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = selectors.privacy_person_get(request.user, person_id)
    form = DataRequestForm(request.POST, self_service=_self_service(request, person))
    if run_form(
        form,
        lambda f: services.data_request_create(
            actor=request.user, person=person, **f.service_values()
        ),
    ):
        messages.success(request, _("Request recorded."))
        return redirect("privacy:person", person_id=person.pk)
    return _privacy_page(request, person, request_form=form, status=400)


@login_required
@require_POST
@not_found_as_404
def request_acknowledge(request: HttpRequest, request_id: UUID) -> HttpResponse:
    data_request = selectors.data_request_get(request.user, request_id)
    services.data_request_acknowledge(actor=request.user, request=data_request)
    messages.success(request, _("Request acknowledged."))
    if request.POST.get("back") == "commune":
        return redirect("privacy:commune_requests", code=data_request.person.commune_id)
    return redirect("privacy:person", person_id=data_request.person_id)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def request_complete(request: HttpRequest, request_id: UUID) -> HttpResponse:
    data_request = selectors.data_request_get(request.user, request_id)
    if not can_edit_commune(request.user, data_request.person.commune_id):
        raise NotFound()
    if data_request.kind == RequestKind.ERASURE:
        return redirect("privacy:erase", request_id=data_request.pk)
    form = CompleteForm(request.POST if request.method == "POST" else None, kind=data_request.kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.data_request_complete(
                actor=request.user,
                request=data_request,
                notes=form.cleaned_data["notes"],
                purpose=form.cleaned_data.get("purpose", ""),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Request completed."))
            return redirect("privacy:person", person_id=data_request.person_id)
    person = data_request.person
    return _private(
        render(
            request,
            "privacy/request_complete.html",
            {
                "commune": person.commune,
                "household": person.household,
                "person": person,
                "data_request": data_request,
                "form": form,
            },
            status=400 if form.errors else 200,
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def erase(request: HttpRequest, request_id: UUID) -> HttpResponse:
    data_request = selectors.data_request_get(request.user, request_id)
    person = data_request.person
    if data_request.kind != RequestKind.ERASURE or not can_edit_commune(
        request.user, person.commune_id
    ):
        raise NotFound()
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(actor=request.user, person=person, request=data_request)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The person's data has been erased."))
            return redirect("privacy:person", person_id=person.pk)
    return _private(
        render(
            request,
            "privacy/erase.html",
            {
                "commune": person.commune,
                "household": person.household,
                "person": person,
                "data_request": data_request,
                "form": form,
            },
            status=400 if form.errors else 200,
        )
    )


@login_required
@require_GET
@not_found_as_404
def export_page(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = selectors.privacy_person_get(request.user, person_id)
    data = services.person_export(actor=request.user, person=person, fmt="html")
    return _private(
        render(
            request,
            "privacy/export.html",
            {
                "commune": person.commune,
                "household": person.household,
                "person": person,
                "data": data,
            },
        )
    )


@login_required
@require_GET
@not_found_as_404
def export_json(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = selectors.privacy_person_get(request.user, person_id)
    data = services.person_export(actor=request.user, person=person, fmt="json")
    body = json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-{person.pk}-{stamp}.json"'
    return _private(response)


@login_required
@require_GET
@not_found_as_404
def commune_requests(request: HttpRequest, code: str) -> HttpResponse:
    if not code.isdigit():
        raise NotFound()
    commune = geo_selectors.commune_get(code=code)
    status = "open" if request.GET.get("status") == "open" else ""
    qs = selectors.commune_data_requests(actor=request.user, commune=commune, status=status)
    page = paginate(qs, request.GET.get("page"), rows=selectors.data_request_rows)
    return _private(
        render(
            request,
            "privacy/commune_requests.html",
            {
                "commune": commune,
                "page": page,
                "status": status,
                "can_edit": can_edit_commune(request.user, commune.code),
                "today": timezone.localdate(),
            },
        )
    )


# --- The auditor's view ---------------------------------------------------------------------------


def _audit_rows(request: HttpRequest) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    return form, selectors.audit_search(actor=request.user, **filters)


@login_required
@require_GET
@not_found_as_404
def audit_list(request: HttpRequest) -> HttpResponse:
    form, qs = _audit_rows(request)
    page = paginate(qs, request.GET.get("page"), per_page=selectors.AUDIT_PAGE_SIZE)
    return _private(render(request, "privacy/audit.html", {"form": form, "page": page}))


@login_required
@require_GET
@not_found_as_404
def audit_csv(request: HttpRequest) -> HttpResponse:
    form, qs = _audit_rows(request)
    rows = list(qs[:100_000])
    services.audit_export_record(
        actor=request.user,
        filters={k: str(v) for k, v in form.filters().items()},
        rows=len(rows),
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM
    writer = SafeWriter(response)
    writer.writerow(
        ["id", "at", "actor", "action", "object_type", "object_id", "changes", "request_id"]
    )
    for row in rows:
        writer.writerow(
            [
                row.pk,
                timezone.localtime(row.at).isoformat(),
                row.actor.username if row.actor else "system",
                row.action,
                row.object_type,
                row.object_id,
                json.dumps(row.changes, ensure_ascii=False, cls=DjangoJSONEncoder),
                row.request_id,
            ]
        )
    return _private(response)


@login_required
@require_GET
@not_found_as_404
def sms_rate(request: HttpRequest) -> HttpResponse:
    """The verification text messages' rate against its limits (national administrators)."""
    rate = selectors.sms_rate(actor=request.user)
    return _private(render(request, "privacy/sms_rate.html", {"rate": rate}))


# --- The breach register ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def breaches(request: HttpRequest) -> HttpResponse:
    """The register (open first, overdue flagged) and the form to record a new breach."""
    rows = list(breach_list(actor=request.user))
    form = BreachForm(request.POST or None)
    made: list[Any] = []

    def record(f: BreachForm) -> None:
        made.append(breach_record(actor=request.user, **f.cleaned_data))

    if request.method == "POST" and run_form(form, record):
        messages.success(request, _("Breach recorded. Report it to the authority within 72 hours."))
        return redirect("privacy:breach", breach_id=made[0].pk)
    now = timezone.now()
    return _private(
        render(
            request,
            "privacy/breaches.html",
            {"rows": [(b, b.overdue(now), b.hours_left(now)) for b in rows], "form": form},
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def breach(request: HttpRequest, breach_id: UUID) -> HttpResponse:
    item = breach_get(request.user, breach_id)
    authority = NotifyAuthorityForm(request.POST if "authority" in request.POST else None)
    persons = NotifyPersonsForm(request.POST if "persons" in request.POST else None)
    if request.method == "POST":
        done = False
        if "authority" in request.POST:
            done = run_form(
                authority,
                lambda f: breach_notify_authority(
                    actor=request.user, breach=item, reference=f.cleaned_data["reference"]
                ),
            )
        elif "persons" in request.POST:
            done = run_form(
                persons,
                lambda f: breach_notify_persons(
                    actor=request.user, breach=item, notice=f.cleaned_data["notice"]
                ),
            )
        elif "close" in request.POST:
            try:
                breach_close(actor=request.user, breach=item)
                done = True
            except DomainError as exc:
                messages.error(request, exc.message)
        if done:
            messages.success(request, _("Saved."))
            return redirect("privacy:breach", breach_id=item.pk)
    now = timezone.now()
    return _private(
        render(
            request,
            "privacy/breach.html",
            {
                "breach": item,
                "overdue": item.overdue(now),
                "hours_left": item.hours_left(now),
                "authority_form": authority,
                "persons_form": persons,
            },
        )
    )
