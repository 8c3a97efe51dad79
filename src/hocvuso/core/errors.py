"""Errors with stable codes: the API, import reports and pages all speak the same words.

Every domain app owns its codes in an enum of its own (``registry/errors.py: RegistryError``,
``skills/errors.py: SkillsError`` …), each a :class:`Code`. A code carries its *kind*, and the
kind alone decides how the error is answered: the API maps kind → HTTP status in one place
(``config/api.py``), forms put the message on the field the error names, the import report lists
the code's message. Codes never change once published (clients and stored reports hold them).

The kinds:

- ``invalid`` — the input breaks a rule (422);
- ``conflict`` — the request clashes with what is stored: an id reused with other content, a
  house already taken, a record already withdrawn (409);
- ``not_found`` — the object does not exist *or the actor may not know it exists*: a request out
  of scope is answered exactly like a missing object, never "forbidden" (404);
- ``limited`` — too many attempts for now (429).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    INVALID = "invalid"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    LIMITED = "limited"


class Code(StrEnum):
    """Base of every app's error-code enum: members are ``NAME = "code"`` (kind ``invalid``) or
    ``NAME = "code", Kind.CONFLICT``."""

    kind: Kind

    def __new__(cls, value: str, kind: Kind = Kind.INVALID) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        return member


class CoreError(Code):
    """The codes every app shares."""

    NOT_FOUND = "not_found", Kind.NOT_FOUND
    INVALID = "invalid"
    REQUIRED = "required"
    INVALID_PHONE = "invalid_phone"
    # A field record sent again under its id with other content (every idempotent writer).
    EVENT_CONFLICT = "event_conflict", Kind.CONFLICT


class DomainError(Exception):
    """A rule of the movement was broken. ``code`` is stable; ``message`` is for people.

    ``field`` names the input the error is about, when there is one. The message never holds
    the rejected value of a personal identifier.
    """

    def __init__(self, code: Code, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def kind(self) -> Kind:
        return self.code.kind

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    """The object does not exist, or the actor may not know it exists (same answer for both)."""

    def __init__(self, message: str = "Not found", field: str | None = None) -> None:
        super().__init__(CoreError.NOT_FOUND, message, field)


def ensure(allowed: Any) -> None:
    """``ensure(can_…(actor, …))``: not-found unless allowed."""
    if not allowed:
        raise NotFound()
