from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolesConfig(AppConfig):
    name = "hocvuso.roles"
    label = "roles"
    verbose_name = _("Appointments")

    def ready(self) -> None:
        from hocvuso.core import hooks

        hooks.external_signed_in.connect(_link_by_cccd)


def _link_by_cccd(*, user: object, claims: dict[str, object]) -> None:
    from django.conf import settings

    from hocvuso.roles.services.grants import citizen_link_by_cccd

    number = claims.get(settings.HOCVUSO_VNEID_CCCD_CLAIM)
    if isinstance(number, str) and number:
        citizen_link_by_cccd(user=user, cccd=number)  # type: ignore[arg-type]
