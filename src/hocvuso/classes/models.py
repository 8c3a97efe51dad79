"""Youth-campaign classes (Thanh niên chung tay).

- :class:`ClassEvent`: a class or event organised by a youth branch or any team — topic skills,
  place, time, capacity, the organiser and the volunteers who help.
- :class:`ClassRegistration`: a citizen registered (or added at the door); ``attended`` is the
  tick of the phone attendance list.
- :class:`ClassGain`: "this attendee gained this skill in this class"; its id is derived from
  class + person + skill and is also the id of the skill event it recorded (channel "class"), so
  a replay stores nothing twice; a back-check round drawn for a class samples these events
  (the back-checks themselves live with skill verification, in :mod:`hocvuso.skills.checks`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class ClassEvent(BaseModel):
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
    title = models.CharField(_("title"), max_length=200)
    branch = models.CharField(_("youth branch or team"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organiser"),
    )
    skills = models.ManyToManyField(
        "skills.Skill", related_name="+", blank=True, verbose_name=_("topic skills")
    )
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("volunteers")
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        indexes = [models.Index(fields=["commune", "starts_at"], name="classevent_commune_start")]

    def __str__(self) -> str:
        return self.title


class ClassRegistration(BaseModel):
    klass = models.ForeignKey(
        ClassEvent, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("class")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        verbose_name = _("class registration")
        verbose_name_plural = _("class registrations")
        constraints = [
            models.UniqueConstraint(fields=["klass", "person"], name="classreg_once_per_class")
        ]

    def __str__(self) -> str:
        return f"{self.klass_id} {self.person_id}"


class ClassGain(models.Model):
    """The id is the id of the skill event recorded (derived from class + person + skill)."""

    id = models.UUIDField(_("ID"), primary_key=True, editable=False)
    klass = models.ForeignKey(
        ClassEvent, on_delete=models.CASCADE, related_name="gains", verbose_name=_("class")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    skill = models.ForeignKey(
        "skills.Skill", on_delete=models.PROTECT, related_name="+", verbose_name=_("skill")
    )
    event = models.OneToOneField(
        "skills.SkillEvent",
        on_delete=models.PROTECT,
        related_name="class_gain",
        verbose_name=_("event"),
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("skill gained in a class")
        verbose_name_plural = _("skills gained in classes")
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "person", "skill"], name="classgain_once_per_skill"
            )
        ]

    def __str__(self) -> str:
        return f"{self.klass_id} {self.person_id} {self.skill_id}"
