"""The commune officer's page of the field app: the commune's devices (last sync, records
waiting, silent for a week) and the conflicts to decide (keep the server's value / take the
phone's). Thin: parse input, call one selector or service, render."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hocvuso.access.sync import can_watch_devices
from hocvuso.access.units import access_commune
from hocvuso.core.web import not_found_as_404
from hocvuso.sync import selectors, services


@login_required
@require_GET
@not_found_as_404
def devices(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_watch_devices)
    return render(
        request,
        "sync/devices.html",
        {
            "commune": commune,
            "devices": selectors.commune_devices(actor=request.user, commune=commune),
            "conflicts": selectors.open_conflicts(actor=request.user, commune=commune),
            "silent_days": selectors.SILENT_AFTER.days,
        },
    )


@login_required
@require_POST
@not_found_as_404
def conflict_resolve(request: HttpRequest, conflict_id: UUID) -> HttpResponse:
    conflict = selectors.conflict_get(request.user, conflict_id)
    take = request.POST.get("decision") == "theirs"
    services.conflict_resolve(actor=request.user, conflict=conflict, take_theirs=take)
    messages.success(
        request, _("The phone's value was taken.") if take else _("The server's value was kept.")
    )
    return redirect("sync:devices", conflict.commune_id)
