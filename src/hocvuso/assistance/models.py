"""Requests for help ("Nhờ hỗ trợ"): a citizen asks from their home for help with a skill of the
catalogue or in their own words, and says how to be reached; the request lands on the worklist
of the commune's support desk and of the team serving the person's village, where a helper takes
it, answers it and closes it. Every step is audited; the citizen sees its state on their home.

The free text (the need and the answer) is personal data: exported with the person's data and
cleared by an erasure (``personal_data.py``); the row, its state and its times stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7


class Status(models.TextChoices):
    OPEN = "open", _("Waiting for a helper")
    TAKEN = "taken", _("A helper is on it")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Contact(models.TextChoices):
    PHONE = "phone", _("Call me on my phone")
    VISIT = "visit", _("Come to my home")
    DESK = "desk", _("I will come to the commune office")


#: The states a helper still has work in (the worklist's default).
ACTIVE = (Status.OPEN, Status.TAKEN, Status.ANSWERED)


class HelpRequest(models.Model):
    id = models.UUIDField(_("ID"), primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="help_requests",
        verbose_name=_("person"),
    )
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    skill = models.ForeignKey(
        "skills.Skill",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skill"),
    )
    need = models.TextField(_("what the person needs"), blank=True)
    contact = models.CharField(_("how to be contacted"), max_length=8, choices=Contact.choices)
    status = models.CharField(
        _("state"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        indexes = [
            models.Index(fields=["commune", "status", "-created_at"], name="helpreq_commune"),
            models.Index(fields=["village", "status"], name="helpreq_village"),
            models.Index(fields=["person", "-created_at"], name="helpreq_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.created_at:%d/%m/%Y}"

    @property
    def topic(self) -> str:
        """What the request is about, for lists: the skill's name, or the need's first words."""
        if self.skill is not None:
            return self.skill.name
        return self.need[:80]
