"""Teams in the admin: read-only (changes go through the pages and their audited services)."""

from django.contrib import admin

from hocvuso.core.admin import ReadOnlyAdmin
from hocvuso.teams.models import Team, TeamMember, Visit


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "commune")


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnlyAdmin):
    list_display = ("user", "team", "role", "organisation", "removed_at")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("household", "team", "visited_at", "visited_by")
