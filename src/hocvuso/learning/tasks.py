"""Background tasks of online learning (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from hocvuso.learning import speech, video
from hocvuso.learning.models import CourseVersion


@task()
def speak_version(version_id: str) -> dict[str, int]:
    """Make the read-aloud audio of a course version's steps and questions (only what is not
    made yet: idempotent, safe to retry)."""
    version = CourseVersion.objects.filter(pk=version_id).first()
    if version is None:
        return {"made": 0, "cached": 0, "skipped": 0}
    return speech.speak(speech.texts_of(version.content))


@task()
def film_version(version_id: str) -> dict[str, int]:
    """Make the narrated videos (and their captions) of a course version's ``{video}`` steps
    (only what is not made yet: idempotent, safe to retry)."""
    version = CourseVersion.objects.filter(pk=version_id).first()
    if version is None:
        return {"made": 0, "cached": 0, "skipped": 0}
    return video.film(video.steps_of(version.content))
