"""The second factor: the code step, setting up the authenticator app, recovery codes."""

from __future__ import annotations

from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts.forms import CodeForm, EnrolForm
from hocvuso.accounts.models import RecoveryCodes, User
from hocvuso.accounts.qr import qr_svg
from hocvuso.accounts.selectors import requires_two_factor
from hocvuso.accounts.services import two_factor as services
from hocvuso.accounts.views.login import (
    PENDING,
    candidate,
    code_failed,
    complete_login,
    next_url,
)
from hocvuso.core.errors import DomainError

RECOVERY_SHOW = "hocvuso_recovery_codes"


def _start_over(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        logout(request)
    request.session.pop(PENDING, None)
    messages.error(request, _("Too many wrong codes. Log in again."))
    return redirect("login")


@never_cache
@require_http_methods(["GET", "POST"])
def otp(request: HttpRequest) -> HttpResponse:
    user = candidate(request)
    if user is None:
        return redirect("login")
    if not services.has_two_factor(user):
        return redirect("accounts:otp_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except DomainError as exc:
            if code_failed(request):
                return _start_over(request)
            form.add_error("code", exc.message)
        else:
            target = next_url(request)
            recovery = isinstance(device, RecoveryCodes)
            complete_login(request, user, device, factor="recovery" if recovery else "totp")
            if recovery:
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You used a recovery code. %(left)s left: "
                        "make new ones on your account page."
                    )
                    % {"left": left},
                )
            return redirect(target)
    return render(request, "accounts/otp.html", {"form": form, "next": request.GET.get("next", "")})


def _secret_text(key_hex: str) -> str:
    secret = b32encode(bytes.fromhex(key_hex)).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user = candidate(request)
    if user is None:
        return redirect("login")
    if services.has_two_factor(user) and not _verified(request):
        return redirect("accounts:otp")
    # A verified session may set up a new phone: the old app stops working once it is confirmed.
    device = services.totp_enrolment_device(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_enrol(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except DomainError as exc:
            if code_failed(request):
                return _start_over(request)
            form.add_error("code", exc.message)
        else:
            target = next_url(request)
            device.refresh_from_db()
            complete_login(request, user, device, factor="totp")
            request.session[RECOVERY_SHOW] = {"codes": codes, "next": target}
            return redirect("accounts:recovery_codes")
    response = render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url, label=_("QR code to scan with the authenticator app")),
            "secret": _secret_text(device.key),
            "required": requires_two_factor(user),
        },
    )
    add_never_cache_headers(response)
    return response


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(request.user.is_authenticated and is_verified is not None and is_verified())


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once."""
    shown = request.session.pop(RECOVERY_SHOW, None)
    if not isinstance(shown, dict):
        return redirect("accounts:account")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": shown["codes"], "next": shown.get("next") or ""},
    )


@login_required
@require_POST
def recovery_regenerate(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not _verified(request) or not services.has_two_factor(user):
        return redirect("accounts:account")
    codes = services.recovery_codes_regenerate(user=user, request=request)
    request.session[RECOVERY_SHOW] = {"codes": codes, "next": ""}
    return redirect("accounts:recovery_codes")


@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if requires_two_factor(user):
        messages.error(request, _("Officers must keep two-step verification on."))
    elif _verified(request):
        services.two_factor_disable(actor=user, user=user, request=request)
        messages.success(request, _("Two-step verification is off."))
    return redirect("accounts:account")
