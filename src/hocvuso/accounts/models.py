import datetime
import os
import time
from base64 import b32encode
from binascii import hexlify, unhexlify
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from hocvuso.core.crypto import SealedTextField, mac
from hocvuso.core.models import BaseModel


class User(AbstractUser):  # type: ignore[django-manager-missing]  # devices: see pyproject
    """A person who signs in: officer, volunteer, mentor or citizen.

    What they may see and do comes from their role assignments (below), never from ``is_staff``
    (which only opens the Django admin to national administrators).
    """

    id = models.BigAutoField(_("ID"), primary_key=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    DESK_STAFF = "desk_staff", _("Support-desk staff")
    TEAM_LEADER = "team_leader", _("Community tech team leader")
    TEAM_MEMBER = "team_member", _("Community tech team member")
    YOUTH_VOLUNTEER = "youth_volunteer", _("Youth volunteer")
    MENTOR = "mentor", _("Digital ambassador (mentor)")
    CITIZEN = "citizen", _("Citizen / learner")
    CONTENT_EDITOR = "content_editor", _("National content editor (courses)")


# Roles that must sign in with a second factor (TOTP).
OFFICER_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER})
# How wide a role is: nobody grants a role wider than their own.
ROLE_RANK = {
    Role.NATIONAL_ADMIN: 100,
    Role.PROVINCE_OFFICER: 80,
    Role.COMMUNE_OFFICER: 60,
    Role.DESK_STAFF: 40,
    Role.TEAM_LEADER: 40,
    Role.TEAM_MEMBER: 30,
    Role.YOUTH_VOLUNTEER: 30,
    Role.MENTOR: 30,
    Role.CITIZEN: 10,
    Role.CONTENT_EDITOR: 90,  # given by national admins only (a national role, no unit)
}
TEAM_ROLES = frozenset({Role.TEAM_LEADER, Role.TEAM_MEMBER})


class RoleAssignment(BaseModel):
    """A role held by a user over a scope: the whole country, a province, a commune, some villages
    (a community tech team's), or a person (the citizen themself).

    Assignments are never deleted: a revoked one keeps who revoked it and when.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    # What a team role covers: the team, and its villages (kept equal to the team's by the teams
    # services), so that the access policy reads a member's reach from the assignment alone.
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    villages = models.ManyToManyField(
        "geo.Village", blank=True, related_name="+", verbose_name=_("villages")
    )
    # The citizen themself (role citizen).
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    # What a mentor reaches: their active mentees (kept by the mentoring services).
    mentees = models.ManyToManyField(
        "registry.Person", blank=True, related_name="+", verbose_name=_("mentees")
    )
    granted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [models.Index(fields=["user", "revoked_at"], name="role_user_active")]

    def __str__(self) -> str:
        where = self.commune_id or self.province_id or ("person" if self.person_id else "")
        return f"{self.get_role_display()} {where}".strip()


class Invitation(BaseModel):
    """A one-time link by which an officer appoints someone to a role inside their own scope.

    Only the SHA-256 of the link's secret is stored: the link is shown once, to the inviter.
    """

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    # A team role is given for a team: the membership is made when the invitation is accepted.
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    villages = models.ManyToManyField(
        "geo.Village", blank=True, related_name="+", verbose_name=_("villages")
    )
    # What the accepting app needs besides the role (a team member's role and organisation).
    details = models.JSONField(_("details"), default=dict, blank=True)
    username = models.CharField(_("username"), max_length=150, blank=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted user"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["commune", "accepted_at"], name="invitation_commune")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.commune_id or self.province_id or ''}".strip()

    def is_pending(self, now: datetime.datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class DeviceToken(BaseModel):
    """A bearer token for the field app or an API client, scoped to its user.

    Stored as SHA-256 (a long random secret needs no slow hash) plus a short prefix to recognise
    it in the list; the secret itself is shown once.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="device_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token prefix"), max_length=12, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class PhoneVerification(BaseModel):
    """A one-time code sent by SMS to a citizen registering with their phone number.

    The code is stored as a keyed hash; it expires, allows a few attempts and is used once.
    """

    phone = models.CharField(_("phone (keyed hash)"), max_length=16, db_index=True)
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    # The address that asked (a keyed hash), and whether a message went out: not for a number
    # that already has an account (the asker is told the same either way).
    client = models.CharField(
        _("client (keyed hash)"), max_length=64, blank=True, default="", db_index=True
    )
    sent = models.BooleanField(_("message sent"), default=True)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        indexes = [models.Index(fields=["created_at", "sent"], name="phoneverif_hour")]

    def __str__(self) -> str:
        return f"{self.phone[:-4]}****"


class SignInFailure(models.Model):
    """A wrong password for an account from one client. Counted per (account, client) only —
    never per account alone (a stranger would lock its owner out) nor per address alone (one
    office behind one address would lock each other out). Neither the username nor the address
    is stored: both are keyed hashes."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    account = models.CharField(_("account (keyed hash)"), max_length=64)
    client = models.CharField(_("client (keyed hash)"), max_length=64)
    # The client is a device this account signed in from before (its device cookie).
    trusted = models.BooleanField(_("known device"), default=False)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [models.Index(fields=["account", "client", "at"], name="signin_fail_pair")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M}"


class LabelledDevice(ThrottlingMixin, Device):
    """django-otp's device fields as they are, with Vietnamese labels and help (django-otp has no
    Vietnamese catalogue and its help texts are not marked for translation)."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        verbose_name=_("user"),
        help_text=_("The user that this device belongs to."),
    )
    name = models.CharField(
        _("name"), max_length=64, help_text=_("The human-readable name of this device.")
    )
    confirmed = models.BooleanField(
        _("confirmed"), default=True, help_text=_("Is this device ready for use?")
    )
    throttling_failure_timestamp = models.DateTimeField(
        _("last failed attempt"),
        null=True,
        blank=True,
        default=None,
        help_text=_("The time of the last failed attempt; empty if the last attempt succeeded."),
    )
    throttling_failure_count = models.PositiveIntegerField(
        _("failed attempts in a row"),
        default=0,
        help_text=_("Number of successive failed attempts."),
    )

    class Meta(Device.Meta):
        abstract = True


class Authenticator(LabelledDevice):
    """A TOTP authenticator app (RFC 6238). Its secret is sealed at rest (``core.crypto``): read
    access to the database does not give the second factor."""

    key = SealedTextField(_("secret (sealed)"), purpose="totp")
    step = models.PositiveSmallIntegerField(_("time step (seconds)"), default=30)
    t0 = models.BigIntegerField(_("start time (T0)"), default=0)
    digits = models.PositiveSmallIntegerField(_("number of digits"), default=6)
    tolerance = models.PositiveSmallIntegerField(_("tolerance"), default=1)
    drift = models.SmallIntegerField(_("clock drift"), default=0)
    last_t = models.BigIntegerField(_("last time step used"), default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    @property
    def base32_key(self) -> str:
        return b32encode(self.bin_key).decode()

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` link the app reads from the QR code."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "hocvuso"))
        label = quote(f"{issuer}:{self.user.get_username()}")
        query = urlencode(
            {
                "secret": self.base32_key,
                "issuer": issuer,
                "digits": self.digits,
                "period": self.step,
                "algorithm": "SHA1",
            }
        )
        return f"otpauth://totp/{label}?{query}"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        """A code of the current period (± ``tolerance``), never one used before (replay)."""
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(token)
        except (TypeError, ValueError):
            code = None
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if code is not None and totp.verify(code, self.tolerance, self.last_t + 1):
            self.last_t = totp.t()
            self.throttle_reset(commit=False)
            self.save(
                update_fields=[
                    "last_t",
                    "throttling_failure_timestamp",
                    "throttling_failure_count",
                ]
            )
            return True
        self.throttle_increment(commit=True)
        return False


def new_authenticator_key() -> str:
    """20 random bytes, as hex (what the apps expect, base32 in the QR code)."""
    return hexlify(os.urandom(20)).decode()


class RecoveryCodes(LabelledDevice):
    """The one-time recovery codes of a user (a lost phone). Only keyed hashes are stored: a
    code is shown once, when made."""

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        """An unused code of this set: it is used up."""
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        used = RecoveryCode.objects.filter(device=self, code_hash=recovery_hash(str(token))).first()
        if used is None:
            self.throttle_increment(commit=True)
            return False
        used.delete()
        self.throttle_reset(commit=True)
        return True


class RecoveryCode(models.Model):
    id = models.BigAutoField(_("ID"), primary_key=True)
    device = models.ForeignKey(
        RecoveryCodes, on_delete=models.CASCADE, related_name="codes", verbose_name=_("device")
    )
    code_hash = models.CharField(_("code hash"), max_length=64)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        indexes = [models.Index(fields=["device", "code_hash"], name="recoverycode_lookup")]

    def __str__(self) -> str:
        return str(self.device_id)


def recovery_hash(code: str) -> str:
    return mac("recovery", code.strip().lower())
