from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "hocvuso.sync"
    label = "sync"
    verbose_name = _("Field app synchronisation")

    def ready(self) -> None:
        """A household or person leaving its village is noted for the devices that held it."""
        from hocvuso.sync import listeners

        listeners.connect()
