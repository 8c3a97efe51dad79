"""What a person's data is processed for, on which legal basis, and whether it may be now.

Law 91/2025/QH15 lets a person withdraw consent, object to processing and ask for it to be
restricted. The registry owns the person, so it owns the answer every app asks before
processing someone (``processing_check``); the privacy app keeps the answer current as consents
and requests are recorded (``Person.purposes_consented``, ``purposes_withheld``,
``restricted_at``).

| purpose | basis | what it gates |
|---|---|---|
| registry | public task | changing the person's record, linking an account to it |
| skills | public task | recording skill events (visits, classes, desk, mentoring), family guides |
| contact_phone | consent | the phone number on worklists and contact lists |
| learning | consent | enrolling in online courses |
| photos | consent | photos of activities with the person |

A public-task purpose is processed unless the person objected to it or withdrew the consent
they had given for it; a consent purpose only while a consent for it stands. A restriction stops
all processing: the person becomes read-only and leaves worklists and contact lists. An erased
person is never processed again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.core.errors import DomainError
from hocvuso.registry.errors import RegistryError


class Purpose(models.TextChoices):
    REGISTRY = "registry", gettext_lazy("Keeping the person in the commune's registry")
    SKILLS = "skills", gettext_lazy("Tracking the person's digital skills")
    CONTACT_PHONE = "contact_phone", gettext_lazy("Contacting the person by phone")
    LEARNING = "learning", gettext_lazy("Enrolling the person in online courses")
    PHOTOS = "photos", gettext_lazy("Photos of activities with the person")


class Basis(StrEnum):
    PUBLIC_TASK = "public_task"
    CONSENT = "consent"


BASIS: dict[str, Basis] = {
    Purpose.REGISTRY: Basis.PUBLIC_TASK,
    Purpose.SKILLS: Basis.PUBLIC_TASK,
    Purpose.CONTACT_PHONE: Basis.CONSENT,
    Purpose.LEARNING: Basis.CONSENT,
    Purpose.PHOTOS: Basis.CONSENT,
}


def permits(person: Any, purpose: str) -> bool:
    """Whether ``person``'s data may be processed for ``purpose`` now."""
    if person.erased_at is not None or person.restricted_at is not None:
        return False
    if purpose in (person.purposes_withheld or ()):
        return False
    if BASIS[purpose] == Basis.CONSENT:
        return purpose in (person.purposes_consented or ())
    return True


def processing_check(person: Any, purpose: str) -> None:
    """Raise the reason ``person`` may not be processed for ``purpose`` (a conflict: the
    request is right, the person's state forbids it)."""
    if person.erased_at is not None:
        raise DomainError(RegistryError.PERSON_ERASED, _("This person's data has been erased."))
    if getattr(person, "merged_into_id", None) is not None:
        raise DomainError(
            RegistryError.PERSON_MERGED,
            _("This record was merged into another record of the same person: use that one."),
        )
    if person.restricted_at is not None:
        raise DomainError(
            RegistryError.PERSON_RESTRICTED,
            _("This person asked to restrict the processing of their data: nothing can change."),
        )
    if purpose in (person.purposes_withheld or ()):
        raise DomainError(
            RegistryError.PURPOSE_WITHHELD,
            _("This person objected to or withdrew consent for: %(purpose)s.")
            % {"purpose": Purpose(purpose).label},
        )
    if BASIS[purpose] == Basis.CONSENT and purpose not in (person.purposes_consented or ()):
        raise DomainError(
            RegistryError.CONSENT_REQUIRED,
            _("This needs the person's consent first: %(purpose)s.")
            % {"purpose": Purpose(purpose).label},
        )


def unrestricted_q(prefix: str = "") -> Q:
    """Rows whose person may appear on worklists and contact lists."""
    return Q(
        **{
            f"{prefix}erased_at__isnull": True,
            f"{prefix}restricted_at__isnull": True,
            f"{prefix}merged_into__isnull": True,
        }
    )


# What :func:`contact_phone` reads of a person: for a list that reads its rows as values.
PHONE_FACTS = ("phone", "erased_at", "restricted_at", "purposes_withheld", "purposes_consented")


@dataclass(frozen=True, slots=True)
class PhoneFacts:
    """A person's :data:`PHONE_FACTS`, read as values (no model instance)."""

    phone: str
    erased_at: dt.datetime | None
    restricted_at: dt.datetime | None
    purposes_withheld: list[str]
    purposes_consented: list[str]


def contact_phone(person: Any) -> str:
    """The phone number a helper may use to call the person ("" without their consent)."""
    return person.phone if person.phone and permits(person, Purpose.CONTACT_PHONE) else ""
