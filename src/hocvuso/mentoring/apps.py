from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "hocvuso.mentoring"
    label = "mentoring"
    verbose_name = _("Digital ambassadors (mentoring)")
