from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7


class BaseModel(models.Model):
    """UUID v7 primary key (client-made for field records) and creation/update times."""

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid7, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditLog(models.Model):
    """One row per change made by a service. Append-only: never updated, never deleted.

    ``changes`` maps field name → [old, new]; personal identifiers are masked before they get here.
    """

    id = models.BigAutoField(_("ID"), primary_key=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object ID"), max_length=64)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        ordering = ["-id"]

    def __str__(self) -> str:
        from hocvuso.core.audit import AuditAction  # it imports this module
        from hocvuso.core.export import label

        return f"{self.at:%d/%m/%Y %H:%M} {label(AuditAction, self.action)}"


class AuditItem(models.Model):
    """One object's own line of a bulk change's audit entry.

    An import touches up to hundreds of thousands of people at once. Its :class:`AuditLog` row
    (the *entry*) says who, when, from which request and with which counts; each person it
    created, changed or moved gets an item here pointing at that entry, so every person has
    their own audit trail. An item holds ids and field names only, never values, and is
    narrow on purpose: written by one COPY, keyed by the object it is about (a person's trail
    is one index range), with no foreign key to check at commit. It costs about a third of
    an audit row per person (docs/benchmarks.md). Append-only like the log (PostgreSQL
    trigger, core migration 0006).
    """

    pk = models.CompositePrimaryKey("object_id", "entry_id", verbose_name=_("ID"))
    object_id = models.UUIDField(_("object ID"))
    # The AuditLog row's id. Not a foreign key: the log is partitioned by time (its key is
    # (id, at)) and an archived month takes its entries with it; the item stays.
    entry_id = models.BigIntegerField(_("audit entry"))
    action = models.CharField(_("action"), max_length=64)
    fields = models.JSONField(_("fields changed"), default=list, blank=True)

    class Meta:
        verbose_name = _("audit item")
        verbose_name_plural = _("audit items")

    def __str__(self) -> str:
        return f"{self.action} {self.object_id} ({self.entry_id})"


class ScheduledRun(models.Model):
    """One run of a scheduled job (``core.schedule``) for one due time: made once by whichever
    scheduler process sees it due first (unique), then run on the task queue, which records its
    end. A due time with no finished run is a missed run, shown by the health check."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    job = models.CharField(_("job"), max_length=64)
    due_at = models.DateTimeField(_("due at"))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), null=True)
    output = models.TextField(_("output"), blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="scheduledrun_once_per_due")
        ]
        ordering = ["-due_at"]

    def __str__(self) -> str:
        return f"{self.job} {self.due_at:%d/%m/%Y %H:%M}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(BaseModel):
    """One piece of long work run on the task queue (``core.jobs``): what it is (``kind`` and
    ``params``, never personal data), which unit it is about (``level``/``code``, read by the
    access policy), how far it is (``done`` of ``total``, ``checkpoint``: where a new run
    resumes), who holds it (``claimed_at``: the current run's mark; ``heartbeat_at``: renewed
    at every report of progress), and its result (sealed at rest, kept until ``expires_at``)."""

    kind = models.CharField(_("job kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # kind|level|code|params: at most one queued or running job per key (starting it again
    # returns the one under way).
    key = models.CharField(_("job key"), max_length=255)
    level = models.CharField(
        _("unit level"), max_length=16, blank=True
    )  # national | province | commune
    code = models.CharField(_("unit code"), max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.BigIntegerField(_("items done"), default=0)
    total = models.BigIntegerField(_("items in all"), default=0)
    checkpoint = models.JSONField(_("checkpoint"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The done count when the current run claimed the job (its rate counts from there).
    resumed_from = models.BigIntegerField(_("resumed from"), default=0)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The result file, sealed (core.crypto, purpose "job-result"); emptied when it expires.
    result = models.TextField(_("result file (sealed)"), blank=True, editable=False)
    result_name = models.CharField(_("result name"), max_length=120, blank=True)
    result_type = models.CharField(_("result type"), max_length=120, blank=True)
    summary = models.JSONField(
        _("summary figures"), default=dict, blank=True
    )  # small figures shown on the page
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_one_under_way_per_key",
            )
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.kind} {self.level}:{self.code} ({self.status})"
