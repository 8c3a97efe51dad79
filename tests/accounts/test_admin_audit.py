"""The Django admin edits no domain table but accounts, and every account edit is audited."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from hocvuso.accounts.models import User
from hocvuso.core.admin import ReadOnlyAdmin
from hocvuso.core.models import AuditLog
from tests.factories import login

pytestmark = pytest.mark.django_db


def test_every_hocvuso_model_in_the_admin_is_read_only_but_accounts():
    editable = sorted(
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("hocvuso.") and not isinstance(model_admin, ReadOnlyAdmin)
    )
    assert editable == ["accounts.user"]


def test_an_account_changed_in_the_admin_is_audited_without_values(units):
    root = User.objects.create_superuser("root", password="a-long-admin-password-2026")
    user = User.objects.create_user("canbo.moi", password="old-password-2026")
    client = login(root)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": "canbo.moi",
            "display_name": "Cán bộ mới",
            "is_active": "on",
            "date_joined_0": "2026-12-01",
            "date_joined_1": "08:00:00",
            "groups": [],
            "user_permissions": [],
        }
    )
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.display_name == "Cán bộ mới"
    [row] = AuditLog.objects.filter(action="admin.change")
    assert (row.actor, row.object_type, row.object_id) == (root, "accounts.user", str(user.pk))
    assert "display_name" in row.changes["fields"]
    assert "Cán bộ mới" not in str(row.changes)
    client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})
    assert not User.objects.filter(pk=user.pk).exists()
    assert AuditLog.objects.filter(action="admin.delete", object_id=str(user.pk)).count() == 1
