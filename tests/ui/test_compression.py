"""Light on the wire: pages and JSON go out gzipped to a client that accepts it; static files
are fingerprinted and stored pre-compressed (gzip and Brotli) for a year's caching."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import login

pytestmark = pytest.mark.django_db


def test_pages_and_json_are_gzipped_for_a_client_that_accepts_it(officer, commune, head):
    client = login(officer)
    for url in (reverse("ui:commune", args=[commune.code]), "/api/v1/units/communes"):
        plain = client.get(url)
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert plain.status_code == packed.status_code == 200, url
        assert not plain.has_header("Content-Encoding")
        assert packed["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed["Vary"]
        assert len(packed.content) < len(plain.content) / 2, url
        # Same content, apart from the per-response CSRF token and nonce of a page.
        body = gzip.decompress(packed.content)
        if url.startswith("/api/"):
            assert json.loads(body) == json.loads(plain.content)
        else:
            assert commune.name.encode() in body


def test_static_files_are_fingerprinted_and_precompressed(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", "-v", "0")
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    css = [name for name in manifest["paths"] if name.endswith(".css")]
    assert css
    for name in css:
        hashed = tmp_path / "static" / manifest["paths"][name]
        assert hashed.name != name.rsplit("/", 1)[-1]  # fingerprinted
        assert hashed.with_name(hashed.name + ".gz").is_file()
        assert hashed.with_name(hashed.name + ".br").is_file()
        assert hashed.with_name(hashed.name + ".br").stat().st_size < hashed.stat().st_size
