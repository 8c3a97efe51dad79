from django.urls import path

from hocvuso.ui import field, jobs, views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("xa/<str:code>/", views.commune, name="commune"),
    path("nguoi/<uuid:person_id>/", views.person, name="person"),
    path("nguoi/<uuid:person_id>/cccd/", views.person_reveal_cccd, name="person_reveal_cccd"),
    # Background jobs: the list, starting the country-wide work, a job's progress, its result.
    path("cong-viec/", jobs.job_index, name="jobs"),
    path("cong-viec/bat-dau/", jobs.job_start, name="job_start"),
    path("cong-viec/<uuid:job_id>/", jobs.job_page, name="job"),
    path("cong-viec/<uuid:job_id>/ket-qua", jobs.job_result, name="job_result"),
    # The field app: its service worker at the root scope, and its manifest.
    path("sw.js", field.service_worker, name="service_worker"),
    path("manifest.webmanifest", field.manifest, name="manifest"),
]
