from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hocvuso.core"
    label = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        from hocvuso.core import lookups  # noqa: F401 - registers field__any
