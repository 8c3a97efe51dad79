from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    name = "hocvuso.skills"
    label = "skills"
    verbose_name = _("Digital skills")

    def ready(self) -> None:
        from hocvuso.core import hooks
        from hocvuso.skills import jobs  # noqa: F401 - registers its kinds of background job
        from hocvuso.skills.listeners import persons_moved

        hooks.persons_moved.connect(persons_moved)
