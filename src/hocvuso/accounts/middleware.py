"""Session lifetime and the two-factor gate.

- :class:`SessionLifetimeMiddleware`: a session ends after ``HOCVUSO_SESSION_IDLE_MINUTES`` without
  a request, and ``SESSION_COOKIE_AGE`` seconds after log-in whatever happens. The two clocks live
  in the session (seconds since the epoch); "last seen" is rewritten at most once a minute, so a
  page view does not become a session write.
- :class:`TwoFactorMiddleware`: an officer (``core.access.requires_two_factor``) whose session has
  not passed the second factor gets nothing but the log-in, two-factor and log-out pages: pages
  redirect to the code step, session-authenticated API calls get a JSON 401 with a stable code.
  Turned off by ``HOCVUSO_REQUIRE_2FA = False`` (tests that do not test it; never in production).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from hocvuso.accounts.errors import AccountsError
from hocvuso.accounts.selectors import requires_two_factor
from hocvuso.accounts.services.signin import success_record
from hocvuso.accounts.signals import LOGOUT_REASON

STARTED = "hocvuso_auth_at"
SEEN = "hocvuso_seen_at"
TOUCH_EVERY = 60  # seconds
API_PREFIX = "/api/"


def session_clock_start(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _error(code: AccountsError, message: str) -> JsonResponse:
    return JsonResponse({"code": str(code), "message": message, "field": None}, status=401)


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                setattr(request, LOGOUT_REASON, expired)
                logout(request)
                message = _("Your session has ended. Please log in again.")
                if _is_api(request):
                    return _error(AccountsError.SESSION_EXPIRED, message)
                messages.info(request, message)
                return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest) -> str:
        session = request.session
        now = int(time.time())
        started, seen = session.get(STARTED), session.get(SEEN)
        if not isinstance(started, int) or not isinstance(seen, int):
            session_clock_start(request)  # a session from before the clocks: start them now
            return ""
        if now - seen > int(settings.HOCVUSO_SESSION_IDLE_MINUTES) * 60:
            return "idle"
        if now - started > int(settings.SESSION_COOKIE_AGE):
            return "lifetime"
        if now - seen >= TOUCH_EVERY:
            session[SEEN] = now
        return ""


def _open_paths() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(exact paths, prefixes) an unverified officer may still open."""
    exact = tuple(
        reverse(name)
        for name in [
            "login",
            "logout",
            "set_language",
            "accounts:otp",
            "accounts:otp_enrol",
            "accounts:recovery_codes",
        ]
    )
    return exact, (settings.STATIC_URL or "/static/", "/i18n/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.HOCVUSO_REQUIRE_2FA and self._must_verify(request):
            if _is_api(request):
                return _error(
                    AccountsError.OTP_REQUIRED,
                    _("Confirm your log-in with the code from your authenticator app."),
                )
            url = reverse("accounts:otp")
            return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _must_verify(request: HttpRequest) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if _is_api(request) and request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
            return False  # a device token's request: the token decides, not a stray session
        exact, prefixes = _open_paths()
        if request.path_info in exact or request.path_info.startswith(prefixes):
            return False
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return False
        return requires_two_factor(user)


class SignInDeviceMiddleware:
    """After a complete sign-in, the response marks the browser a known device of the account
    (``accounts.services.signin``): its failures are counted apart from strangers'."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "_hocvuso_signed_in", None)
        if user is not None:
            success_record(request, user, response)
        return response
