"""Test-only views that fail (used with ``pytest.mark.urls``); the project's error handlers."""

from django.core.exceptions import PermissionDenied
from django.urls import path


def broken(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("database password is hunter2 at /srv/hocvuso/secret.py")


def forbidden(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied("internal reason")


urlpatterns = [path("hong/", broken), path("cam/", forbidden)]

handler400 = "hocvuso.core.security.bad_request"
handler403 = "hocvuso.core.security.permission_denied"
handler404 = "hocvuso.core.security.page_not_found"
handler500 = "hocvuso.core.security.server_error"
