"""Sign-in that cannot be turned against its users (OWASP's device-cookie design).

Wrong passwords are counted per *(account, client)*: the client is the browser's device cookie
when this account signed in from it before (a *known device*), otherwise the address it comes
from. After ``HOCVUSO_SIGNIN_FREE_TRIES`` failures in ``HOCVUSO_SIGNIN_WINDOW_MINUTES``, that
pair — and only that pair — must wait before its next try, the wait doubling with each further
failure up to ``HOCVUSO_SIGNIN_MAX_WAIT_MINUTES``. So:

- a stranger's failures slow the stranger down, never the account's owner on a known device;
- failures on made-up names from one address slow only those names, never the other people
  behind that address (a commune office behind one NAT);
- nothing is ever locked for good, and no failure extends anyone else's wait.

After signing in, the user is told how many failed attempts their account had since their last
sign-in. Usernames and addresses are stored only as keyed hashes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from hocvuso.accounts.models import SignInFailure, User

DEVICE_COOKIE = "hocvuso_device"
_SALT = "hocvuso.accounts.device"
_DEVICE_DAYS = 365


def _hash(kind: str, value: str) -> str:
    return salted_hmac(f"hocvuso.signin.{kind}", value, algorithm="sha256").hexdigest()


def account_key(username: str) -> str:
    return _hash("account", (username or "").strip().lower())


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "HOCVUSO_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            hops = [h.strip() for h in forwarded.split(",") if h.strip()]
            count = int(getattr(settings, "HOCVUSO_PROXY_COUNT", 1))
            if len(hops) >= count:
                return hops[-count]
    return str(request.META.get("REMOTE_ADDR", ""))


@dataclass(frozen=True)
class Device:
    nonce: str
    users: tuple[int, ...]


def device_of(request: HttpRequest) -> Device | None:
    """The browser's device cookie, if it is ours and unaltered."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    return Device(data["n"], tuple(int(u) for u in data.get("u", []) if str(u).isdigit()))


@dataclass(frozen=True)
class Client:
    key: str
    trusted: bool


def client_for(request: HttpRequest, username: str) -> Client:
    """The client a sign-in attempt for ``username`` counts against."""
    device = device_of(request)
    if device is not None:
        user = User.objects.filter(username=username).only("pk").first() if username else None
        if user is not None and user.pk in device.users:
            return Client(_hash("device", device.nonce), True)
    return Client(_hash("address", client_ip(request)), False)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def wait_seconds(request: HttpRequest, username: str, *, now: dt.datetime | None = None) -> int:
    """How long this client must still wait before trying this account again (0: it may)."""
    now = now or timezone.now()
    free = _setting("HOCVUSO_SIGNIN_FREE_TRIES", 5)
    window = dt.timedelta(minutes=_setting("HOCVUSO_SIGNIN_WINDOW_MINUTES", 60))
    longest = _setting("HOCVUSO_SIGNIN_MAX_WAIT_MINUTES", 15) * 60
    client = client_for(request, username)
    recent = list(
        SignInFailure.objects.filter(
            account=account_key(username), client=client.key, at__gt=now - window
        )
        .order_by("-at")
        .values_list("at", flat=True)[: free + 16]
    )
    if len(recent) < free:
        return 0
    wait = min(longest, 60 * 2 ** (len(recent) - free))
    left = (recent[0] + dt.timedelta(seconds=wait) - now).total_seconds()
    return max(0, int(left + 0.999))


def failure_record(request: HttpRequest, username: str) -> None:
    client = client_for(request, username)
    SignInFailure.objects.create(
        at=timezone.now(), account=account_key(username), client=client.key, trusted=client.trusted
    )


def failures_since(user: User, since: dt.datetime | None) -> int:
    """Failed attempts on ``user``'s account since ``since`` (their previous sign-in)."""
    qs = SignInFailure.objects.filter(account=account_key(user.get_username()))
    if since is not None:
        qs = qs.filter(at__gt=since)
    return qs.count()


def success_record(request: HttpRequest, user: User, response: HttpResponse) -> None:
    """The right password (and second factor): this client's count starts again, and the
    browser becomes a known device of this account."""
    client = client_for(request, user.get_username())
    SignInFailure.objects.filter(
        account=account_key(user.get_username()), client=client.key
    ).delete()
    device = device_of(request)
    nonce = device.nonce if device is not None else secrets.token_urlsafe(18)
    users = sorted({*(device.users if device is not None else ()), int(user.pk)})[-20:]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"n": nonce, "u": users}, salt=_SALT),
        max_age=_DEVICE_DAYS * 86400,
        httponly=True,
        secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        samesite="Lax",
    )


def forget_old_failures(*, older_than_days: int = 30) -> int:
    """Scheduled clean-up: failures older than a month are of no further use."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _ = SignInFailure.objects.filter(at__lt=cutoff).delete()
    return int(deleted)


def describe(seconds: int) -> dict[str, Any]:
    minutes, rest = divmod(max(0, seconds), 60)
    return {"minutes": minutes + (1 if rest else 0), "seconds": seconds}
