from django.urls import path

from hocvuso.mentoring import views

app_name = "mentoring"
urlpatterns = [
    path("xa/<str:code>/dai-su-so/", views.mentors, name="mentors"),
    path("xa/<str:code>/dai-su-so/them/", views.mentor_create, name="mentor_create"),
    path("xa/<str:code>/dai-su-so/ghep-cap/", views.matching, name="matching"),
    path("xa/<str:code>/dai-su-so/ghep-cap/chap-nhan/", views.accept, name="accept"),
    path("dai-su-so/cua-toi/", views.mine, name="mine"),
    path("dai-su-so/<uuid:mentor_id>/", views.mentor, name="mentor"),
    path("dai-su-so/<uuid:mentor_id>/buoi-kem/", views.session, name="session"),
    path("kem-cap/<uuid:mentorship_id>/ket-thuc/", views.mentorship_end, name="mentorship_end"),
]
