"""Teams in the admin: read-only (changes go through the pages and their audited services)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hocvuso.core.admin import ReadOnlyAdmin, labels
from hocvuso.teams.models import Team, TeamMember, Visit, VisitIssue


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "commune")


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnlyAdmin):
    list_display = ("user", "team", "role", "organisation", "removed_at")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("household", "team", "visited_at", "visited_by")
    readonly_fields = ("issues_found",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [("issues_found" if f == "issues" else f) for f in super().get_fields(request, obj)]

    @admin.display(description=_("issues found"))
    def issues_found(self, obj: Visit) -> str:
        return labels(obj.issues, dict(VisitIssue.choices))
