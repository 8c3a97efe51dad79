"""The skill framework in the back office (national admins, who are staff): read-only, as every
domain model. Areas and skill sets are never edited here (a set edited here would bypass the
service that audits it and keeps the statuses it decides); a skill's names, description, level
and activity may be changed, and only through the audited service :func:`skill_update` — never
added (the catalogue is seeded) nor deleted (events refer to it). Events, statuses and
back-checks are written by their services only (append-only, audited).

English names are shown marked as English; skill codes in a list are shown as the skills' names."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from hocvuso.access.skills import can_edit_catalogue
from hocvuso.core.admin import ReadOnlyAdmin, column, english, labels
from hocvuso.skills import facts, selectors, services
from hocvuso.skills.models import (
    BackCheck,
    CheckRound,
    PersonSkillStatus,
    Programme,
    Skill,
    SkillArea,
    SkillEvent,
    SkillSet,
)

_ENGLISH = {"name_en": "english_name", "description_en": "english_description"}


class EnglishFields(ReadOnlyAdmin):
    """Shows the ``*_en`` fields marked as English, on lists and on read-only records; an editor's
    input for them is marked as English too."""

    readonly_fields = ["english_name", "english_description"]

    @admin.display(description=_("English name"))
    def english_name(self, obj: Any) -> SafeString:
        return english(obj.name_en)

    @admin.display(description=_("what the person can show (English)"))
    def english_description(self, obj: Any) -> SafeString:
        return english(getattr(obj, "description_en", ""))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        shown = super().get_fields(request, obj)
        fields = [f for f in shown if f not in ("english_name", "english_description")]
        if self.has_change_permission(request, obj):
            return fields
        return [_ENGLISH.get(f, f) if isinstance(f, str) else f for f in fields]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name.endswith("_en"):
            field.widget.attrs["lang"] = "en"
        return field


@admin.register(SkillArea)
class SkillAreaAdmin(EnglishFields):
    list_display = ["code", "name_vi", "english_name", "source", "order"]


@admin.register(Skill)
class SkillAdmin(EnglishFields):
    list_display = ["code", "name_vi", "english_name", "area", "kind", "level", "is_active"]
    list_filter = ["area", "kind", "is_active"]
    search_fields = ["code", "name_vi", "name_en"]
    readonly_fields = ["code", "area", "kind", "english_name", "english_description", "programmes"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [f for f in super().get_fields(request, obj) if f != "programme_names"]
        return [("programme_names" if f == "programmes" else f) for f in fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_readonly_fields(request, obj), "programme_names"]

    @admin.display(description=_("programmes"))
    def programme_names(self, obj: Skill) -> str:
        return labels(obj.programmes, dict(Programme.choices))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The catalogue's editors (the policy), and only through the service (save_model).
        return can_edit_catalogue(request.user) and admin.ModelAdmin.has_change_permission(
            self, request, obj
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        services.skill_update(actor=request.user, skill=Skill.objects.get(pk=obj.pk), **values)


@admin.register(SkillSet)
class SkillSetAdmin(EnglishFields):
    list_display = ["code", "province", "name_vi"]
    fields = ["code", "province", "name_vi", "name_en", "description", "skills"]


@admin.register(SkillEvent)
class SkillEventAdmin(ReadOnlyAdmin):
    list_display = [
        "happened_on",
        "skill",
        column("person_id", _("person")),
        "channel",
        column("reverses_id", _("withdraws")),
    ]
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
    list_display = [
        column("person_id", _("person")),
        "basic_complete",
        "vneid_level",
        "has_bank_account",
    ]
    fields = [{"skills": "skills_held", "t4": "four_t"}.get(f, f) for f in facts.STATUS_FIELDS]
    readonly_fields = ["skills_held", "four_t"]

    @admin.display(description=_("skills held"))
    def skills_held(self, obj: PersonSkillStatus) -> str:
        return labels(obj.skills, selectors.skill_names())

    @admin.display(description=_("4T progress"))
    def four_t(self, obj: PersonSkillStatus) -> str:
        return labels(obj.t4, selectors.skill_names())


@admin.register(CheckRound)
class CheckRoundAdmin(ReadOnlyAdmin):
    list_display = ["commune", "period_from", "period_to", "label", "size", "population"]
    list_select_related = ["commune"]


@admin.register(BackCheck)
class BackCheckAdmin(ReadOnlyAdmin):
    list_display = [
        "round",
        column("event_id", _("skill event")),
        "channel",
        "label",
        "outcome",
        "checked_at",
    ]
    list_filter = ["outcome", "channel"]
    fields = ["round", "channel", "helper", "label", "assigned_to", "outcome", "checked_at"]
