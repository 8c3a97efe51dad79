"""Requests for help in the admin: read-only (changes go through the pages and their audited
services)."""

from django.contrib import admin

from hocvuso.assistance.models import HelpRequest
from hocvuso.core.admin import ReadOnlyAdmin


@admin.register(HelpRequest)
class HelpRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "commune", "village", "skill", "contact", "status", "taken_by")
    list_filter = ("status", "contact")
