from django.urls import path

from hocvuso.kpi import views

app_name = "kpi"
urlpatterns = [
    path("bang-dieu-khien/", views.home, name="home"),
    path("bang-dieu-khien/ca-nuoc/", views.national, name="national"),
    path("bang-dieu-khien/ca-nuoc/xuat.<str:fmt>", views.national_export, name="national_export"),
    path("bang-dieu-khien/tinh/<str:code>/", views.province, name="province"),
    path(
        "bang-dieu-khien/tinh/<str:code>/xuat.<str:fmt>",
        views.province_export,
        name="province_export",
    ),
    path("bang-dieu-khien/tinh/<str:code>/bao-cao/", views.province_report, name="province_report"),
    path("bang-dieu-khien/xa/<str:code>/", views.commune, name="commune"),
    path(
        "bang-dieu-khien/xa/<str:code>/xuat.<str:fmt>", views.commune_export, name="commune_export"
    ),
    path("bang-dieu-khien/xa/<str:code>/bao-cao/", views.commune_report, name="commune_report"),
    path("bang-dieu-khien/thon/<uuid:village_id>/", views.village, name="village"),
    path(
        "bang-dieu-khien/thon/<uuid:code>/xuat.<str:fmt>",
        views.village_export,
        name="village_export",
    ),
    path("bang-dieu-khien/chi-tieu/", views.targets_national, name="targets_national"),
    path(
        "bang-dieu-khien/chi-tieu/tinh/<str:code>/",
        views.targets_province,
        name="targets_province",
    ),
]
