from django.urls import path

from hocvuso.sync import views

app_name = "sync"
urlpatterns = [
    path("xa/<str:code>/thiet-bi/", views.devices, name="devices"),
    path("thiet-bi/xung-dot/<uuid:conflict_id>/", views.conflict_resolve, name="conflict_resolve"),
]
