"""The signed-in user's own page: roles, two-step verification, device tokens."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts import selectors
from hocvuso.accounts.forms import TokenForm
from hocvuso.accounts.models import Role, User
from hocvuso.accounts.selectors import requires_two_factor
from hocvuso.accounts.services import tokens as token_services
from hocvuso.accounts.services import two_factor
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.web import add_domain_error

TOKEN_SHOW = "hocvuso_token_secret"  # noqa: S105 (a session key name)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assignments = list(selectors.own_role_assignments(user))
    return render(
        request,
        "accounts/account.html",
        {
            "assignments": assignments,
            "officer_communes": sorted(
                a.commune_id for a in assignments if a.role == Role.COMMUNE_OFFICER
            ),
            "has_2fa": two_factor.has_two_factor(user),
            "required_2fa": requires_two_factor(user),
            "recovery_left": two_factor.recovery_codes_left(user),
            "token_count": selectors.active_token_count(actor=user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_services.token_create(
                actor=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[TOKEN_SHOW] = {"id": str(token.pk), "secret": secret}
            return redirect("accounts:tokens")
    shown = request.session.pop(TOKEN_SHOW, None)
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": selectors.token_list(actor=user),
            "now": timezone.now(),
            "new_secret": shown.get("secret") if isinstance(shown, dict) else None,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: UUID) -> HttpResponse:
    user = _user(request)
    try:
        token = selectors.token_get(user, token_id)
        token_services.token_revoke(actor=user, token=token)
    except NotFound:
        raise Http404() from None
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
