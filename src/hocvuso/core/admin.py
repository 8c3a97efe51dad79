"""The back office's one rule for domain data: read-only. Every change goes through the pages and
their audited services (which check scope and write the audit log); the admin is for looking,
never for editing around them. :class:`ReadOnlyAdmin` is the base of every domain model's admin.

The back office is in Vietnamese too: booleans are told in words (Django's icons carry an English
"True"/"False" as their text), permissions are named from the model's Vietnamese name (Django
stores "Can add …" in English in the database), and the audit trail shows its actions' labels."""

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hocvuso.core.audit import AuditAction
from hocvuso.core.export import label
from hocvuso.core.models import AuditLog

_ICONS = {True: "yes", False: "no", None: "unknown"}
_WORDS = {True: _("Yes"), False: _("No"), None: _("Unknown")}


def boolean_icon(value: bool | None) -> SafeString:
    """Django's yes/no icon, its text in the reader's language."""
    return format_html(
        '<img src="{}" alt="{}">', static(f"admin/img/icon-{_ICONS[value]}.svg"), _WORDS[value]
    )


# Django looks the icon up in this module each time it draws one (list, detail, read-only field).
admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]

_PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Any) -> str:
    """ "Xã/phường | hộ gia đình | Được xóa hộ gia đình", not the English name Django stored."""
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if model is not None and action in _PERMISSION_ACTIONS and model._meta.model_name == model_name:
        name = _PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


class PermissionLabels:
    """For an admin with a permissions field: each permission named in the reader's language."""

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


def english(text: str) -> SafeString:
    """Text in English on a Vietnamese page (a record's English name), marked as such: a screen
    reader reads it in an English voice, and the page sweep knows it is meant."""
    return format_html('<span lang="en">{}</span>', text) if text else format_html("")


def labels(values: Any, names: Mapping[str, Any]) -> str:
    """A list of codes as the names a reader reads, in the order given."""
    return ", ".join(str(names.get(v, v)) for v in values or ()) or "—"


def column(attname: str, description: Any) -> Any:
    """A list column showing a foreign key's raw id (no query per row) under a Vietnamese name."""

    @admin.display(description=description, ordering=attname)
    def show(obj: Any) -> Any:
        return getattr(obj, attname)

    return show


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to administrators; nothing added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def object_type_label(object_type: str) -> str:
    """ "registry.person" → the model's name ("người"); the value itself when unknown."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def changes_label(object_type: str, changes: Any) -> str:
    """An audit row's changes with each field named as its model names it, and a choice's value
    by its label."""
    try:
        model_fields = apps.get_model(object_type)._meta.get_fields()
    except (LookupError, ValueError):
        model_fields = []
    names = {f.name: getattr(f, "verbose_name", f.name) for f in model_fields}
    choices = {f.name: dict(f.flatchoices) for f in model_fields if getattr(f, "choices", None)}
    if not isinstance(changes, dict):
        return "" if changes in (None, "") else str(changes)

    def shown(key: str, value: Any) -> str:
        return "—" if value in (None, "") else str(choices.get(key, {}).get(value, value))

    parts = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
            text = " → ".join(shown(key, v) for v in value)
        elif isinstance(value, list):
            text = ", ".join(str(names.get(v, v)) for v in value) or "—"
        else:
            text = shown(key, value)
        parts.append(f"{names.get(key, key)}: {text}")
    return "; ".join(parts)


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return AuditAction.choices

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        types = AuditLog.objects.order_by().values_list("object_type", flat=True).distinct()
        return sorted(((t, object_type_label(t)) for t in types), key=lambda p: p[1])

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


_AUDIT_FIELDS = (
    "at",
    "actor",
    "action_label",
    "object_label",
    "object_id",
    "changes_text",
    "request_id",
)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Append-only: the admin reads the trail, never changes it."""

    list_display = ["at", "actor", "action_label", "object_label", "object_id", "request_id"]
    list_filter = [ActionFilter, ObjectTypeFilter]
    search_fields = ["object_id", "request_id", "action"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    fields = _AUDIT_FIELDS
    readonly_fields = _AUDIT_FIELDS

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj: AuditLog) -> str:
        return label(AuditAction, obj.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_label(self, obj: AuditLog) -> str:
        return object_type_label(obj.object_type)

    @admin.display(description=_("changes"))
    def changes_text(self, obj: AuditLog) -> str:
        return changes_label(obj.object_type, obj.changes)
