from django.urls import path

from hocvuso.assistance import views

app_name = "assistance"
urlpatterns = [
    path("nguoi/<uuid:person_id>/nho-ho-tro/", views.ask, name="ask"),
    path("xa/<str:code>/nho-ho-tro/", views.worklist, name="worklist"),
    path("nho-ho-tro/<uuid:request_id>/", views.request_detail, name="request"),
    path("nho-ho-tro/<uuid:request_id>/buoc/", views.request_step, name="step"),
    path("nho-ho-tro/<uuid:request_id>/rut/", views.withdraw, name="withdraw"),
]
