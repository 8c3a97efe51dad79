from django.contrib import admin

from hocvuso.core.admin import ReadOnlyAdmin
from hocvuso.geo.models import Commune, Province, Village


class UnitAdmin(ReadOnlyAdmin):
    """Read-only: the official list comes from ``hocvuso load_units``, villages are kept on the
    commune's pages and the area flags on the province's (audited, figures updated)."""


@admin.register(Province)
class ProvinceAdmin(UnitAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name", "search_key"]
    readonly_fields = ["search_key"]


@admin.register(Commune)
class CommuneAdmin(UnitAdmin):
    list_display = ["code", "name", "kind", "province", "is_remote", "is_ethnic_minority"]
    list_filter = ["kind", "is_remote", "is_ethnic_minority", "province"]
    search_fields = ["code", "name", "search_key"]
    list_select_related = ["province"]
    readonly_fields = ["search_key"]


@admin.register(Village)
class VillageAdmin(UnitAdmin):
    list_display = ["name", "kind", "commune", "is_remote", "is_ethnic_minority"]
    list_filter = ["kind", "is_remote", "is_ethnic_minority"]
    search_fields = ["name", "search_key", "commune__name"]
    list_select_related = ["commune"]
    raw_id_fields = ["commune"]
    readonly_fields = ["search_key"]
