"""Digital ambassadors (Đại sứ số): mentors, mentorships, mentoring sessions.

:class:`Mentor` — a person of the registry who signs in (``user``) and guides others; ``capacity``
is how many active mentees they take (the movement asks each to guide at least 5), ``languages``
the ethnic languages they speak, as ethnicity codes (``registry.ethnicity``). ``commune`` is the
person's commune, kept on the row so lists filter without a join.

:class:`Mentorship` — mentor → mentee, started/ended; at most one *active* mentorship per mentee.
Ending one keeps the row (``status = ended``, ``ended_on``), so the cascade keeps its history.

:class:`MentoringSession` — a mentor met a mentee on a day: skills practised and gained (codes).
The primary key is made by the client (UUID v7); recording the same session twice stores it once.
Each gained skill becomes a skill event (channel ``mentoring``) whose id is derived from the
session id and the skill code (:func:`hocvuso.mentoring.services.session_event_id`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7
from hocvuso.core.models import BaseModel

GOAL_MENTEES = 5  # "each mentor guides at least 5 mentees"


class Mentor(BaseModel):
    person = models.OneToOneField(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="mentor_profile",
        verbose_name=_("person"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mentor_profile",
        verbose_name=_("user account"),
    )
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (mentees)"), default=GOAL_MENTEES)
    languages = models.JSONField(_("ethnic languages spoken"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    # Annotated by the selectors: the number of active mentorships.
    active_mentees: int

    class Meta:
        verbose_name = _("digital ambassador")
        verbose_name_plural = _("digital ambassadors")
        indexes = [models.Index(fields=["commune", "active"], name="mentor_commune_active")]

    def __str__(self) -> str:
        return str(self.person_id)


class MentorshipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Mentorship(BaseModel):
    mentor = models.ForeignKey(
        Mentor, on_delete=models.PROTECT, related_name="mentorships", verbose_name=_("mentor")
    )
    mentee = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="mentorships",
        verbose_name=_("mentee"),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=MentorshipStatus.choices,
        default=MentorshipStatus.ACTIVE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=models.Q(status="active"),
                name="mentorship_one_active_per_mentee",
            )
        ]
        indexes = [models.Index(fields=["mentor", "status"], name="mentorship_mentor_status")]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.mentee_id}"


class MentoringSession(models.Model):
    id = models.UUIDField(_("ID"), primary_key=True, default=uuid7, editable=False)
    mentor = models.ForeignKey(
        Mentor, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("mentor")
    )
    mentee = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="mentoring_sessions",
        verbose_name=_("mentee"),
    )
    happened_on = models.DateField(_("date"))
    practised = models.JSONField(_("skills practised"), default=list, blank=True)
    gained = models.JSONField(_("skills gained"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Set by the service: True when the call found the session already stored.
    replayed = False

    class Meta:
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        indexes = [models.Index(fields=["mentor", "happened_on"], name="session_mentor_date")]

    def __str__(self) -> str:
        return f"{self.happened_on:%d/%m/%Y} {self.mentor_id} → {self.mentee_id}"
