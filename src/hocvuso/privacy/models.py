"""Consent and data-subject requests (Law 91/2025/QH15, Decree 356/2025/NĐ-CP).

Both are append-only histories: a withdrawn consent keeps its row (``withdrawn_at``), a request
keeps its dates. Nothing here is ever deleted, not even when the person's data is erased.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel

# A data-subject request is acknowledged within 2 working days (Decree 356/2025).
ACKNOWLEDGE_WORKING_DAYS = 2


def add_working_days(day: dt.date, days: int) -> dt.date:
    """``day`` + ``days`` working days, skipping Saturdays and Sundays.

    Public holidays (Tết, 30/4, 2/9 …) are not skipped: the deadline shown is the stricter one.
    """
    current = day
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


class ConsentPurpose(models.TextChoices):
    REGISTRY = "registry", _("Keeping the person in the commune's registry")
    SKILLS = "skills", _("Tracking the person's digital skills")
    CONTACT_PHONE = "contact_phone", _("Contacting the person by phone")
    LEARNING = "learning", _("Enrolling the person in online courses")
    PHOTOS = "photos", _("Photos of activities with the person")


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Paper form signed by the person")
    APP = "app", _("Given by the person in the app")
    VERBAL = "verbal", _("Said aloud, with a witness")


class Consent(BaseModel):
    """One consent for one purpose. Withdrawing sets ``withdrawn_at``; giving it again later is a
    new row, so the history of what was agreed when stays complete."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=24, choices=ConsentPurpose.choices)
    method = models.CharField(_("how it was given"), max_length=16, choices=ConsentMethod.choices)
    witness = models.CharField(_("witness"), max_length=150, blank=True)
    given_at = models.DateTimeField(_("given at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["person", "purpose"], name="consent_person_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_at:%Y-%m-%d})"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class RequestKind(models.TextChoices):
    ACCESS = "access", _("See and download my data")
    CORRECTION = "correction", _("Correct my data")
    ERASURE = "erasure", _("Erase my data")
    RESTRICTION = "restriction", _("Restrict the processing of my data")
    OBJECTION = "objection", _("Object to the processing of my data")


class RequestChannel(models.TextChoices):
    OFFICE = "office", _("In person at the commune office")
    PHONE = "phone", _("By phone")
    WRITING = "writing", _("In writing")
    APP = "app", _("In the app")


class DataRequest(BaseModel):
    """A data subject's request, tracked from receipt to completion."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    channel = models.CharField(_("received"), max_length=16, choices=RequestChannel.choices)
    received_at = models.DateTimeField(_("received at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["person", "received_at"], name="datarequest_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.received_at:%Y-%m-%d})"

    @property
    def acknowledge_by(self) -> dt.date:
        """The last day to acknowledge the request: 2 working days after it was received."""
        received = timezone.localdate(self.received_at)
        return add_working_days(received, ACKNOWLEDGE_WORKING_DAYS)

    @property
    def overdue(self) -> bool:
        """Not acknowledged in time (still waiting past the deadline, or acknowledged late)."""
        if self.acknowledged_at is not None:
            return timezone.localdate(self.acknowledged_at) > self.acknowledge_by
        return timezone.localdate() > self.acknowledge_by

    @property
    def open(self) -> bool:
        return self.completed_at is None
