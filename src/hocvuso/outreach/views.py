"""Pages of the outreach models: the identity worklist with its two-tap buttons, Digital Family
(a household's status, its guide, the households with no trained member) and the 4T worklist.

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
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.registry import can_see_sensitive
from hocvuso.access.skills import can_record_skills
from hocvuso.access.units import access_commune
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.web import add_domain_error, not_found_as_404, paginate, search_term
from hocvuso.geo import selectors as geo_selectors
from hocvuso.geo.models import Commune, Village
from hocvuso.outreach import selectors, services
from hocvuso.outreach.forms import GuideForm, MarkForm
from hocvuso.registry import selectors as registry_selectors
from hocvuso.registry.models import Household

# The four T, as shown (Tiểu thương – Thương mại điện tử – Thanh toán không dùng tiền mặt – Tiết
# kiệm số).
T4_LABELS = {
    "trade.profile": gettext_lazy("Trader profile"),
    "sell.online": gettext_lazy("Selling online"),
    "pay.qr": gettext_lazy("Cashless payment"),
    "save.digital": gettext_lazy("Digital savings"),
}


def _filters(
    request: HttpRequest, commune: Commune, q: str
) -> tuple[list[Village], Village | None, str]:
    villages = list(geo_selectors.village_list(commune=commune))
    wanted = request.GET.get("village", "")
    village = next((v for v in villages if str(v.pk) == wanted), None) if wanted else None
    return villages, village, q


def _never_cache(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def identity(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code)
    q, redirect_to = search_term(request)
    if redirect_to is not None:
        return redirect_to
    villages, village, q = _filters(request, commune, q)
    need = request.GET.get("need", "vneid")
    if need not in selectors.NEEDS:
        need = "vneid"
    today = timezone.localdate()
    page = paginate(
        selectors.identity_worklist(
            actor=request.user, commune=commune, need=need, village=village, q=q, today=today
        ),
        request.GET.get("page"),
        rows=selectors.person_rows,
        count=selectors.identity_count(
            actor=request.user, commune=commune, need=need, village=village, q=q, today=today
        ),
    )
    rows = [
        {
            "person": p,
            "age": selectors.age_of(p, today),
            "mark_id": uuid7() if can_record_skills(request.user, p) else None,
        }
        for p in page.object_list
    ]
    return _never_cache(
        render(
            request,
            "outreach/identity.html",
            {
                "commune": commune,
                "villages": villages,
                "village": village,
                "q": q,
                "need": need,
                "keep": [("need", need)],
                "page": page,
                "rows": rows,
                "here": request.get_full_path(),
            },
        )
    )


@login_required
@require_POST
@not_found_as_404
def identity_mark(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = registry_selectors.person_get(request.user, person_id)
    if not can_record_skills(request.user, person):
        raise NotFound()
    form = MarkForm(request.POST)
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            event = services.identity_mark(
                actor=request.user, person=person, need=data["need"], id=data["id"]
            )
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if not event.replayed:
                done = (
                    _("VNeID level 2 done") if data["need"] == "vneid" else _("Bank account opened")
                )
                messages.success(request, f"{person.full_name}: {done}.")
        target = data.get("next") or ""
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
    return redirect("outreach:identity", code=person.commune_id)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def families(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code)
    q, redirect_to = search_term(request)
    if redirect_to is not None:
        return redirect_to
    villages, village, q = _filters(request, commune, q)
    page = paginate(
        selectors.family_worklist(actor=request.user, commune=commune, village=village, q=q),
        request.GET.get("page"),
        rows=selectors.family_rows,
        count=selectors.family_count(actor=request.user, commune=commune, village=village, q=q),
    )
    return render(
        request,
        "outreach/families.html",
        {
            "commune": commune,
            "villages": villages,
            "village": village,
            "q": q,
            "page": page,
            "sensitive": can_see_sensitive(request.user, commune.code),
        },
    )


def _household_page(
    request: HttpRequest, household: Household, form: GuideForm | None = None, status: int = 200
) -> HttpResponse:
    data = selectors.family_status(actor=request.user, household=household)
    may_designate = any(can_record_skills(request.user, p) for p in data.members)
    # Members holding the basic set first: the preferred guides.
    candidates = sorted(data.members, key=lambda p: p not in data.trained)
    return _never_cache(
        render(
            request,
            "outreach/household.html",
            {
                "commune": household.commune,
                "household": household,
                "data": data,
                "candidates": candidates,
                "trained_ids": {p.pk for p in data.trained},
                "may_designate": may_designate,
                "form": form or GuideForm(),
            },
            status=status,
        )
    )


@login_required
@require_GET
@not_found_as_404
def household_family(request: HttpRequest, household_id: UUID) -> HttpResponse:
    return _household_page(request, registry_selectors.household_get(request.user, household_id))


@login_required
@require_POST
@not_found_as_404
def guide_set(request: HttpRequest, household_id: UUID) -> HttpResponse:
    household = registry_selectors.household_get(request.user, household_id)
    form = GuideForm(request.POST)
    if form.is_valid():
        person = registry_selectors.person_get(request.user, form.cleaned_data["person"])
        try:
            services.family_guide_set(actor=request.user, household=household, person=person)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            done = _("%(name)s is now the family's digital guide.")
            messages.success(request, done % {"name": person.full_name})
            return redirect("outreach:household_family", household_id=household.pk)
    return _household_page(request, household, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def t4(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code)
    q, redirect_to = search_term(request)
    if redirect_to is not None:
        return redirect_to
    villages, village, q = _filters(request, commune, q)
    missing = request.GET.get("missing", "")
    if missing not in {"", "any", *selectors.T4_CODES}:
        missing = ""
    page = paginate(
        selectors.t4_worklist(
            actor=request.user, commune=commune, missing=missing, village=village, q=q
        ),
        request.GET.get("page"),
        rows=selectors.person_rows,
        count=selectors.t4_count(
            actor=request.user, commune=commune, missing=missing, village=village, q=q
        ),
    )
    rows = [
        {
            "person": p,
            "progress": [(T4_LABELS[c], held) for c, held in selectors.t4_progress(p)],
            "may_record": can_record_skills(request.user, p),
        }
        for p in page.object_list
    ]
    return render(
        request,
        "outreach/t4.html",
        {
            "commune": commune,
            "villages": villages,
            "village": village,
            "q": q,
            "missing": missing,
            "keep": [("missing", missing)] if missing else [],
            "t4": [(c, T4_LABELS[c]) for c in selectors.T4_CODES],
            "page": page,
            "rows": rows,
        },
    )
