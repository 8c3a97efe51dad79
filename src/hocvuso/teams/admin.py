"""Teams in the admin: read-only (changes go through the pages and their audited services)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hocvuso.teams.models import Team, TeamMember, Visit


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(ReadOnly):
    list_display = ("name", "commune")


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnly):
    list_display = ("user", "team", "role", "organisation", "removed_at")


@admin.register(Visit)
class VisitAdmin(ReadOnly):
    list_display = ("household", "team", "visited_at", "visited_by")
