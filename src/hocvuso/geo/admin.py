from django.contrib import admin

from hocvuso.geo.models import Commune, Province, Village


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name", "search_key"]
    readonly_fields = ["search_key"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province", "is_remote", "is_ethnic_minority"]
    list_filter = ["kind", "is_remote", "is_ethnic_minority", "province"]
    search_fields = ["code", "name", "search_key"]
    list_select_related = ["province"]
    readonly_fields = ["search_key"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "is_remote", "is_ethnic_minority"]
    list_filter = ["kind", "is_remote", "is_ethnic_minority"]
    search_fields = ["name", "search_key", "commune__name"]
    list_select_related = ["commune"]
    raw_id_fields = ["commune"]
    readonly_fields = ["search_key"]
