from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hocvuso.accounts.models import DeviceToken, Invitation, User
from hocvuso.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("hocvuso", {"fields": ("display_name",)}))  # type: ignore[misc]
    list_display = ["username", "display_name", "is_staff", "is_superuser", "last_login"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["role", "commune", "invited_by", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]


@admin.register(DeviceToken)
class DeviceTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]
