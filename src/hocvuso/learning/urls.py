from django.urls import path

from hocvuso.learning import views

app_name = "learning"
urlpatterns = [
    path("hoc/", views.course_list, name="courses"),
    path("hoc/tu-danh-gia/", views.diagnostic, name="diagnostic"),
    path("hoc/noi-o/", views.learner_unit, name="unit"),
    path("hoc/nguoi-hoc/<uuid:person_id>/", views.learner_progress, name="learner"),
    path("hoc/nguoi-hoc/<uuid:person_id>/xac-nhan/", views.practical_confirm, name="confirm"),
    path("xa/<str:code>/hoc-truc-tuyen/", views.commune_learning, name="commune"),
    path("hoc/<slug:code>/", views.course_detail, name="course"),
    path("hoc/<slug:code>/bat-dau/", views.course_start, name="start"),
    path("hoc/<slug:code>/bai/<int:number>/", views.lesson_detail, name="lesson"),
    path("hoc/<slug:code>/buoc/", views.step_done, name="step"),
    path("hoc/<slug:code>/kiem-tra/", views.quiz, name="quiz"),
    path("noi-dung/", views.content, name="content"),
    path(
        "noi-dung/phien-ban/<uuid:version_id>/cong-bo/",
        views.content_publish,
        name="content_publish",
    ),
    path("chung-chi/<uuid:certificate_id>/", views.certificate_detail, name="certificate"),
    path("chung-chi/<uuid:certificate_id>/in/", views.certificate_print, name="certificate_print"),
    # Public: anyone verifies a certificate, downloads it, checks the issuer's key and the list.
    path("xac-minh/<uuid:certificate_id>/", views.verify, name="verify"),
    path("xac-minh/<uuid:certificate_id>/chung-chi.jwt", views.credential, name="credential"),
    path("hoc/doc/<str:key>.opus", views.audio, name="audio"),
    path("hoc/video/<str:key>.mp4", views.video_file, name="video"),
    path("hoc/video/<str:key>.vtt", views.video_captions, name="captions"),
    path("trang-thai/<int:list_id>/", views.status_list, name="status_list"),
    path(".well-known/did.json", views.did_document, name="did"),
]
