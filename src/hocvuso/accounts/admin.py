from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from hocvuso.accounts.models import DeviceToken, Invitation, User
from hocvuso.core.admin import PermissionLabels, ReadOnlyAdmin
from hocvuso.core.audit import AuditAction, audit_record


@admin.register(User)
class UserAdmin(PermissionLabels, BaseUserAdmin):
    """Accounts are the one domain table the admin still edits (a lost password, a staff flag):
    every save and delete writes an audit row naming the actor and the fields changed (never
    their values, never a password)."""

    fieldsets = (*BaseUserAdmin.fieldsets, ("hocvuso", {"fields": ("display_name",)}))  # type: ignore[misc]
    list_display = ["username", "display_name", "is_staff", "is_superuser", "last_login"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        fields = sorted(f for f in form.changed_data if "password" not in f)
        if "password1" in form.changed_data or "password" in form.changed_data:
            fields.append("password")
        audit_record(
            actor=request.user,
            action=AuditAction.ADMIN_CHANGE if change else AuditAction.ADMIN_ADD,
            obj=obj,
            changes={"fields": fields},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=AuditAction.ADMIN_DELETE, obj=obj, changes={})
        super().delete_model(request, obj)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabels, BaseGroupAdmin):
    """Django's group admin, its permissions named in the reader's language."""


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["role", "commune", "invited_by", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]


@admin.register(DeviceToken)
class DeviceTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]
