from django.urls import path

from hocvuso.privacy import views

app_name = "privacy"
urlpatterns = [
    path("nguoi/<uuid:person_id>/du-lieu-ca-nhan/", views.person_privacy, name="person"),
    path("nguoi/<uuid:person_id>/dong-y/", views.consent_record, name="consent_record"),
    path("dong-y/<uuid:consent_id>/rut/", views.consent_withdraw, name="consent_withdraw"),
    path("nguoi/<uuid:person_id>/yeu-cau/", views.request_create, name="request_create"),
    path("nguoi/<uuid:person_id>/bo-han-che/", views.restriction_lift, name="restriction_lift"),
    path(
        "yeu-cau/<uuid:request_id>/xac-nhan/",
        views.request_acknowledge,
        name="request_acknowledge",
    ),
    path("yeu-cau/<uuid:request_id>/xong/", views.request_complete, name="request_complete"),
    path("yeu-cau/<uuid:request_id>/xoa/", views.erase, name="erase"),
    path("nguoi/<uuid:person_id>/tai-du-lieu/", views.export_page, name="export"),
    path("nguoi/<uuid:person_id>/tai-du-lieu.json", views.export_json, name="export_json"),
    path("xa/<str:code>/yeu-cau/", views.commune_requests, name="commune_requests"),
    path("nhat-ky/", views.audit_list, name="audit"),
    path("nhat-ky.csv", views.audit_csv, name="audit_csv"),
    path("nhat-ky/tin-nhan/", views.sms_rate, name="sms_rate"),
    path("vi-pham-du-lieu/", views.breaches, name="breaches"),
    path("vi-pham-du-lieu/<uuid:breach_id>/", views.breach, name="breach"),
]
