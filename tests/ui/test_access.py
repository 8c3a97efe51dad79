"""A signed-in user without an officer role sees nothing and changes nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.factories import db_fingerprint

pytestmark = pytest.mark.django_db


def test_citizen_gets_404_on_every_registry_page(citizen_client, commune, village, household, head):
    for url in [
        reverse("ui:commune", args=[commune.code]),
        reverse("registry:village_create", args=[commune.code]),
        reverse("registry:village_edit", args=[commune.code, village.pk]),
        reverse("registry:villages_import", args=[commune.code]),
        reverse("registry:household_create", args=[commune.code]),
        reverse("registry:household", args=[household.pk]),
        reverse("ui:person", args=[head.pk]),
        reverse("registry:person_edit", args=[head.pk]),
    ]:
        response = citizen_client.get(url)
        assert response.status_code == 404, url
        assert "Giàng Mí Pó" not in response.content.decode()


def test_citizen_posts_change_nothing(citizen_client, commune, village, household, head):
    before = db_fingerprint()
    posts = [
        (reverse("registry:village_create", args=[commune.code]), {"name": "Thôn Mới"}),
        (
            reverse("registry:village_edit", args=[commune.code, village.pk]),
            {"name": "Thôn Đổi Tên", "is_remote": "on"},
        ),
        (
            reverse("registry:villages_import", args=[commune.code]),
            {"file": io.BytesIO("Tên thôn\nThôn Nhập\n".encode())},
        ),
        (reverse("registry:household_create", args=[commune.code]), {"code": "HACK-1"}),
        (
            reverse("registry:household_edit", args=[household.pk]),
            {"code": "HACK-2", "address": "x"},
        ),
        (reverse("registry:household_set_head", args=[household.pk]), {"head": str(head.pk)}),
        (
            reverse("registry:person_add", args=[household.pk]),
            {"full_name": "Người Lạ", "sex": "M", "birth": "1990"},
        ),
        (
            reverse("registry:person_edit", args=[head.pk]),
            {"full_name": "Tên Khác", "sex": "M", "birth": "1970", "remove_cccd": "on"},
        ),
        (reverse("ui:person_reveal_cccd", args=[head.pk]), {"reason": "tò mò"}),
    ]
    for url, data in posts:
        response = citizen_client.post(url, data)
        assert response.status_code == 404, url
        assert "002070123456" not in response.content.decode()
    assert db_fingerprint() == before


def test_anonymous_posts_change_nothing(client, household, head):
    before = db_fingerprint()
    response = client.post(reverse("ui:person_reveal_cccd", args=[head.pk]), {"reason": "x"})
    assert response.status_code == 302
    response = client.post(
        reverse("registry:household_edit", args=[household.pk]), {"code": "HACK", "address": ""}
    )
    assert response.status_code == 302
    assert db_fingerprint() == before


def test_posts_need_csrf(officer, household):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    before = db_fingerprint()
    response = client.post(
        reverse("registry:household_edit", args=[household.pk]), {"code": "NO-CSRF", "address": ""}
    )
    assert response.status_code == 403
    assert db_fingerprint() == before


def test_get_on_write_endpoints_is_refused(officer_client, household, head):
    assert (
        officer_client.get(reverse("registry:household_edit", args=[household.pk])).status_code
        == 405
    )
    assert officer_client.get(reverse("ui:person_reveal_cccd", args=[head.pk])).status_code == 405
