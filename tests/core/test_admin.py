"""The back office opens every model for an administrator and never shows an identifier."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

PLAIN = "002070123456"


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.vn", "x" * 12)
    client.force_login(user)
    return client


def test_every_model_changelist_and_detail_open_without_identifiers(admin_client, head, officer):
    from hocvuso.registry.services import person_reveal_cccd

    person_reveal_cccd(actor=officer, person=head, reason="Làm VNeID")  # an audit row to show
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert PLAIN not in response.content.decode()
        obj = model.objects.first()
        if obj is not None:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            page = admin_client.get(url)
            assert page.status_code == 200, url
            assert PLAIN not in page.content.decode()
    person_page = admin_client.get(
        reverse("admin:registry_person_change", args=[head.pk])
    ).content.decode()
    assert "*********456" in person_page
    assert head.cccd_hash not in person_page
    assert "Mông" not in person_page  # ethnicity is sensitive: not in the back office


def test_registry_is_read_only_in_the_admin(admin_client, head):
    response = admin_client.post(
        reverse("admin:registry_person_change", args=[head.pk]), {"full_name": "Changed"}
    )
    assert response.status_code == 403
    head.refresh_from_db()
    assert head.full_name == "Giàng Mí Pó"
