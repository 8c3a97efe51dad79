from django.urls import path

from hocvuso.classes import views

app_name = "classes"
urlpatterns = [
    path("xa/<str:code>/lop/", views.class_list, name="list"),
    path("lop-hoc/", views.open_classes, name="open"),
    path("lop/<uuid:class_id>/tham-gia/", views.sign_up, name="sign_up"),
    path("xa/<str:code>/lop/moi/", views.class_create, name="create"),
    path("lop/<uuid:class_id>/", views.class_detail, name="detail"),
    path("lop/<uuid:class_id>/dang-ky/", views.class_register, name="register"),
    path("lop/<uuid:class_id>/diem-danh/", views.class_attendance, name="attendance"),
    path("lop/<uuid:class_id>/ket-qua/", views.class_gains, name="gains"),
    path("xa/<str:code>/kiem-tra/", views.check_rounds, name="check_rounds"),
    path("xa/<str:code>/kiem-tra/rut/", views.check_draw, name="check_draw"),
    path("kiem-tra/<uuid:round_id>/", views.check_round, name="check_round"),
    path("kiem-tra/<uuid:round_id>/phan-cong/", views.check_assign, name="check_assign"),
    path("kiem-tra/muc/<uuid:check_id>/ket-qua/", views.check_outcome, name="check_outcome"),
]
