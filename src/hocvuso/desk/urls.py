from django.urls import path

from hocvuso.desk import views

app_name = "desk"
urlpatterns = [
    path("xa/<str:code>/quay/", views.day, name="day"),
    path("xa/<str:code>/quay/ghi/", views.log, name="log"),
    path("xa/<str:code>/quay/luot/", views.visits, name="visits"),
    path("quay/luot/<uuid:visit_id>/", views.visit, name="visit"),
    path("thuc-dia/quay/", views.field, name="field"),
]
