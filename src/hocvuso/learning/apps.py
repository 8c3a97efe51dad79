from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "hocvuso.learning"
    verbose_name = _("Online learning")

    def ready(self) -> None:
        from hocvuso.core import hooks
        from hocvuso.learning.certificates import on_skill_event_reversed
        from hocvuso.learning.services import on_citizen_linked

        hooks.skill_event_reversed.connect(on_skill_event_reversed)
        hooks.citizen_linked.connect(on_citizen_linked)
