"""The JSON API (django-ninja): /api/v1/…, OpenAPI schema at /api/v1/openapi.json."""

import logging
from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from hocvuso.accounts.api import router as accounts_router
from hocvuso.accounts.auth import API_AUTH
from hocvuso.assistance.api import router as assistance_router
from hocvuso.classes.api import router as classes_router
from hocvuso.core.errors import DomainError, Kind
from hocvuso.desk.api import router as desk_router
from hocvuso.geo.api import router as geo_router
from hocvuso.kpi.api import router as kpi_router
from hocvuso.learning.api import router as learning_router
from hocvuso.mentoring.api import router as mentoring_router
from hocvuso.outreach.api import router as outreach_router
from hocvuso.skills.api import router as skills_router
from hocvuso.sync.api import router as sync_router
from hocvuso.teams.api import router as teams_router

logger = logging.getLogger("hocvuso.api")

# Every endpoint needs a session or a device token, except the public list of official units.
api = NinjaAPI(title="hocvuso", version="1", urls_namespace="api", auth=API_AUTH)
api.add_router("/units", geo_router, auth=None)
api.add_router("/accounts", accounts_router)
api.add_router("/skills", skills_router)
api.add_router("/desk", desk_router)
api.add_router("/assistance", assistance_router)
api.add_router("/outreach", outreach_router)
api.add_router("/teams", teams_router)
api.add_router("/classes", classes_router)
api.add_router("/mentoring", mentoring_router)
api.add_router("/learning", learning_router)
api.add_router("/dashboards", kpi_router)
api.add_router("/sync", sync_router)

# The one place an error becomes an HTTP status: by the kind its code carries.
STATUS_OF_KIND = {Kind.INVALID: 422, Kind.CONFLICT: 409, Kind.NOT_FOUND: 404, Kind.LIMITED: 429}


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = STATUS_OF_KIND[exc.kind]
    body = {"code": exc.code, "message": exc.message, "field": exc.field}
    details = getattr(exc, "details", None)
    if details is not None:
        body["details"] = details
    return api.create_response(request, body, status=status)


# --- Every other error: JSON with a stable code and a message, never a traceback ----------------

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def _http_error(request: HttpRequest, exc: HttpError, *, target: NinjaAPI) -> HttpResponse:
    status = exc.status_code
    messages = {
        401: _("Sign in, or send a valid device token."),
        403: _("You may not do this."),
        404: _("Not found."),
        429: _("Too many requests. Try again later."),
    }
    return target.create_response(
        request,
        {
            "code": _HTTP_CODES.get(status, "http_error"),
            "message": messages.get(status, _("The request could not be handled.")),
        },
        status=status,
    )


def _validation_error(
    request: HttpRequest, exc: ValidationError, *, target: NinjaAPI
) -> HttpResponse:
    # Only where and what: pydantic's "input"/"ctx" would echo the value sent (an ID number…).
    errors = [
        {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return target.create_response(
        request,
        {"code": "invalid", "message": _("Some values are not valid."), "errors": errors},
        status=422,
    )


def _not_found(request: HttpRequest, exc: Exception, *, target: NinjaAPI) -> HttpResponse:
    return target.create_response(
        request, {"code": "not_found", "message": _("Not found.")}, status=404
    )


def _forbidden(request: HttpRequest, exc: Exception, *, target: NinjaAPI) -> HttpResponse:
    return target.create_response(
        request, {"code": "forbidden", "message": _("You may not do this.")}, status=403
    )


def _server_error(request: HttpRequest, exc: Exception, *, target: NinjaAPI) -> HttpResponse:
    # Logged in full for the operators (identifiers redacted by the log filter); the client
    # only learns that it failed and the request id to quote.
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return target.create_response(
        request,
        {
            "code": "server_error",
            "message": _("Something went wrong on our side. Please try again."),
        },
        status=500,
    )


def install_error_handlers(target: NinjaAPI) -> None:
    """Replace django-ninja's default handlers (which answer ``{"detail": …}`` and, in debug mode,
    a plain-text traceback) with the project's ``{"code", "message"}`` bodies."""
    target.add_exception_handler(ValidationError, partial(_validation_error, target=target))
    target.add_exception_handler(HttpError, partial(_http_error, target=target))
    target.add_exception_handler(Http404, partial(_not_found, target=target))
    target.add_exception_handler(PermissionDenied, partial(_forbidden, target=target))
    target.add_exception_handler(Exception, partial(_server_error, target=target))


install_error_handlers(api)
