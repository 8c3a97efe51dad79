"""The skills' long work as background jobs (``core.jobs``): recounting every person's status
from their events (``rebuild_status``). Registered by ``skills.apps``."""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from django.utils.translation import gettext_lazy as _

from hocvuso.access.jobs import can_run_national_job
from hocvuso.core import jobs
from hocvuso.skills.status import status_rebuild


@jobs.kind(
    "skills.status_rebuild",
    label=_("Recounting every person's digital status"),
    counting=_("people"),
    allowed=can_run_national_job,
    notes={"persons": _("People compared"), "differences": _("Statuses corrected")},
)
def rebuild(run: jobs.Run) -> None:
    """People in id order, each batch committed then reported with the last person as the
    checkpoint and the differences found so far (a batch done again finds nothing left)."""
    after = run.checkpoint.get("after")
    found: Counter[str] = Counter(run.checkpoint.get("differences", {}))

    def reported(done: int, total: int, last: UUID, differences: Counter[str]) -> None:
        run.progress(
            done,
            total,
            checkpoint={"after": str(last), "differences": dict(found + differences)},
        )

    result = status_rebuild(after=UUID(after) if after else None, progress=reported)
    run.note(persons=result.persons, differences=sum((found + result.differences).values()))
