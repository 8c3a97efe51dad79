"""Security headers, templates without inline code, error pages and API errors that leak
nothing, and the pages working under the Content-Security-Policy in a real Chromium."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from hocvuso.core.security import CONTENT_SECURITY_POLICY

SRC = Path(__file__).resolve().parents[2] / "src" / "hocvuso"


@pytest.fixture(autouse=True)
def _no_second_factor(settings):  # type: ignore[no-untyped-def]
    settings.HOCVUSO_REQUIRE_2FA = False


def test_policy_is_the_strict_one():
    assert CONTENT_SECURITY_POLICY == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/login/", "/static/ui/site.css", "/api/v1/units/provinces", "/khong-co/"]
)
def test_headers_on_every_response(url):
    response = Client().get(url)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "camera=()" in response["Permissions-Policy"]
    if not url.startswith("/static/"):  # whitenoise answers before Django's clickjacking
        assert response["X-Frame-Options"] == "DENY"  # middleware; frame-ancestors covers it
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_headers_on_logged_in_pages(client, officer, household, head):
    client.force_login(officer)
    for url in (
        reverse("ui:home"),
        reverse("registry:household", args=[household.pk]),
        reverse("privacy:person", args=[head.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def _templates() -> list[Path]:
    return sorted(SRC.rglob("templates/**/*.html"))


def test_templates_have_no_inline_script_or_style():
    assert len(_templates()) > 20
    offenders = []
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            tag = match.group(0)
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.relative_to(SRC)}: {tag}")
        if re.search(r"\sstyle\s*=", text, flags=re.IGNORECASE):
            offenders.append(f"{path.relative_to(SRC)}: style=")
        if re.search(r"<style\b", text, flags=re.IGNORECASE):
            offenders.append(f"{path.relative_to(SRC)}: <style>")
        if re.search(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE):
            offenders.append(f"{path.relative_to(SRC)}: on…= handler")
        if "javascript:" in text.lower():
            offenders.append(f"{path.relative_to(SRC)}: javascript: URL")
    assert offenders == []


# --- Error pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_404_is_generic_and_vietnamese():
    response = Client().get("/duong-dan/bi-mat-123/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy trang" in page
    assert "bi-mat-123" not in page
    assert 'lang="vi"' in page


@pytest.mark.django_db
def test_404_of_an_out_of_scope_object_is_the_same_page(officer, other_officer, head):
    client = Client()
    client.force_login(other_officer)
    response = client.get(reverse("ui:person", args=[head.pk]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert str(head.pk) not in response.content.decode()


@pytest.mark.django_db
def test_400_on_a_bad_host():
    response = Client(HTTP_HOST="evil.example").get("/login/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Yêu cầu không hợp lệ" in page
    assert "evil.example" not in page
    assert "ALLOWED_HOSTS" not in page


@pytest.mark.django_db
def test_403_csrf_failure_says_the_form_expired():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Biểu mẫu đã hết hạn" in page
    assert "CSRF" not in page
    assert "Referer" not in page


@pytest.mark.django_db
@pytest.mark.urls("tests.core.error_urls")
def test_500_and_403_leak_nothing():
    client = Client(raise_request_exception=False)
    response = client.get("/hong/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Đã có lỗi xảy ra" in page
    assert "hunter2" not in page
    assert "Traceback" not in page
    assert "/srv/" not in page
    response = client.get("/cam/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Không được phép" in page
    assert "internal reason" not in page


# --- API errors -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_unknown_route_and_validation_on_the_real_api():
    response = Client().get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Không tìm thấy."}
    response = Client().get("/api/v1/units/communes", {"limit": "nhiều"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [
        {"loc": ["query", "limit"], "msg": body["errors"][0]["msg"], "type": "int_parsing"}
    ]
    assert "nhiều" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.core.api_errors_urls")
@pytest.mark.parametrize("debug", [False, True])
def test_api_errors_have_stable_codes(settings, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["code"] == "server_error"
    assert set(body) == {"code", "message"}
    text = response.content.decode()
    assert "hunter2" not in text
    assert "Traceback" not in text
    assert "secret.py" not in text

    response = client.get("/api/v1/items/abc", {"cccd": "002070123456"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["loc"] for e in body["errors"]] == [["path", "number"]]
    assert "002070123456" not in response.content.decode()

    response = client.get("/api/v1/items/5")  # a required query parameter missing
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "missing"

    for url, status, code in [
        ("/api/v1/missing", 404, "not_found"),
        ("/api/v1/denied", 403, "forbidden"),
        ("/api/v1/throttled", 429, "throttled"),
        ("/api/v1/private", 401, "unauthenticated"),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        body = response.json()
        assert body["code"] == code
        assert set(body) == {"code", "message"}
        assert "internal" not in response.content.decode()
        assert "/srv/" not in response.content.decode()


# --- The pages in a real browser, with the policy on --------------------------------------------


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium); browser test skipped")
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy_in_chromium(
    live_server, units, officer, national_admin, household, head, chromium_path
):
    sync_api = pytest.importorskip("playwright.sync_api")
    from hocvuso.privacy.services import consent_record, data_request_create

    consent_record(actor=officer, person=head, purpose="skills", method="paper")
    data_request_create(actor=officer, person=head, kind="access", channel="office")
    django_client = Client()
    django_client.force_login(officer)
    officer_cookie = django_client.cookies["sessionid"].value
    django_client.force_login(national_admin)
    admin_cookie = django_client.cookies["sessionid"].value

    pages = {
        "anonymous": [reverse("login"), "/khong-co-trang-nay/"],
        officer_cookie: [
            reverse("ui:home"),
            reverse("ui:commune", args=[household.commune_id]),
            reverse("registry:household", args=[household.pk]),
            reverse("ui:person", args=[head.pk]),
            reverse("registry:person_edit", args=[head.pk]),
            reverse("privacy:person", args=[head.pk]),
            reverse("privacy:export", args=[head.pk]),
            reverse("privacy:commune_requests", args=[household.commune_id]),
        ],
        admin_cookie: [reverse("privacy:audit")],
    }
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    problems: list[str] = []
    seen_policy: list[str] = []
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium_path,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            try:
                for cookie, urls in pages.items():
                    context = browser.new_context(locale="vi-VN")
                    if cookie != "anonymous":
                        context.add_cookies(
                            [{"name": "sessionid", "value": cookie, "url": live_server.url}]
                        )
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    page.on(
                        "console",
                        lambda m: (
                            problems.append(f"console {m.type}: {m.text}")
                            if m.type in ("error", "warning")
                            else None
                        ),
                    )
                    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                    for url in urls:
                        response = page.goto(live_server.url + url)
                        assert response is not None
                        seen_policy.append(response.headers.get("content-security-policy", ""))
                        assert page.title(), url
                        # The stylesheet was applied (a blocked one would leave the default).
                        color = page.evaluate(
                            "getComputedStyle(document.querySelector('header.site'))"
                            ".backgroundColor"
                        )
                        assert color == "rgb(11, 93, 59)", url
                    context.close()
            finally:
                browser.close()
    finally:
        connections.close_all()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert set(seen_policy) == {CONTENT_SECURITY_POLICY}
    # The 404 page logs its own status as a console error in Chromium; anything else is a fault.
    problems = [p for p in problems if "status of 404" not in p]
    assert problems == []


def test_every_cookie_is_secure_and_samesite_in_production(settings, citizen):
    """With the production cookie settings, each cookie the platform sets — the language choice,
    the CSRF token, the session, the known-device cookie of sign-in — is Secure and names its
    SameSite policy."""
    from django.test import Client
    from django.urls import reverse

    from tests.factories import OFFICER_PASSWORD

    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_SECURE = True
    client = Client(enforce_csrf_checks=False)
    client.get(reverse("login"))
    client.post(reverse("set_language"), {"language": "en"})
    client.post(reverse("login"), {"username": "dan", "password": OFFICER_PASSWORD})
    names = {"csrftoken", settings.LANGUAGE_COOKIE_NAME, "sessionid", "hocvuso_device"}
    assert names <= set(client.cookies)
    for name in names:
        morsel = client.cookies[name]
        assert morsel["secure"], name
        assert morsel["samesite"] == "Lax", name
