"""The skill framework, skill events (a person gained a skill) and each person's derived status.

- :class:`SkillArea` / :class:`Skill`: the catalogue — DigComp 2.2's five areas, area 6 (AI) of
  Circular 02/2025/TT-BGDĐT, group 0 (devices) of Decision 757/QĐ-BKHCN, and the movement's
  practical milestones (area ``M``). Seeded by a data migration, edited by national admins.
- :class:`SkillSet`: named sets (``basic``, ``4t``, ``identity``); a row with ``province`` set
  overrides the national row of the same code for that province.
- :class:`SkillEvent`: append-only; a mistake is corrected by a reversing event.
- :class:`PersonSkillStatus`: one row per person, derived from the events, kept up to date by the
  service that writes events (same transaction), checked and repaired by ``rebuild_status``.
- :class:`CheckRound` / :class:`BackCheck`: verification of what was reported (chống bệnh hình
  thức) — a seeded random sample of the skill events of every channel, the checks assigned to
  helpers and what the citizen said (:mod:`hocvuso.skills.checks`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hocvuso.core.ids import uuid7
from hocvuso.core.models import BaseModel


def _localised(vi: str, en: str) -> str:
    return en if (get_language() or "vi").startswith("en") and en else vi


class SkillKind(models.TextChoices):
    COMPETENCE = "competence", _("Competence")
    MILESTONE = "milestone", _("Practical milestone")


class Proficiency(models.IntegerChoices):
    """DigComp 2.2's eight levels, grouped as foundation / intermediate / advanced / highly
    specialised. The catalogue's competences are seeded at level 2 (foundation, the citizen's
    basic level); milestones are level 2 too (done with or without help)."""

    L1 = 1, _("1 – Foundation")
    L2 = 2, _("2 – Foundation")
    L3 = 3, _("3 – Intermediate")
    L4 = 4, _("4 – Intermediate")
    L5 = 5, _("5 – Advanced")
    L6 = 6, _("6 – Advanced")
    L7 = 7, _("7 – Highly specialised")
    L8 = 8, _("8 – Highly specialised")


class Programme(models.TextChoices):
    """The programme tags a skill carries (``Skill.programmes``)."""

    DIGCOMP = "digcomp", _("EU DigComp 2.2")
    CIRCULAR_02_2025 = "circular_02_2025", _("Circular 02/2025/TT-BGDĐT")
    DECISION_757 = "decision_757", _("Decision 757/QĐ-BKHCN")
    IDENTITY = "identity", _("Digital identity")
    FOUR_T = "4t", _("4T")
    BASIC = "basic", _("Basic skill set")
    FAMILY = "family", _("Digital family")


class Channel(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    CLASS = "class", _("Class")
    MENTORING = "mentoring", _("Mentoring")
    SUPPORT_DESK = "support_desk", _("Support desk")
    ONLINE_COURSE = "online_course", _("Online course")
    SELF_DECLARED = "self_declared", _("Self-declared")
    VERIFIED_AT_CHECK = "verified_at_check", _("Verified at a check")


class SkillArea(models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150)
    source = models.CharField(_("source"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("skill area")
        verbose_name_plural = _("skill areas")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def name(self) -> str:
        return _localised(self.name_vi, self.name_en)


class Skill(models.Model):
    id = models.BigAutoField(_("ID"), primary_key=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    area = models.ForeignKey(
        SkillArea, on_delete=models.PROTECT, related_name="skills", verbose_name=_("area")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SkillKind.choices)
    level = models.PositiveSmallIntegerField(
        _("proficiency level"), choices=Proficiency.choices, default=Proficiency.L2
    )
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    description_vi = models.TextField(_("what the person can show (Vietnamese)"), blank=True)
    description_en = models.TextField(_("what the person can show (English)"), blank=True)
    # Programme tags: "digcomp", "circular_02_2025", "decision_757", "identity", "4t", "family"…
    programmes = models.JSONField(_("programmes"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["area__order", "order", "code"]

    def __str__(self) -> str:
        return self.name  # what a person reads: never the code

    @property
    def name(self) -> str:
        return _localised(self.name_vi, self.name_en)

    @property
    def description(self) -> str:
        return _localised(self.description_vi, self.description_en)


class SkillSet(models.Model):
    """A named set of skills. ``province`` empty: the national set; set: that province's own
    (stricter) version, which replaces the national one for people living there."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    code = models.CharField(_("code"), max_length=32)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    name_vi = models.CharField(_("Vietnamese name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    skills = models.ManyToManyField(Skill, related_name="sets", verbose_name=_("skills"))

    class Meta:
        verbose_name = _("skill set")
        verbose_name_plural = _("skill sets")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(province__isnull=True),
                name="skillset_one_national",
            ),
            models.UniqueConstraint(fields=["code", "province"], name="skillset_one_per_province"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.province_id or '—'})"

    @property
    def name(self) -> str:
        return _localised(self.name_vi, self.name_en)


class SkillEvent(models.Model):
    """A person gained a skill (or, with ``reverses`` set, an earlier event is withdrawn).

    Append-only: never updated, never deleted. The primary key is made by the client (UUID v7),
    so the same record sent twice is stored once.
    """

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid7, editable=False)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="skill_events",
        verbose_name=_("person"),
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="events", verbose_name=_("skill")
    )
    happened_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    helped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("helped by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    # Evidence for a gain; the reason for a reversal.
    note = models.TextField(_("note"), blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Set by the service: True when the call found the event already stored (idempotent replay).
    replayed = False
    # Set by selectors.person_skills: the event withdrawing this one, and the one this withdraws.
    reversal: SkillEvent | None = None
    reversed_event: SkillEvent | None = None

    class Meta:
        verbose_name = _("skill event")
        verbose_name_plural = _("skill events")
        indexes = [models.Index(fields=["person", "happened_on"], name="skillevent_person_date")]

    def __str__(self) -> str:
        return f"{self.happened_on:%d/%m/%Y} {self.skill_id} {self.person_id}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class PersonSkillStatus(models.Model):
    """What a person can do now, derived from their events (held = gains not reversed).

    The held skills are a JSON list of codes on this one row rather than a child table: the row
    is a cache read and rewritten whole (one UPDATE per event, in the event's transaction), the
    list is short (≤ ~40 codes), and ``rebuild_status`` compares it in one piece. Dashboards count
    from the flat columns (VNeID level, bank account, basic set, 4T) — never from the list.
    """

    person = models.OneToOneField(
        "registry.Person",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="skill_status",
        verbose_name=_("person"),
    )
    skills = models.JSONField(_("skills held"), default=list, blank=True)
    basic_complete = models.BooleanField(_("basic skill set complete"), default=False)
    vneid_level = models.PositiveSmallIntegerField(_("VNeID level"), default=0)
    has_bank_account = models.BooleanField(_("digital bank account"), default=False)
    # The codes of the 4T set the person holds (in the set's order).
    t4 = models.JSONField(_("4T progress"), default=list, blank=True)
    # The same as bits (bit i: the i-th code of ``facts.T4_CODES``), counted by dashboards.
    t4_mask = models.PositiveSmallIntegerField(_("4T held (bits)"), default=0)
    last_event_on = models.DateField(_("last skill gained on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person's digital status")
        verbose_name_plural = _("persons' digital status")
        indexes = [
            models.Index(fields=["vneid_level"], name="skillstatus_vneid"),
            models.Index(fields=["basic_complete"], name="skillstatus_basic"),
        ]

    def __str__(self) -> str:
        return str(self.person_id)


class CheckRound(BaseModel):
    """A seeded random sample of skill events reported in a period (same seed and same events →
    the same sample).

    ``source`` and ``label`` name the sample frame when a programme app drew the round over its
    own events (``"class:<id>"`` and the class's title); the skills app treats them as opaque
    text, so it never refers to a programme app's rows. The table kept its name from when
    back-checks lived in the classes app."""

    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    channel = models.CharField(_("channel"), max_length=24, blank=True, choices=Channel.choices)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("helped by"),
    )
    source = models.CharField(_("sample frame"), max_length=64, blank=True)
    label = models.CharField(_("sample frame name"), max_length=200, blank=True)
    percent = models.DecimalField(_("sample size (%)"), max_digits=5, decimal_places=2)
    seed = models.BigIntegerField(_("seed"))
    population = models.PositiveIntegerField(_("events reported"))
    size = models.PositiveIntegerField(_("events drawn"))

    class Meta:
        db_table = "classes_checkround"
        verbose_name = _("back-check round")
        verbose_name_plural = _("back-check rounds")

    def __str__(self) -> str:
        return f"{self.commune_id} {self.period_from:%d/%m/%Y}–{self.period_to:%d/%m/%Y}"


class CheckOutcome(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed")
    UNREACHABLE = "unreachable", _("Unreachable")


class BackCheck(BaseModel):
    """One drawn event to check with the citizen. The group it counts for (channel, helper, and
    the round's frame ``source``/``label``) is copied when drawn."""

    round = models.ForeignKey(
        CheckRound, on_delete=models.CASCADE, related_name="checks", verbose_name=_("round")
    )
    event = models.ForeignKey(
        SkillEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("helper"),
    )
    source = models.CharField(_("sample frame"), max_length=64, blank=True)
    label = models.CharField(_("sample frame name"), max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=CheckOutcome.choices, default=CheckOutcome.PENDING
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    reversal = models.OneToOneField(
        SkillEvent,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("reversal"),
    )

    class Meta:
        db_table = "classes_backcheck"
        verbose_name = _("back-check")
        verbose_name_plural = _("back-checks")
        constraints = [
            models.UniqueConstraint(fields=["round", "event"], name="backcheck_once_per_round")
        ]
        indexes = [models.Index(fields=["channel", "outcome"], name="backcheck_group")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.event_id} {self.get_outcome_display()}"
