"""Who acts: a signed-in user, or the system itself (management commands, scheduled jobs)."""

from __future__ import annotations

from typing import Any


class SystemActor:
    """The machine operator running a management command or a scheduled job: every scope.

    Audit rows written on its behalf have no user (``actor`` is empty).
    """

    pk = None
    is_authenticated = True
    is_active = True
    is_staff = True
    is_superuser = True
    username = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def user_or_none(actor: Any) -> Any:
    """The actor as a user to store in a foreign key: the system (or anonymity) is nobody."""
    return actor if getattr(actor, "pk", None) else None
