"""The commune support desk: a log of every citizen helped at the office (Đại sứ số model).

Each row is one visit: who was helped, with which online public service, the outcome, and whether
the person can now do it alone (then a ``dvc.online`` skill event is recorded with the visit).
Rows are made in the field with a client-made UUID v7 key; the service is idempotent on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7
from hocvuso.desk.procedures import BY_CODE


class Outcome(models.TextChoices):
    DONE_WITH_HELP = "done_with_help", _("Done with help")
    DONE_ALONE = "done_alone", _("Done alone")
    NOT_DONE = "not_done", _("Not done")


class DeskVisit(models.Model):
    id = models.UUIDField(_("ID"), primary_key=True, default=uuid7, editable=False)
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="desk_visits",
        verbose_name=_("person"),
    )
    procedure = models.CharField(_("procedure"), max_length=32)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    can_do_alone = models.BooleanField(_("can do it alone next time"), default=False)
    note = models.TextField(_("note"), blank=True)
    happened_at = models.DateTimeField(_("time"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desk staff"),
    )
    skill_event = models.OneToOneField(
        "skills.SkillEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="desk_visit",
        verbose_name=_("skill event"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("desk visit")
        verbose_name_plural = _("desk visits")
        # the log's order, so a page's ids are read off the index
        indexes = [
            models.Index(fields=["commune", "-happened_at", "-id"], name="deskvisit_commune_time")
        ]

    def __str__(self) -> str:
        return f"{self.procedure} {self.happened_at:%d/%m/%Y}"

    @property
    def procedure_name(self) -> str:
        p = BY_CODE.get(self.procedure)
        return p.name if p else self.procedure
