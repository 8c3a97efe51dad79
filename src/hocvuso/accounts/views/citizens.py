"""Linking a citizen's account to their person in the registry (by the commune's keepers)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hocvuso.accounts.services.roles import citizen_link as citizen_link_service
from hocvuso.core.access import ensure_commune
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.registry.selectors import access_person


@login_required
@require_POST
def citizen_link(request: HttpRequest, person_id: UUID) -> HttpResponse:
    try:
        person = access_person(request.user, person_id)
        ensure_commune(request.user, person.commune_id, write=True)
    except NotFound:
        raise Http404() from None
    try:
        citizen_link_service(actor=request.user, person=person, login=request.POST.get("login", ""))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The account is linked: the person now sees their own data."))
    return redirect("privacy:person", person_id=person.pk)
