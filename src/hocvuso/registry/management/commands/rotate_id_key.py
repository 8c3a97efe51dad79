import json
from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.core.actors import SYSTEM
from hocvuso.registry.services import id_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-protect every stored CCCD with the current HOCVUSO_ID_KEY (the first of the list). "
        "Set HOCVUSO_ID_KEY=new,old first; when this finishes, drop the old key. Writes an audit "
        "row (as the system)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps({"rewritten": id_keys_rotate(actor=SYSTEM)}))
