"""The field app's service worker and web app manifest.

The service worker is served at ``/sw.js`` so that its scope is the whole site; it precaches the
app shell — the field pages (no data of their own) and their static files — in a cache named by
a hash of everything it holds (:func:`shell_version`), so a new release installs a new cache and
drops the old one. It never caches an API answer: the work set stays in IndexedDB, where the
app wipes it. The manifest makes the field app installable on the phone's home screen.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The static files of the shell (the field pages' own files included).
SHELL_STATIC = (
    "ui/site.css",
    "accounts/accounts.css",
    "ui/favicon.svg",
    "ui/field/field.js",
    "ui/field/pages.js",
    "ui/field/icon-192.png",
    "ui/field/icon-512.png",
    "teams/field.js",
    "desk/field.js",
    "classes/field.js",
)
# The pages usable offline (URL names): each draws itself from the device's copy.
FIELD_PAGES = ("teams:field", "desk:field", "classes:field")
# The learning app's lessons (``/hoc/<course>/bai/<n>/``), kept by the service worker once read.
LESSON_PATH = r"^/hoc/[a-z0-9-]+/bai/[0-9]+/$"


@lru_cache(maxsize=1)
def shell_version() -> str:
    """A hash of the shell's static files: a release that changes one is a new cache."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        path = finders.find(name)
        digest.update(name.encode())
        if isinstance(path, str):
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    pages = [reverse(name) for name in FIELD_PAGES]
    assets = [static(name) for name in SHELL_STATIC] + [reverse("ui:manifest")]
    body = render_to_string(
        "ui/sw.js",
        {
            "version": shell_version(),
            "pages": json.dumps(pages),
            "assets": json.dumps(assets),
            "static": json.dumps(static("")),
            "lesson": json.dumps(LESSON_PATH),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # the browser checks for a new worker every time
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("Bình dân học vụ số — field app"),
        "short_name": _("Field app"),
        "lang": "vi",
        "start_url": reverse("teams:field"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5d3b",
        "icons": [
            {"src": static("ui/field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("ui/field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("ui/field/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
