"""Sign-in with VNeID (OpenID Connect, authorisation code): the start sends the browser to the
provider, the callback checks its answer (state, nonce, the ID token's signature) and signs the
citizen in. Off (404) unless a provider is configured."""

from __future__ import annotations

from authlib.integrations.base_client.errors import OAuthError
from django.contrib.auth import login as auth_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hocvuso.accounts import vneid
from hocvuso.accounts.services.vneid import vneid_sign_in
from hocvuso.core.errors import DomainError


@require_GET
@never_cache
def vneid_start(request: HttpRequest) -> HttpResponse:
    if not vneid.enabled():
        raise Http404
    callback = request.build_absolute_uri(reverse("accounts:vneid_callback"))
    return vneid.client().authorize_redirect(request, callback)


@require_GET
@never_cache
def vneid_callback(request: HttpRequest) -> HttpResponse:
    if not vneid.enabled():
        raise Http404
    try:
        token = vneid.client().authorize_access_token(request)
        user = vneid_sign_in(claims=dict(token.get("userinfo") or {}))
    except (OAuthError, DomainError, KeyError, ValueError):
        return render(
            request,
            "accounts/vneid_failed.html",
            {"message": _("Signing in with VNeID did not succeed. Please try again.")},
            status=400,
        )
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("ui:home")
