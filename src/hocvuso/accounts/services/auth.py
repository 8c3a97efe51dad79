"""Log-ins, log-outs, failures and lockouts in the audit log.

Called from Django's authentication signals (``accounts/signals.py``). The password never gets
here; the username attempted does (an ID-shaped one is redacted), with the client's address.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hocvuso.accounts.models import User
from hocvuso.accounts.services.signin import client_ip as signin_client_ip
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction
from hocvuso.core.context import current_request_id
from hocvuso.core.logging import redact
from hocvuso.core.models import AuditLog

USER_TYPE = "accounts.user"


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return signin_client_ip(request)


def _record(
    *, actor: User | None, action: str, user: User | None, changes: dict[str, Any]
) -> AuditLog:
    # Written directly rather than through ``audit_record``: a failed log-in may name no user.
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        object_type=USER_TYPE,
        object_id=str(user.pk) if user is not None else "",
        changes=changes,
        request_id=current_request_id() or "",
    )


def _attempted(username: str | None) -> str:
    return redact(str(username or ""))[:150]


def _user_named(username: str) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username).first()


def auth_login_record(
    *, user: User, request: HttpRequest | None, second_factor: str = ""
) -> AuditLog:
    changes: dict[str, Any] = {"ip": client_ip(request)}
    if second_factor:
        changes["second_factor"] = second_factor
    return _record(actor=user, action=AuditAction.AUTH_LOGIN, user=user, changes=changes)


def auth_logout_record(*, user: User, request: HttpRequest | None, reason: str = "") -> AuditLog:
    changes: dict[str, Any] = {"ip": client_ip(request)}
    if reason:
        changes["reason"] = reason
    return _record(actor=user, action=AuditAction.AUTH_LOGOUT, user=user, changes=changes)


def auth_login_failed_record(*, username: str | None, request: HttpRequest | None) -> AuditLog:
    name = _attempted(username)
    return _record(
        actor=None,
        action=AuditAction.AUTH_LOGIN_FAILED,
        user=_user_named(name),
        changes={"username": name, "ip": client_ip(request)},
    )


def auth_locked_out_record(*, username: str | None, request: HttpRequest | None) -> AuditLog:
    name = _attempted(username)
    return _record(
        actor=None,
        action=AuditAction.AUTH_LOCKED_OUT,
        user=_user_named(name),
        changes={"username": name, "ip": client_ip(request)},
    )


def auth_event_record(
    *, user: User, action: str, request: HttpRequest | None, actor: Any = None, **changes: Any
) -> AuditLog:
    """Another security event of a known user (second factor failed, recovery code used …).

    ``actor`` is the user themself unless given (an administrator; ``SYSTEM`` leaves it empty).
    """
    who = user if actor is None else (user_or_none(actor))
    return _record(
        actor=who, action=action, user=user, changes={"ip": client_ip(request), **changes}
    )
