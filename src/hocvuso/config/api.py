"""The JSON API (django-ninja): /api/v1/…, OpenAPI schema at /api/v1/openapi.json."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.geo.api import router as geo_router

api = NinjaAPI(title="hocvuso", version="1", urls_namespace="api")
api.add_router("/units", geo_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 404 if isinstance(exc, NotFound) else 422
    return api.create_response(
        request, {"code": exc.code, "message": exc.message, "field": exc.field}, status=status
    )
