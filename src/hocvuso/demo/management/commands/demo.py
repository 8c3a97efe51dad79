from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from hocvuso.demo.registry import demo_build


class Command(BaseCommand):
    help = "Set up the demo database (migrate, units, demo commune, demo accounts). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=150)
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        call_command("load_units", stdout=self.stdout)
        result = demo_build(households=options["households"])
        c = result.commune
        self.stdout.write(
            f"Demo commune: {c.name}, {c.province.name} (code {c.code}) - "
            f"+{result.villages_created} villages, +{result.households_created} households, "
            f"+{result.persons_created} persons; {result.events_recorded} skill events in place"
        )
        from hocvuso.core.actors import SYSTEM
        from hocvuso.learning.services import courses_load

        loaded = courses_load(actor=SYSTEM)
        self.stdout.write(
            f"Courses: {len(loaded)} loaded ({sum(x.new for x in loaded)} new versions); "
            "citizens learn at /hoc/"
        )
        from hocvuso.demo.dashboards import demo_dashboards

        dash = demo_dashboards()
        self.stdout.write(
            f"Dashboards: {len(dash.communes)} communes with figures "
            f"(+{dash.households} households, +{dash.events} skill events), "
            f"{dash.targets} targets, {dash.month_rows} months of history rebuilt"
        )
        self.stdout.write("")
        self.stdout.write("Demo accounts (development only):")
        for username, password, role in result.accounts:
            self.stdout.write(f"  user: {username:<18} password: {password:<20} ({role})")
        self.stdout.write("")
        self.stdout.write(
            "Officers sign in with a second factor: `.venv/bin/hocvuso demo_code USERNAME` prints "
            "the current 6-digit code of a demo officer."
        )
        self.stdout.write("")
