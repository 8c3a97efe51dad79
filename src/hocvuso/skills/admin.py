"""The skill framework in the back office (national admins, who are staff): read-only, as every
domain model. Areas and skill sets are never edited here (a set edited here would bypass the
service that audits it and keeps the statuses it decides); a skill's names, description, level
and activity may be changed, and only through the audited service :func:`skill_update` — never
added (the catalogue is seeded) nor deleted (events refer to it). Events, statuses and
back-checks are written by their services only (append-only, audited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hocvuso.access.skills import can_edit_catalogue
from hocvuso.core.admin import ReadOnlyAdmin
from hocvuso.skills import facts, services
from hocvuso.skills.models import (
    BackCheck,
    CheckRound,
    PersonSkillStatus,
    Skill,
    SkillArea,
    SkillEvent,
    SkillSet,
)


@admin.register(SkillArea)
class SkillAreaAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "name_en", "source", "order"]


@admin.register(Skill)
class SkillAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "name_en", "area", "kind", "level", "is_active"]
    list_filter = ["area", "kind", "is_active"]
    search_fields = ["code", "name_vi", "name_en"]
    readonly_fields = ["code", "area", "kind"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The catalogue's editors (the policy), and only through the service (save_model).
        return can_edit_catalogue(request.user) and admin.ModelAdmin.has_change_permission(
            self, request, obj
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        services.skill_update(actor=request.user, skill=Skill.objects.get(pk=obj.pk), **values)


@admin.register(SkillSet)
class SkillSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "province", "name_vi"]
    fields = ["code", "province", "name_vi", "name_en", "description", "skills"]


@admin.register(SkillEvent)
class SkillEventAdmin(ReadOnlyAdmin):
    list_display = ["happened_on", "skill", "person_id", "channel", "reverses_id"]
    list_filter = ["channel", "skill__area"]
    fields = [
        "person",
        "skill",
        "happened_on",
        "channel",
        "helped_by",
        "verified_by",
        "note",
        "reverses",
        "recorded_by",
        "created_at",
    ]


@admin.register(PersonSkillStatus)
class PersonSkillStatusAdmin(ReadOnlyAdmin):
    list_display = ["person_id", "basic_complete", "vneid_level", "has_bank_account"]
    fields = [*facts.STATUS_FIELDS]


@admin.register(CheckRound)
class CheckRoundAdmin(ReadOnlyAdmin):
    list_display = ["commune", "period_from", "period_to", "label", "size", "population"]
    list_select_related = ["commune"]


@admin.register(BackCheck)
class BackCheckAdmin(ReadOnlyAdmin):
    list_display = ["round", "event_id", "channel", "label", "outcome", "checked_at"]
    list_filter = ["outcome", "channel"]
    fields = ["round", "channel", "helper", "label", "assigned_to", "outcome", "checked_at"]
