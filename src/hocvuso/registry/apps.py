from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "hocvuso.registry"
    label = "registry"
    verbose_name = _("Residents registry")

    def ready(self) -> None:
        from hocvuso.core import hooks
        from hocvuso.registry import jobs  # noqa: F401 - registers its kinds of background job
        from hocvuso.registry.services.unit_changes import unit_transfers_queue

        hooks.units_retired.connect(unit_transfers_queue)
