"""The outreach models' own data.

:class:`FamilyGuide` — the family's digital guide (Gia đình số): the member of a household who
learns and guides the rest of the family. One current guide per household (``ended_at`` empty);
designating another ends the current row instead of editing it, so the history is kept, and each
change is also in the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class FamilyGuide(BaseModel):
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="guides",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="guide_of",
        verbose_name=_("family guide"),
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("designated by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("family guide")
        verbose_name_plural = _("family guides")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(ended_at__isnull=True),
                name="familyguide_one_current",
            )
        ]
        indexes = [models.Index(fields=["household", "created_at"], name="familyguide_history")]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.person_id}"
