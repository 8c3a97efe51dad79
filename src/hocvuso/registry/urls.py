from django.urls import path

from hocvuso.registry import views, views_import

app_name = "registry"
urlpatterns = [
    path("xa/<str:code>/thon/them/", views.village_create, name="village_create"),
    path("xa/<str:code>/thon/nhap-csv/", views.villages_import, name="villages_import"),
    path("xa/<str:code>/thon/<uuid:village_id>/sua/", views.village_edit, name="village_edit"),
    path("xa/<str:code>/ho/them/", views.household_create, name="household_create"),
    path("ho/<uuid:household_id>/", views.household, name="household"),
    path("ho/<uuid:household_id>/sua/", views.household_edit, name="household_edit"),
    path("ho/<uuid:household_id>/chu-ho/", views.household_set_head, name="household_set_head"),
    path("ho/<uuid:household_id>/them-nguoi/", views.person_add, name="person_add"),
    path("nguoi/<uuid:person_id>/sua/", views.person_edit, name="person_edit"),
    path("nguoi/<uuid:person_id>/chuyen-xa/", views.person_move, name="person_move"),
    path("ho/<uuid:household_id>/chuyen-xa/", views.household_move, name="household_move"),
    path("xa/<str:code>/nhap/", views_import.import_start, name="import_start"),
    path("xa/<str:code>/nhap/mau.<str:fmt>", views_import.import_template, name="import_template"),
    path("nhap/<uuid:job_id>/", views_import.import_job, name="import_job"),
    path("nhap/<uuid:job_id>/thon/", views_import.import_confirm, name="import_confirm"),
    path("nhap/<uuid:job_id>/loi.csv", views_import.import_rejects, name="import_rejects"),
    path("tinh/<str:code>/vung/", views.area_flags, name="area_flags"),
    path("xa/<str:code>/trung-lap/", views.duplicates, name="duplicates"),
    path("xa/<str:code>/trung-lap/gop/", views.duplicates_merge, name="duplicates_merge"),
    path("xa/<str:code>/trung-lap/hai-nguoi/", views.duplicates_dismiss, name="duplicates_dismiss"),
    path("gop/<uuid:merge_id>/tach/", views.merge_split, name="merge_split"),
    path("xa/<str:code>/sap-nhap/", views.unit_transfers, name="unit_transfers"),
]
