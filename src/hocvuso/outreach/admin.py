"""Back office: read-only. Guides are designated through the web pages and the API (audited)."""

from django.contrib import admin

from hocvuso.core.admin import ReadOnlyAdmin
from hocvuso.outreach.models import FamilyGuide


@admin.register(FamilyGuide)
class FamilyGuideAdmin(ReadOnlyAdmin):
    list_display = ["household", "person", "created_at", "ended_at"]
    list_select_related = ["household", "person"]
