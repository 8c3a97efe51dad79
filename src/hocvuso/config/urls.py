from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hocvuso.accounts.views.login import LoginView
from hocvuso.config.api import api
from hocvuso.config.health import healthz

urlpatterns = [
    path("", include("hocvuso.ui.urls")),
    path("", include("hocvuso.registry.urls")),
    path("", include("hocvuso.roles.urls")),
    path("", include("hocvuso.privacy.urls")),
    path("", include("hocvuso.accounts.urls")),
    path("", include("hocvuso.skills.urls")),
    path("", include("hocvuso.desk.urls")),
    path("", include("hocvuso.outreach.urls")),
    path("", include("hocvuso.teams.urls")),
    path("", include("hocvuso.mentoring.urls")),
    path("", include("hocvuso.classes.urls")),
    path("", include("hocvuso.learning.urls")),
    path("", include("hocvuso.assistance.urls")),
    path("", include("hocvuso.kpi.urls")),
    path("", include("hocvuso.sync.urls")),
    path("healthz", healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# Generic error pages (JSON under /api/): no path, no traceback, nothing that leaks.
handler400 = "hocvuso.core.security.bad_request"
handler403 = "hocvuso.core.security.permission_denied"
handler404 = "hocvuso.core.security.page_not_found"
handler500 = "hocvuso.core.security.server_error"
