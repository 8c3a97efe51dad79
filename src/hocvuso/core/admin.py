"""The back office's one rule for domain data: read-only. Every change goes through the pages and
their audited services (which check scope and write the audit log); the admin is for looking,
never for editing around them. :class:`ReadOnlyAdmin` is the base of every domain model's admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hocvuso.core.models import AuditLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to administrators; nothing added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Append-only: the admin reads the trail, never changes it."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "request_id", "action"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
