from django.urls import path

from hocvuso.kpi import views

app_name = "kpi"
NATIONAL = {"level": "national"}
PROVINCE = {"level": "province"}
COMMUNE = {"level": "commune"}
VILLAGE = {"level": "village"}
urlpatterns = [
    path("bang-dieu-khien/", views.home, name="home"),
    path("bang-dieu-khien/ca-nuoc/", views.dashboard, NATIONAL, name="national"),
    path("bang-dieu-khien/ca-nuoc/xuat.<str:fmt>", views.export, NATIONAL, name="national_export"),
    path("bang-dieu-khien/ca-nuoc/bao-cao/", views.report, NATIONAL, name="national_report"),
    path(
        "bang-dieu-khien/ca-nuoc/xuat-nen/", views.export_job, NATIONAL, name="national_export_job"
    ),
    path("bang-dieu-khien/tinh/<str:code>/", views.dashboard, PROVINCE, name="province"),
    path(
        "bang-dieu-khien/tinh/<str:code>/xuat-nen/",
        views.export_job,
        PROVINCE,
        name="province_export_job",
    ),
    path(
        "bang-dieu-khien/tinh/<str:code>/xuat.<str:fmt>",
        views.export,
        PROVINCE,
        name="province_export",
    ),
    path(
        "bang-dieu-khien/tinh/<str:code>/bao-cao/", views.report, PROVINCE, name="province_report"
    ),
    path("bang-dieu-khien/xa/<str:code>/", views.dashboard, COMMUNE, name="commune"),
    path(
        "bang-dieu-khien/xa/<str:code>/xuat.<str:fmt>",
        views.export,
        COMMUNE,
        name="commune_export",
    ),
    path("bang-dieu-khien/xa/<str:code>/bao-cao/", views.report, COMMUNE, name="commune_report"),
    path("bang-dieu-khien/thon/<uuid:code>/", views.dashboard, VILLAGE, name="village"),
    path(
        "bang-dieu-khien/thon/<uuid:code>/xuat.<str:fmt>",
        views.export,
        VILLAGE,
        name="village_export",
    ),
    path("bang-dieu-khien/chi-tieu/", views.targets_national, name="targets_national"),
    path(
        "bang-dieu-khien/chi-tieu/tinh/<str:code>/",
        views.targets_province,
        name="targets_province",
    ),
]
