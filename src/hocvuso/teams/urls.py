from django.urls import path

from hocvuso.teams import views

app_name = "teams"
urlpatterns = [
    path("xa/<str:code>/to-cong-nghe/", views.team_list, name="list"),
    path("xa/<str:code>/to-cong-nghe/them/", views.team_create, name="create"),
    path("xa/<str:code>/to-cong-nghe/phu-song/", views.coverage, name="coverage"),
    path("to-cong-nghe/<uuid:team_id>/", views.team_detail, name="team"),
    path("to-cong-nghe/<uuid:team_id>/sua/", views.team_edit, name="edit"),
    path("to-cong-nghe/<uuid:team_id>/thanh-vien/", views.member_add, name="member_add"),
    path(
        "to-cong-nghe/thanh-vien/<uuid:member_id>/xoa/", views.member_remove, name="member_remove"
    ),
    path("to-cong-nghe/<uuid:team_id>/ke-hoach/", views.plan, name="plan"),
    path("to-cong-nghe/<uuid:team_id>/ho/<uuid:household_id>/nhan/", views.take, name="take"),
    path("to-cong-nghe/nhan/<uuid:claim_id>/tra/", views.release, name="release"),
    path("to-cong-nghe/<uuid:team_id>/ho/<uuid:household_id>/tham/", views.visit, name="visit"),
    path("to-cong-nghe/tham/<uuid:visit_id>/", views.visit_detail, name="visit_detail"),
    path("thuc-dia/", views.field, name="field"),
]
