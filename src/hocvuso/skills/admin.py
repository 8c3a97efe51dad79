"""The catalogue in the back office (national admins, who are staff). Skill events and statuses
are read-only here: events are written by the services only (append-only, audited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hocvuso.registry.admin import ReadOnlyAdmin
from hocvuso.skills import facts, services
from hocvuso.skills.models import PersonSkillStatus, Skill, SkillArea, SkillEvent, SkillSet


@admin.register(SkillArea)
class SkillAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "source", "order"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "area", "kind", "level", "is_active"]
    list_filter = ["area", "kind", "is_active"]
    search_fields = ["code", "name_vi", "name_en"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "area", "kind"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # events refer to skills: retire one with "active" instead

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        fresh = Skill.objects.get(pk=obj.pk)
        services.skill_update(actor=request.user, skill=fresh, **values)


@admin.register(SkillSet)
class SkillSetAdmin(admin.ModelAdmin):
    list_display = ["code", "province", "name_vi"]
    filter_horizontal = ["skills"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
