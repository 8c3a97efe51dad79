from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    """The user interface kit and the pages that compose every app: the base layout, the
    stylesheet, template filters, each role's home and the commune's home."""

    name = "hocvuso.ui"
    label = "ui"
    verbose_name = _("User interface")
