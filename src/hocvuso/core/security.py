"""Security headers and error responses that leak nothing.

- :class:`SecurityHeadersMiddleware` puts a strict Content-Security-Policy and a
  Permissions-Policy on every response (pages, static files, API, error pages). hocvuso has no
  inline script and no inline style, and serves every asset itself (whitenoise), so the policy
  needs no nonce, no hash and no ``'unsafe-inline'``. A dozen lines of our own instead of
  django-csp: one fixed policy, nothing to configure per view, one dependency less.
- :func:`bad_request` / :func:`permission_denied` / :func:`page_not_found` / :func:`server_error`
  are the project's error handlers (``config/urls.py``): a short page in the reader's language
  for the site, ``{"code", "message"}`` JSON under ``/api/`` — never a path, a traceback or an
  exception's text. A refused CSRF check renders ``403_csrf.html`` (Django's own view, our
  template), without the technical reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
# Powerful features no page of hocvuso uses, switched off for the site and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (a view may set its own
    header first, e.g. a stricter one; it is then left alone)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        csp = getattr(settings, "HOCVUSO_CSP", CONTENT_SECURITY_POLICY)
        if csp:
            response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# --- Error responses ------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": code, "message": message}, status=status)
    template = loader.get_template(f"{status}.html")
    # No request in the context: the page depends on nothing that could fail or leak.
    return HttpResponse(template.render({}), status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("The request could not be understood."))


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403, "forbidden", _("You may not do this."))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 500, "server_error", _("Something went wrong on our side. Please try again.")
    )


# --- Request size by route ------------------------------------------------------------------------


def request_limit(request: HttpRequest, route: str) -> int:
    """The most bytes a request to ``route`` (its URL name) may carry: large only for the routes
    that take files or batches (``HOCVUSO_LARGE_REQUEST_ROUTES``), small for anyone not signed in
    (anonymous forms: sign-in, sign-up, an invitation), a middle size otherwise."""
    large: dict[str, int] = getattr(settings, "HOCVUSO_LARGE_REQUEST_ROUTES", {})
    if route in large:
        return int(large[route])
    signed_in = getattr(getattr(request, "user", None), "is_authenticated", False) or (
        request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
    )
    if not signed_in:
        return int(settings.HOCVUSO_MAX_ANONYMOUS_REQUEST_BYTES)
    return int(settings.HOCVUSO_MAX_REQUEST_BYTES)


class RequestSizeMiddleware:
    """Refuse a body larger than its route allows, before anything reads it (413, no detail)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match is not None else ""
        limit = request_limit(request, route)
        if length > limit:
            return _error(
                request,
                413,
                "too_large",
                _("The request is too large: at most %(limit)s bytes.") % {"limit": limit},
            )
        return None
