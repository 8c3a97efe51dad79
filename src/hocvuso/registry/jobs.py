"""The registry's long work as background jobs (``core.jobs``): re-protecting every stored ID
number with the current key. Registered by ``registry.apps``."""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext_lazy as _

from hocvuso.access.jobs import can_run_national_job
from hocvuso.core import jobs
from hocvuso.registry.services import id_keys_rotate


@jobs.kind(
    "registry.rotate_id_key",
    label=_("Re-protecting the ID numbers with the current key"),
    counting=_("people"),
    allowed=can_run_national_job,
    notes={"rewritten": _("ID numbers re-protected")},
)
def rotate(run: jobs.Run) -> None:
    """``rotate_id_key`` as a job: people in id order, each batch committed then reported with
    the last person as the checkpoint (a batch done again rewrites the same values)."""
    after = run.checkpoint.get("after")

    def reported(done: int, total: int, last: object) -> None:
        run.progress(done, total, checkpoint={"after": str(last)})

    rewritten = id_keys_rotate(
        actor=run.actor, after=UUID(after) if after else None, progress=reported
    )
    run.note(rewritten=rewritten)
