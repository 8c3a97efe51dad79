"""Django's authentication signals → the audit log (connected in ``AccountsConfig.ready``).

Thin: each receiver calls a service. Log-in also starts the session clocks (idle and absolute
lifetime, see ``accounts/middleware.py``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hocvuso.accounts.services import auth as auth_services

LOGOUT_REASON = "_hocvuso_logout_reason"
SECOND_FACTOR = "_hocvuso_second_factor"


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from hocvuso.accounts.middleware import session_clock_start

        session_clock_start(request)
    auth_services.auth_login_record(
        user=user, request=request, second_factor=getattr(request, SECOND_FACTOR, "")
    )


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    auth_services.auth_logout_record(
        user=user, request=request, reason=getattr(request, LOGOUT_REASON, "")
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    auth_services.auth_login_failed_record(username=credentials.get("username"), request=request)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="hocvuso.accounts.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="hocvuso.accounts.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="hocvuso.accounts.login_failed")
