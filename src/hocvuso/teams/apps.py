from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "hocvuso.teams"
    label = "teams"
    verbose_name = _("Community digital technology teams")

    def ready(self) -> None:
        """A team role and its membership never drift apart: a revoked team role ends its
        membership; an accepted invitation to a team makes one."""
        from hocvuso.core import hooks
        from hocvuso.teams import services

        hooks.role_revoked.connect(services.member_role_revoked)
        hooks.invitation_accepted.connect(services.member_invitation_accepted)
