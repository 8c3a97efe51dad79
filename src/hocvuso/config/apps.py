"""Third-party apps under a Vietnamese name (the name the back office shows): Django's way for a
project to rename an app it installs is a subclass of the app's config, listed in its place."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")  # type: ignore[assignment]  # Django takes a lazy name
