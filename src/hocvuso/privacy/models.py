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
from hocvuso.registry.purposes import Purpose

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


# The purposes and their legal basis belong to the registry (registry.purposes), which every
# app asks before processing a person; a consent is given for one of them.
ConsentPurpose = Purpose


class ConsentMethod(models.TextChoices):
    PAPER = "paper", _("Paper form signed by the person")
    APP = "app", _("Given by the person in the app")
    VERBAL = "verbal", _("Said aloud, with a witness")


class Consent(BaseModel):
    """One consent for one purpose. Withdrawing sets ``withdrawn_at``; giving it again later is a
    new row, so the history of what was agreed when stays complete."""

    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("person"),
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=ConsentPurpose.choices)
    method = models.CharField(_("how it was given"), max_length=16, choices=ConsentMethod.choices)
    witness = models.CharField(_("witness"), max_length=150, blank=True)
    given_at = models.DateTimeField(_("given at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["person", "purpose"], name="consent_person_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_at:%d/%m/%Y})"

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
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="data_requests",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    channel = models.CharField(_("received"), max_length=16, choices=RequestChannel.choices)
    received_at = models.DateTimeField(_("received at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("completed by"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["person", "received_at"], name="datarequest_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.received_at:%d/%m/%Y})"

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


# A breach is reported to the authority within 72 hours of its discovery (Law 91/2025/QH15,
# Decree 356/2025/NĐ-CP).
BREACH_NOTIFY_HOURS = 72


class BreachKind(models.TextChoices):
    DISCLOSURE = "disclosure", _("Data seen or sent to someone who should not have it")
    LOSS = "loss", _("Data lost or destroyed")
    ALTERATION = "alteration", _("Data changed without right")
    ACCESS = "access", _("Someone got into the system without right")
    DEVICE = "device", _("A phone, computer or paper list lost or stolen")
    OTHER = "other", _("Other")


class Breach(BaseModel):
    """A personal-data breach, recorded the moment it is found: what happened, whose data and how
    much, what was done to contain it, and when the authority (within 72 hours) and the persons
    concerned were told. Kept by national administrators; every change is audited."""

    found_at = models.DateTimeField(_("found at"))
    kind = models.CharField(_("what happened"), max_length=16, choices=BreachKind.choices)
    summary = models.TextField(_("description"))
    data_affected = models.TextField(_("data concerned"), blank=True)
    provinces = models.ManyToManyField(
        "geo.Province", blank=True, related_name="+", verbose_name=_("provinces")
    )
    communes = models.ManyToManyField(
        "geo.Commune", blank=True, related_name="+", verbose_name=_("communes")
    )
    persons_affected = models.PositiveIntegerField(_("persons concerned (estimate)"), default=0)
    containment = models.TextField(_("containment and remedy"), blank=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    persons_notified_at = models.DateTimeField(_("persons notified at"), null=True, blank=True)
    persons_notice = models.TextField(_("notice to the persons"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("personal-data breaches")
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.found_at:%d/%m/%Y %H:%M})"

    @property
    def notify_by(self) -> dt.datetime:
        """The authority must be told by then: 72 hours after the breach was found."""
        return self.found_at + dt.timedelta(hours=BREACH_NOTIFY_HOURS)

    def overdue(self, now: dt.datetime | None = None) -> bool:
        """Not reported to the authority and past the 72 hours."""
        return self.authority_notified_at is None and (now or timezone.now()) > self.notify_by

    def hours_left(self, now: dt.datetime | None = None) -> int:
        return int(((self.notify_by - (now or timezone.now())).total_seconds()) // 3600)
