"""The field app's installable shell: the web app manifest and the service worker at the root
scope, its versioned cache holding every offline page and their files, lessons kept apart."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from hocvuso.ui import field

pytestmark = pytest.mark.django_db


def test_the_service_worker_covers_the_site_and_precaches_the_offline_pages():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    pages = json.loads(re.search(r"var PAGES = (\[.*?\]);", body).group(1))
    assert pages == ["/thuc-dia/", "/thuc-dia/quay/", "/thuc-dia/lop/"]
    assets = json.loads(re.search(r"var ASSETS = (\[.*?\]);", body).group(1))
    for name in ("ui/field/field.js", "ui/field/pages.js", "teams/field.js", "desk/field.js",
                 "classes/field.js", "ui/site.css"):  # fmt: skip
        assert any(a.endswith(name) for a in assets), name
        assert finders.find(name), name  # every precached file exists
    assert '"hocvuso-field-shell-" + VERSION' in body
    assert f'var VERSION = "{field.shell_version()}"' in body
    lesson = re.compile(field.LESSON_PATH)
    assert lesson.match(reverse("learning:lesson", args=["dien-thoai-an-toan", 2]))
    assert not lesson.match(reverse("learning:quiz", args=["dien-thoai-an-toan"]))
    assert not lesson.match("/api/v1/sync/pull")


def test_the_manifest_makes_the_field_app_installable():
    response = Client().get(reverse("ui:manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert (data["start_url"], data["scope"], data["display"]) == ("/thuc-dia/", "/", "standalone")
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in data["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
