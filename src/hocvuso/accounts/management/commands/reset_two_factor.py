"""Remove a user's authenticator app and recovery codes (a lost phone). Audited, as SYSTEM.

At the next log-in an officer is asked to set up a new app.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hocvuso.accounts.models import User
from hocvuso.accounts.services.two_factor import two_factor_disable
from hocvuso.core.actors import SYSTEM


class Command(BaseCommand):
    help = "Reset two-step verification of a user who lost their phone and recovery codes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No such user.")
        two_factor_disable(actor=SYSTEM, user=user, request=None)
        self.stdout.write(f"Two-step verification of {user.username} reset.")
