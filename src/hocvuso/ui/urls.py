from django.urls import path

from hocvuso.ui import field, views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("xa/<str:code>/", views.commune, name="commune"),
    path("nguoi/<uuid:person_id>/", views.person, name="person"),
    path("nguoi/<uuid:person_id>/cccd/", views.person_reveal_cccd, name="person_reveal_cccd"),
    # The field app: its service worker at the root scope, and its manifest.
    path("sw.js", field.service_worker, name="service_worker"),
    path("manifest.webmanifest", field.manifest, name="manifest"),
]
