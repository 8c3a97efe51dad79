"""Online learning: courses and their versions, learners' progress as events, certificates.

- :class:`Course` — one per course file (``content/courses/<code>.md``); ``current`` is its
  published version.
- :class:`CourseVersion` — the parsed content of one version of the file (lessons, steps,
  quiz and its answer key), numbered; editing a published course makes a new version, and a
  learner's :class:`Enrollment` names the version they take.
- :class:`Enrollment` — a learner in a course: the derived state of their events (steps done
  in order, attempts, passed, time spent), updated in each event's transaction.
- :class:`LearningEvent` — append-only: started, step done, quiz attempt (answers, score),
  completed; its id is made by the client, so a resend is stored once.
- :class:`Certificate` — an Open Badges 3.0 credential issued on completion (the signed
  VC-JWT), its index in the :class:`StatusList` and the skill events it stands on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class Course(BaseModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    area = models.CharField(_("framework area"), max_length=4)
    order = models.PositiveIntegerField(_("order"), default=0)
    current = models.ForeignKey(
        "CourseVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CourseVersion(BaseModel):
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="versions", verbose_name=_("course")
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices)
    digest = models.CharField(_("digest of the file"), max_length=64)
    content = models.JSONField(_("content"))
    steps = models.PositiveIntegerField(_("steps"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="courseversion_number"),
            models.UniqueConstraint(fields=["course", "digest"], name="courseversion_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} v{self.number}"


class Enrollment(BaseModel):
    """Progress: the next step to do is ``steps_done`` (steps run in order across lessons); the
    quiz opens when every step is done."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("learner's account"),
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune counted in"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("course")
    )
    version = models.ForeignKey(
        CourseVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("course version")
    )
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    attempts = models.PositiveIntegerField(_("quiz attempts"), default=0)
    best_score = models.PositiveIntegerField(_("best score"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    seconds = models.PositiveIntegerField(_("time spent (seconds)"), default=0)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_once_per_course")
        ]
        indexes = [models.Index(fields=["commune", "course"], name="enrollment_commune")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.course_id}"


class EventKind(models.TextChoices):
    STARTED = "started", _("Started")
    STEP_DONE = "step_done", _("Step done")
    STEP_CONFIRMED = "step_confirmed", _("Practical step confirmed by a helper")
    QUIZ_ATTEMPT = "quiz_attempt", _("Quiz attempt")
    COMPLETED = "completed", _("Completed")


class LearningEvent(models.Model):
    """Append-only; the id is the client's (UUID v7)."""

    id = models.UUIDField(_("identifier"), primary_key=True, editable=False)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="events", verbose_name=_("enrolment")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    step = models.PositiveIntegerField(_("step"), null=True, blank=True)
    answers = models.JSONField(_("answers"), null=True, blank=True)
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    seconds = models.PositiveIntegerField(_("seconds"), default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("learning event")
        verbose_name_plural = _("learning events")
        indexes = [models.Index(fields=["enrollment", "at"], name="learningevent_enrollment")]

    def __str__(self) -> str:
        return f"{self.kind} {self.enrollment_id}"


class StatusList(models.Model):
    """A W3C Bitstring Status List (revocation): bit ``i`` set = the credential at index ``i``
    is revoked. ``credential`` is the list's own signed VC-JWT, re-signed on every change."""

    id = models.PositiveIntegerField(_("list number"), primary_key=True)
    size = models.PositiveIntegerField(_("size (entries)"))
    bits = models.BinaryField(_("bits"))
    credential = models.TextField(_("signed list (VC-JWT)"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")

    def __str__(self) -> str:
        return f"status list {self.pk}"


class Certificate(BaseModel):
    enrollment = models.OneToOneField(
        Enrollment,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("enrolment"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="+", verbose_name=_("course")
    )
    version = models.ForeignKey(
        CourseVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("course version")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("learner's account"),
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune counted in"),
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_birth_year = models.PositiveIntegerField(_("holder's birth year"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    status_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="+", verbose_name=_("status list")
    )
    status_index = models.PositiveIntegerField(_("index in the status list"))
    credential = models.TextField(_("signed credential (VC-JWT)"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)
    skill_events = models.ManyToManyField(
        "skills.SkillEvent", related_name="+", blank=True, verbose_name=_("skill events")
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="certificate_status_index"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.holder_name}"


class Diagnostic(models.Model):
    """One self-assessment: for each skill asked, "I can do this" or not. Append-only (a retake
    is a new row; the latest sets the path, the earlier ones show progress)."""

    id = models.UUIDField(_("identifier"), primary_key=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("learner's account"),
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    answers = models.JSONField(_("answers"))  # skill code → true (can do) / false
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")
        indexes = [models.Index(fields=["user", "taken_at"], name="diagnostic_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.taken_at:%Y-%m-%d}"


class LearnerUnit(BaseModel):
    """Where a learner whose account is linked to no registry person says they live (a commune
    or ward of the official list): their enrolments and certificates count in its figures.
    Once the account is linked to a person, the person's commune wins."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("learner's account"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune or ward where they live"),
    )

    class Meta:
        verbose_name = _("learner's commune")
        verbose_name_plural = _("learners' communes")

    def __str__(self) -> str:
        return f"{self.user_id} {self.commune_id}"
