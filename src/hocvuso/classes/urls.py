from django.urls import path

from hocvuso.classes import views

app_name = "classes"
urlpatterns = [
    path("xa/<str:code>/lop/", views.class_list, name="list"),
    path("lop-hoc/", views.open_classes, name="open"),
    path("thuc-dia/lop/", views.field, name="field"),
    path("lop/<uuid:class_id>/tham-gia/", views.sign_up, name="sign_up"),
    path("xa/<str:code>/lop/moi/", views.class_create, name="create"),
    path("lop/<uuid:class_id>/", views.class_detail, name="detail"),
    path("lop/<uuid:class_id>/dang-ky/", views.class_register, name="register"),
    path("lop/<uuid:class_id>/diem-danh/", views.class_attendance, name="attendance"),
    path("lop/<uuid:class_id>/ket-qua/", views.class_gains, name="gains"),
    path("lop/<uuid:class_id>/kiem-tra/", views.class_check_draw, name="check_draw"),
]
