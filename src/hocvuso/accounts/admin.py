from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hocvuso.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("hocvuso", {"fields": ("display_name",)}))  # type: ignore[misc]
    list_display = ["username", "display_name", "is_staff", "is_superuser", "last_login"]
