from django.urls import path

from hocvuso.ui import views

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("xa/<str:code>/", views.commune, name="commune"),
    path("nguoi/<uuid:person_id>/", views.person, name="person"),
    path("nguoi/<uuid:person_id>/cccd/", views.person_reveal_cccd, name="person_reveal_cccd"),
]
