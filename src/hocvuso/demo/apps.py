from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The composition root: builds the demo of every app (``hocvuso demo``) and prints the demo
    officers' second-factor codes (``hocvuso demo_code``). It imports every app; nothing imports
    it."""

    name = "hocvuso.demo"
    label = "demo"
    verbose_name = _("Demo")
