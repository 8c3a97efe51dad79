from django.urls import path

from hocvuso.roles import views

app_name = "roles"
urlpatterns = [
    path("xa/<str:code>/phan-cong/", views.assignments, name="assignments"),
    path(
        "phan-cong/<uuid:assignment_id>/thu-hoi/", views.assignment_revoke, name="assignment_revoke"
    ),
    path("loi-moi/da-tao/", views.invitation_created, name="invitation_created"),
    path(
        "loi-moi/<uuid:invitation_id>/thu-hoi/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("loi-moi/", views.invitation_accept, name="invitation_accept"),
    path("nguoi/<uuid:person_id>/lien-ket-tai-khoan/", views.citizen_link, name="citizen_link"),
]
