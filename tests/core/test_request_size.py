"""Request bodies are limited by route: small for anonymous forms, a middle size for signed-in
pages and the API, large only for the routes that take a file."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import login

pytestmark = pytest.mark.django_db


def test_an_anonymous_form_refuses_a_large_body(settings, db):
    body = "x" * (settings.HOCVUSO_MAX_ANONYMOUS_REQUEST_BYTES + 1)
    response = Client().post(reverse("login"), {"username": "a", "password": body})
    assert response.status_code == 413
    assert "quá lớn" in response.content.decode()
    # A normal sign-in form goes through (to the usual wrong-password answer).
    assert Client().post(reverse("login"), {"username": "a", "password": "b"}).status_code == 200


def test_signed_in_pages_and_the_api_have_a_middle_limit(settings, officer, commune):
    client = login(officer)
    big = "x" * (settings.HOCVUSO_MAX_REQUEST_BYTES + 1)
    url = reverse("registry:village_create", args=[commune.code])
    assert client.post(url, {"name": big}).status_code == 413
    api = client.post("/api/v1/skills/events", {"note": big}, content_type="application/json")
    assert api.status_code == 413
    assert api.json()["code"] == "too_large"


def test_only_the_import_takes_a_large_file(settings, officer, commune):
    client = login(officer)
    size = settings.HOCVUSO_MAX_REQUEST_BYTES + 10
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("danh-sach.csv", b"Ho va ten\n" + b"a\n" * (size // 2))
    response = client.post(reverse("registry:import_start", args=[commune.code]), {"file": upload})
    assert response.status_code != 413
