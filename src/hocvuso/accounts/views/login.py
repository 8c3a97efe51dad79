"""Log-in: password (wrong ones slow down only their own account-and-client pair, see
:mod:`hocvuso.accounts.services.signin`), then — for a user with an authenticator app, or an
officer who must get one — the second factor before the session is logged in."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from hocvuso.accounts import selectors
from hocvuso.accounts.models import User
from hocvuso.accounts.services import auth as auth_services
from hocvuso.accounts.services import signin
from hocvuso.accounts.services.two_factor import needs_second_factor
from hocvuso.accounts.signals import SECOND_FACTOR

PENDING = "hocvuso_2fa_pending"
PENDING_SECONDS = 10 * 60
MAX_CODE_FAILURES = 5


SIGNED_IN = "_hocvuso_signed_in"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from hocvuso.accounts import vneid

        return {**super().get_context_data(**kwargs), "vneid_enabled": vneid.enabled()}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))[:150]
        wait = signin.wait_seconds(request, username)
        if wait:
            auth_services.auth_locked_out_record(username=username, request=request)
            return throttled_response(request, wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        username = str(form.data.get("username", ""))[:150]
        if username and form.data.get("password"):
            signin.failure_record(self.request, username)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        failed = signin.failures_since(user, user.last_login)
        if needs_second_factor(user):
            pending_start(self.request, user, next_url=self.get_success_url(), failed=failed)
            return HttpResponseRedirect(reverse("accounts:otp"))
        response = super().form_valid(form)
        signed_in(self.request, user, failed)
        return response


def signed_in(request: HttpRequest, user: User, failed: int) -> None:
    """The sign-in is complete: the browser becomes a known device of the account (set on the
    response by ``SignInDeviceMiddleware``), and the user hears of failed attempts."""
    setattr(request, SIGNED_IN, user)
    if failed:
        messages.warning(
            request,
            ngettext(
                "There was %(n)s failed sign-in attempt on your account since you last signed "
                "in. If it was not you, change your password.",
                "There were %(n)s failed sign-in attempts on your account since you last signed "
                "in. If it was not you, change your password.",
                failed,
            )
            % {"n": failed},
        )


def pending_start(request: HttpRequest, user: User, *, next_url: str, failed: int = 0) -> None:
    """The password was right; the session is not logged in until the second factor."""
    request.session.cycle_key()
    request.session[PENDING] = {
        "user": str(user.pk),
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": int(time.time()),
        "next": next_url,
        "fails": 0,
        "failed_signins": failed,
    }


def pending_user(request: HttpRequest) -> User | None:
    data = request.session.get(PENDING)
    if not isinstance(data, dict) or int(time.time()) - int(data.get("at", 0)) > PENDING_SECONDS:
        return None
    return selectors.active_user_by_id(data.get("user"))


def candidate(request: HttpRequest) -> User | None:
    """Whose second factor this is: the logged-in user, or the one who just gave a password."""
    if request.user.is_authenticated:
        assert isinstance(request.user, User)
        return request.user
    return pending_user(request)


def code_failed(request: HttpRequest) -> bool:
    """Count a wrong code; True when that was one too many (the log-in starts over)."""
    data = request.session.get(PENDING)
    if isinstance(data, dict):
        data["fails"] = int(data.get("fails", 0)) + 1
        request.session[PENDING] = data
        return data["fails"] >= MAX_CODE_FAILURES
    fails = int(request.session.get("hocvuso_2fa_fails", 0)) + 1
    request.session["hocvuso_2fa_fails"] = fails
    return fails >= MAX_CODE_FAILURES


def next_url(request: HttpRequest) -> str:
    data = request.session.get(PENDING)
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if not wanted and isinstance(data, dict):
        wanted = str(data.get("next", ""))
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def complete_login(request: HttpRequest, user: User, device: Any, *, factor: str) -> None:
    """Log the session in (if it was pending) and mark it verified by ``device``."""
    from django_otp import login as otp_login

    data = request.session.get(PENDING)
    if not request.user.is_authenticated:
        backend = data.get("backend") if isinstance(data, dict) else None
        setattr(request, SECOND_FACTOR, factor)
        auth_login(request, user, backend=backend or settings.AUTHENTICATION_BACKENDS[-1])
        signed_in(
            request, user, int(data.get("failed_signins", 0)) if isinstance(data, dict) else 0
        )
    request.session.pop(PENDING, None)
    request.session.pop("hocvuso_2fa_fails", None)
    otp_login(request, device)


def throttled_response(request: HttpRequest, seconds: int) -> HttpResponse:
    """Too many wrong passwords for this account from this device or address: wait a while."""
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": signin.describe(seconds)["minutes"]},
        status=429,
    )
