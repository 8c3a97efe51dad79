"""The back office opens every model for an administrator and never shows an identifier; every
domain model is read-only there, skill sets included; its pages name models in Vietnamese."""

import json

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


# Admins that may change something, each for a stated reason; every other domain model's admin
# is read-only (changes go through the audited services).
EDITABLE = {
    "accounts.user": "staff accounts of the back office itself (Django's user admin)",
    "skills.skill": "names, level, activity — saved through the audited skill_update service",
}


def test_every_domain_admin_is_read_only(rf):
    from hocvuso.core.admin import ReadOnlyAdmin
    from hocvuso.skills.models import Skill

    root = get_user_model().objects.create_superuser("root", "root@example.vn", "x" * 12)
    request = rf.get("/admin/")
    request.user = root
    writable = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if not model.__module__.startswith("hocvuso.") or label in EDITABLE:
            continue
        assert isinstance(model_admin, ReadOnlyAdmin), label
        if (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        ):
            writable.append(label)
    assert writable == []
    skill_admin = admin.site._registry[Skill]
    assert not skill_admin.has_add_permission(request)
    assert not skill_admin.has_delete_permission(request)


def test_skill_sets_cannot_be_edited_in_the_admin(admin_client):
    from hocvuso.skills.models import SkillSet

    basic = SkillSet.objects.get(code="basic", province__isnull=True)
    members = sorted(basic.skills.values_list("code", flat=True))
    url = reverse("admin:skills_skillset_change", args=[basic.pk])
    response = admin_client.post(url, {"code": "basic", "name_vi": "Đổi", "skills": []})
    assert response.status_code == 403
    basic.refresh_from_db()
    assert basic.name_vi != "Đổi"
    assert sorted(basic.skills.values_list("code", flat=True)) == members
    assert admin_client.get(reverse("admin:skills_skillset_add")).status_code == 403


def test_a_skill_changed_in_the_admin_goes_through_the_audited_service(admin_client):
    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.models import AuditLog
    from hocvuso.roles.services import role_grant
    from hocvuso.skills.models import Skill

    skill = Skill.objects.get(code="pay.qr")
    url = reverse("admin:skills_skill_change", args=[skill.pk])
    # Staff without the national role: read-only (the service would refuse them).
    assert admin_client.post(url, {"name_vi": "Không"}).status_code == 403
    role_grant(
        actor=SYSTEM, user=get_user_model().objects.get(username="root"), role="national_admin"
    )
    data = {
        "name_vi": "Thanh toán bằng mã QR (sửa)",
        "name_en": skill.name_en,
        "level": skill.level,
        "description_vi": skill.description_vi,
        "description_en": skill.description_en,
        "programmes": json.dumps(skill.programmes),
        "order": skill.order,
        "is_active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    skill.refresh_from_db()
    assert skill.name_vi == "Thanh toán bằng mã QR (sửa)"
    row = AuditLog.objects.get(action="skill.update", object_id=str(skill.pk))
    assert row.actor.username == "root"
    assert list(row.changes) == ["name_vi"]


def test_admin_pages_keep_vietnamese_names(admin_client):
    """Every registered model is named in Vietnamese on its admin page."""
    from django.utils import translation

    english = []
    for model in admin.site._registry:
        meta = model._meta
        if not model.__module__.startswith("hocvuso."):
            continue
        with translation.override("vi"):
            vi = str(meta.verbose_name_plural)
        with translation.override("en"):
            en = str(meta.verbose_name_plural)
        if vi == en:
            english.append(meta.label_lower)
            continue
        page = admin_client.get(
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        ).content.decode()
        assert vi.capitalize() in page or vi in page, meta.label_lower
    assert english == []


def test_permissions_and_booleans_are_named_in_vietnamese(admin_client):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.utils import translation

    from hocvuso.core.admin import boolean_icon, permission_label
    from hocvuso.registry.models import Household

    permission = Permission.objects.get(
        codename="delete_household", content_type=ContentType.objects.get_for_model(Household)
    )
    assert permission.name == "Can delete household"  # what Django stored
    with translation.override("vi"):
        assert permission_label(permission) == "Sổ dân cư | hộ gia đình | Được xóa hộ gia đình"
        assert 'alt="Có"' in boolean_icon(True)
        assert 'alt="Không"' in boolean_icon(False)
    page = admin_client.get(reverse("admin:auth_group_add")).content.decode()
    assert "Được xóa hộ gia đình" in page
    assert "Can delete household" not in page
    assert (
        'alt="True"'
        not in admin_client.get(reverse("admin:geo_commune_changelist")).content.decode()
    )
