from django.urls import path

from hocvuso.skills import views, views_checks

app_name = "skills"
urlpatterns = [
    path("nguoi/<uuid:person_id>/ky-nang/them/", views.record, name="record"),
    path("ky-nang/su-kien/<uuid:event_id>/huy/", views.reverse, name="reverse"),
    # Back-checks: verification of what was reported, over every channel.
    path("xa/<str:code>/kiem-tra/", views_checks.check_rounds, name="check_rounds"),
    path("xa/<str:code>/kiem-tra/rut/", views_checks.check_draw, name="check_draw"),
    path("kiem-tra/<uuid:round_id>/", views_checks.check_round, name="check_round"),
    path("kiem-tra/<uuid:round_id>/phan-cong/", views_checks.check_assign, name="check_assign"),
    path("kiem-tra/muc/<uuid:check_id>/ket-qua/", views_checks.check_outcome, name="check_outcome"),
]
