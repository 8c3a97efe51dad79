"""A test-only API whose routes fail in every way (used with ``pytest.mark.urls``): the same
error handlers as the real API, never in production URLs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from hocvuso.config.api import install_error_handlers


class _NoKey(APIKeyHeader):
    def authenticate(self, request, key):  # type: ignore[no-untyped-def]
        return None


test_api = NinjaAPI(urls_namespace="api_errors_test")
install_error_handlers(test_api)


@test_api.get("/boom")
def boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("database password is hunter2 at /srv/hocvuso/secret.py")


@test_api.get("/items/{number}")
def item(request, number: int, cccd: str):  # type: ignore[no-untyped-def]
    return {"number": number}


@test_api.get("/missing")
def missing(request):  # type: ignore[no-untyped-def]
    raise Http404("/srv/hocvuso/private")


@test_api.get("/denied")
def denied(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied("internal reason")


@test_api.get("/throttled")
def throttled(request):  # type: ignore[no-untyped-def]
    raise HttpError(429, "internal text")


@test_api.get("/private", auth=_NoKey())
def private(request):  # type: ignore[no-untyped-def]
    return {}


urlpatterns = [path("api/v1/", test_api.urls)]
