"""A signed-in user without an officer role sees nothing and changes nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.web.conftest import snapshot_db

pytestmark = pytest.mark.django_db


def test_citizen_gets_404_on_every_registry_page(citizen_client, commune, village, household, head):
    for url in [
        reverse("web:commune", args=[commune.code]),
        reverse("web:village_create", args=[commune.code]),
        reverse("web:village_edit", args=[commune.code, village.pk]),
        reverse("web:villages_import", args=[commune.code]),
        reverse("web:household_create", args=[commune.code]),
        reverse("web:household", args=[household.pk]),
        reverse("web:person", args=[head.pk]),
        reverse("web:person_edit", args=[head.pk]),
    ]:
        response = citizen_client.get(url)
        assert response.status_code == 404, url
        assert "Giàng Mí Pó" not in response.content.decode()


def test_citizen_posts_change_nothing(citizen_client, commune, village, household, head):
    before = snapshot_db()
    posts = [
        (reverse("web:village_create", args=[commune.code]), {"name": "Thôn Mới"}),
        (
            reverse("web:village_edit", args=[commune.code, village.pk]),
            {"name": "Thôn Đổi Tên", "is_remote": "on"},
        ),
        (
            reverse("web:villages_import", args=[commune.code]),
            {"file": io.BytesIO("Tên thôn\nThôn Nhập\n".encode())},
        ),
        (reverse("web:household_create", args=[commune.code]), {"code": "HACK-1"}),
        (
            reverse("web:household_edit", args=[household.pk]),
            {"code": "HACK-2", "address": "x"},
        ),
        (reverse("web:household_set_head", args=[household.pk]), {"head": str(head.pk)}),
        (
            reverse("web:person_add", args=[household.pk]),
            {"full_name": "Người Lạ", "sex": "M", "birth": "1990"},
        ),
        (
            reverse("web:person_edit", args=[head.pk]),
            {"full_name": "Tên Khác", "sex": "M", "birth": "1970", "remove_cccd": "on"},
        ),
        (reverse("web:person_reveal_cccd", args=[head.pk]), {"reason": "tò mò"}),
    ]
    for url, data in posts:
        response = citizen_client.post(url, data)
        assert response.status_code == 404, url
        assert "002070123456" not in response.content.decode()
    assert snapshot_db() == before


def test_anonymous_posts_change_nothing(client, household, head):
    before = snapshot_db()
    response = client.post(reverse("web:person_reveal_cccd", args=[head.pk]), {"reason": "x"})
    assert response.status_code == 302
    response = client.post(
        reverse("web:household_edit", args=[household.pk]), {"code": "HACK", "address": ""}
    )
    assert response.status_code == 302
    assert snapshot_db() == before


def test_posts_need_csrf(officer, household):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    before = snapshot_db()
    response = client.post(
        reverse("web:household_edit", args=[household.pk]), {"code": "NO-CSRF", "address": ""}
    )
    assert response.status_code == 403
    assert snapshot_db() == before


def test_get_on_write_endpoints_is_refused(officer_client, household, head):
    assert officer_client.get(reverse("web:household_edit", args=[household.pk])).status_code == 405
    assert officer_client.get(reverse("web:person_reveal_cccd", args=[head.pk])).status_code == 405
