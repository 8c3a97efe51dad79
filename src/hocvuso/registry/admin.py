"""Back office for the registry: read-only, identifiers masked.

Every change to people and households goes through the services (web forms, import), which check
scope and write the audit log; the admin is for looking, not for editing around them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hocvuso.core.admin import ReadOnlyAdmin
from hocvuso.registry.models import Household, ImportJob, Person


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["code", "commune", "village", "address", "head"]
    list_select_related = ["commune", "village", "head"]
    search_fields = ["code", "search_key"]
    list_filter = ["commune__province"]
    fields = ["code", "commune", "village", "address", "head", "created_at", "updated_at"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "year_of_birth", "sex", "cccd_display", "commune", "household"]
    list_select_related = ["commune", "household"]
    search_fields = ["search_key"]
    list_filter = ["sex", "occupation", "commune__province"]
    # Never the hash or the encrypted copy; ethnicity and special needs are sensitive and are
    # shown only on the scoped person page.
    fields = (
        "full_name",
        "birth_date",
        "year_of_birth",
        "sex",
        "cccd_display",
        "phone",
        "occupation",
        "relationship",
        "commune",
        "household",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("birth year"), ordering="birth_year")
    def year_of_birth(self, obj: Person) -> str:
        return str(obj.birth_year or "")  # a year, never grouped as a number ("1.977")

    @admin.display(description=_("CCCD"))
    def cccd_display(self, obj: Person) -> str:
        return obj.cccd_masked


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["filename", "commune", "status", "read", "inserted", "updated", "unchanged"]
    list_filter = ["status"]
    list_select_related = ["commune"]
    fields = [
        "filename",
        "commune",
        "created_by",
        "status",
        "dry_run",
        "total",
        "done",
        "read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "unknown_columns",
        "new_villages",
        "error",
        "started_at",
        "finished_at",
    ]
