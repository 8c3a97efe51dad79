"""Background tasks of the skill framework (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from hocvuso.skills.status import status_rebuild


@task()
def refresh_statuses(province: str | None) -> int:
    """Recompute the statuses of ``province`` (``None``: the nation) after a skill set changed;
    idempotent and safe to run again. Returns the number of people compared."""
    return status_rebuild(province=province).persons
