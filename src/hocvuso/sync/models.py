"""The offline field app's devices and what they sent.

:class:`Device` — one installed field app of one user, authenticated by its own device token
(``accounts.DeviceToken``: revoking the token is revoking the device), with the last sequence
number it sent, when it last pushed and pulled, and how many records it said were still waiting.
:class:`SyncRecord` — every record a device pushed, keyed by the client's UUID v7, with its
sequence number and a hash of its content: a record sent again is found here (same hash: a
duplicate, answered as the first time; another hash: a conflict), never written twice.
:class:`Conflict` — an edit made on the phone over a base version the server had already
changed: the server kept its value, the officer chooses (keep / take the phone's).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class Device(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="field_devices",
        verbose_name=_("user"),
    )
    token = models.OneToOneField(
        "accounts.DeviceToken",
        on_delete=models.PROTECT,
        related_name="field_device",
        verbose_name=_("device token"),
    )
    name = models.CharField(_("name"), max_length=100)
    # The commune the device works in when it was registered (for the officer's list).
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    last_seq = models.BigIntegerField(_("last sequence number"), default=0)
    last_push_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    last_pull_at = models.DateTimeField(_("last received"), null=True, blank=True)
    pending = models.PositiveIntegerField(_("records waiting on the device"), default=0)

    class Meta:
        verbose_name = _("field device")
        verbose_name_plural = _("field devices")

    def __str__(self) -> str:
        return self.name


class RecordStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CONFLICT = "conflict", _("Conflict")


class SyncRecord(models.Model):
    """A record as a device pushed it (its content lives in the domain's own tables)."""

    id = models.UUIDField(_("ID"), primary_key=True, editable=False)  # the client's UUID v7
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="records", verbose_name=_("device")
    )
    seq = models.BigIntegerField(_("sequence number"))
    kind = models.CharField(_("record kind"), max_length=32)
    content_hash = models.CharField(_("content hash"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=RecordStatus.choices)
    code = models.CharField(_("error code"), max_length=48, blank=True)
    field = models.CharField(_("field in error"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("synchronised record")
        verbose_name_plural = _("synchronised records")
        constraints = [
            models.UniqueConstraint(fields=["device", "seq"], name="syncrecord_device_seq")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("To resolve")
    KEPT = "kept", _("Server value kept")
    TAKEN = "taken", _("Device's value taken")


class Conflict(BaseModel):
    """An offline edit that met a newer server version. ``fields`` maps each field the phone
    changed to ``{"base": …, "server": …, "theirs": …}``; the server's values stay until an
    officer takes the phone's."""

    record = models.OneToOneField(
        SyncRecord, on_delete=models.PROTECT, related_name="conflict", verbose_name=_("record")
    )
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="conflicts", verbose_name=_("device")
    )
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    object_type = models.CharField(_("object type"), max_length=32)  # "person" | "household"
    object_id = models.UUIDField(_("object ID"))
    fields = models.JSONField(_("conflicting fields"), default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sync conflict")
        verbose_name_plural = _("sync conflicts")
        indexes = [models.Index(fields=["commune", "status"], name="conflict_commune_status")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} ({self.status})"


class Removal(models.Model):
    """A household or person that left a village (moved, or moved with its household): the
    devices whose work set held the village learn to drop it on their next pull. Written by the
    sync app's listener on ``core.hooks.left_village``, in the moving write's transaction."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    kind = models.CharField(_("record kind"), max_length=16)  # "household" | "person"
    object_id = models.UUIDField(_("object ID"))
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    village_id = models.UUIDField(_("village ID"), null=True, blank=True)  # where it was
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("removal from a work set")
        verbose_name_plural = _("removals from work sets")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ← {self.village_id}"
