"""Background tasks of core: the scheduled jobs' runs (``core.schedule``)."""

from django_tasks import task

from hocvuso.core import schedule


@task()
def run_scheduled(run_id: int) -> None:
    schedule.run(run_id)
