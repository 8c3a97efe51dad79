"""The community tech teams' own data.

:class:`Team` — a team of a commune covering one or more of its villages.
:class:`TeamMember` — a user in a team with a role and an organisation tag; the member's access
(a ``team_leader``/``team_member`` role assignment over the team's villages) is granted and
revoked with the membership, so ``core.access`` decides scope from role assignments alone.
:class:`Claim` — a member took a household from the plan (released after a visit, by hand, or
when it is older than the claim period).
:class:`Visit` / :class:`VisitPerson` — a door-to-door visit (client-made UUID) and who was at
home, what each was guided on and what they can now do (those become skill events).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy")
    MEMBER = "member", _("Member")


class Organisation(models.TextChoices):
    POLICE = "police", _("Police")
    YOUTH_UNION = "youth_union", _("Youth Union")
    WOMENS_UNION = "womens_union", _("Women's Union")
    FARMERS_UNION = "farmers_union", _("Farmers' Union")
    VETERANS = "veterans", _("Veterans' Association")
    OTHER = "other", _("Other")


class VisitIssue(models.TextChoices):
    NO_SMARTPHONE = "no_smartphone", _("No smartphone")
    NO_SIGNAL = "no_signal", _("No signal")
    LANGUAGE = "language", _("Language")
    OTHER = "other", _("Other")


class ReleaseReason(models.TextChoices):
    VISITED = "visited", _("Visited")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")


class Team(BaseModel):
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="teams", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=150)
    villages = models.ManyToManyField(
        "geo.Village", related_name="teams", verbose_name=_("villages")
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
        verbose_name = _("community tech team")
        verbose_name_plural = _("community tech teams")
        ordering = ["commune_id", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(BaseModel):
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", verbose_name=_("team")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="team_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        _("role in the team"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    organisation = models.CharField(
        _("organisation"), max_length=16, choices=Organisation.choices, default=Organisation.OTHER
    )
    # The role assignment that gives the member their access over the team's villages.
    assignment = models.ForeignKey(
        "accounts.RoleAssignment",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("assignment"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("removed by"),
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="teammember_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Claim(BaseModel):
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="claims", verbose_name=_("team")
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="team_claims",
        verbose_name=_("household"),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("taken at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.CharField(
        _("release reason"), max_length=8, choices=ReleaseReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("household taken")
        verbose_name_plural = _("households taken")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(released_at__isnull=True),
                name="claim_one_open_per_household",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} ← {self.claimed_by_id}"


class Visit(BaseModel):
    """A door-to-door visit. The primary key is made by the client (UUID v7)."""

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="visits", verbose_name=_("team")
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.PROTECT,
        related_name="team_visits",
        verbose_name=_("household"),
    )
    visited_at = models.DateTimeField(_("visited at"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("visited by"),
    )
    issues = models.JSONField(_("issues found"), default=list, blank=True)
    issues_note = models.CharField(_("other issue"), max_length=255, blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    # Set by the service: True when the call found the visit already stored (idempotent replay).
    replayed = False

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        indexes = [models.Index(fields=["household", "visited_at"], name="visit_household_at")]

    def __str__(self) -> str:
        return f"{self.visited_at:%d/%m/%Y} {self.household_id}"


class VisitPerson(models.Model):
    """A member of the household who was at home during the visit."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="present", verbose_name=_("visit")
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="team_visits",
        verbose_name=_("person"),
    )
    guided = models.JSONField(_("guided on"), default=list, blank=True)  # skill codes
    gained = models.JSONField(_("can now do"), default=list, blank=True)  # skill codes
    # Guided on something or gained something (for set-based coverage counts).
    was_guided = models.BooleanField(_("was guided"), default=False)

    class Meta:
        verbose_name = _("person at home")
        verbose_name_plural = _("people at home")
        constraints = [models.UniqueConstraint(fields=["visit", "person"], name="visitperson_once")]
        indexes = [models.Index(fields=["person", "was_guided"], name="visitperson_guided")]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.person_id}"
