from django.urls import path

from hocvuso.skills import views

app_name = "skills"
urlpatterns = [
    path("nguoi/<uuid:person_id>/ky-nang/them/", views.record, name="record"),
    path("ky-nang/su-kien/<uuid:event_id>/huy/", views.reverse, name="reverse"),
]
