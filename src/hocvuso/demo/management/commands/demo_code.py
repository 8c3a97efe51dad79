from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo officer (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo codes exist only in development")
        from django_otp.oath import TOTP

        from hocvuso.accounts.models import Authenticator

        device = Authenticator.objects.filter(
            user__username=options["username"], name="demo", confirmed=True
        ).first()
        if device is None:
            raise CommandError("no demo authenticator for this user (run `hocvuso demo` first)")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
