from django.urls import path

from hocvuso.outreach import views

app_name = "outreach"
urlpatterns = [
    path("xa/<str:code>/dinh-danh-so/", views.identity, name="identity"),
    path("nguoi/<uuid:person_id>/dinh-danh-so/", views.identity_mark, name="identity_mark"),
    path("xa/<str:code>/gia-dinh-so/", views.families, name="families"),
    path("ho/<uuid:household_id>/gia-dinh-so/", views.household_family, name="household_family"),
    path("ho/<uuid:household_id>/nguoi-huong-dan/", views.guide_set, name="guide_set"),
    path("xa/<str:code>/4t/", views.t4, name="t4"),
]
