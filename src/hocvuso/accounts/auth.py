"""API authentication: a device token, or a logged-in session (with CSRF on writes).

``Authorization: Bearer hvs_…`` is checked by one indexed look-up of the token's SHA-256, never
by a password hash; ``request.user`` becomes the token's user, so the API's selectors and
services apply the same scope as on the web pages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from hocvuso.accounts.services.tokens import token_authenticate


class CookieSessionAuth(SessionAuth):
    """Django's session, CSRF-checked on writes — only when a session cookie came with the
    request, so a token client's POST is not refused for a CSRF token it cannot have."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None:
            return None
        return super().authenticate(request, key)


class DeviceTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


# A device token first: a request that carries ``Authorization: Bearer`` is the token's, and a
# stray session cookie beside it (a browser also signed in) never runs the session's CSRF check.
# Without a token, the session (the web pages' own calls, CSRF-checked on writes).
API_AUTH = [DeviceTokenAuth(), CookieSessionAuth()]
