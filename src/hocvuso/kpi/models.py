"""Indicators, targets and the summary tables the dashboards read.

- :class:`Indicator` is data: a numerator measure over a denominator measure (or a plain count),
  named in Vietnamese and English, with its unit, group and the levels it is shown at. The
  measures are the columns of the summary tables (``measures.py``).
- :class:`Target`: a value per indicator and year (optionally month), set by the level above for
  the units below it (``selectors.target_for`` resolves commune → remote communes of the province →
  province → nation → the indicator's national default).
- Summary tables (kept current by the services that write the raw records, rebuilt by
  ``rebuild_summaries``, checked by ``check_summaries``):

  * :class:`CohortSummary` — people per commune, village and **year of birth**: the counts never go
    stale as people age; "16+" and "adults" are derived from them for the current year.
  * :class:`VillageSummary` — households per commune and village.
  * :class:`CommuneSummary` — one row per commune with every measure for ``year`` (the age-based
    ones derived from the cohorts); provinces and the nation add these rows up.
  * :class:`MonthSummary` — the commune row as it stood at the end of each month, for trends.
  * :class:`ProvinceMonthSummary` — closed months added up per province and area.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel

# "No village": the key of people and households whose household has no village.
NO_VILLAGE = uuid.UUID(int=0)


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    RATIO = "ratio", _("Per unit")


class Group(models.TextChoices):
    IDENTITY = "identity", _("Digital identity and banking")
    FAMILY = "family", _("Digital family")
    MENTORS = "mentors", _("Digital mentors")
    DESK = "desk", _("Support desks")
    MARKET = "market", _("Digital market (4T)")
    OUTREACH = "outreach", _("Every house, every person")
    YOUTH = "youth", _("Youth classes")
    BASIC = "basic", _("Basic digital skills")


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    group = models.CharField(_("group"), max_length=16, choices=Group.choices)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    numerator = models.CharField(_("counted (numerator)"), max_length=32)
    denominator = models.CharField(_("over (denominator)"), max_length=32, blank=True)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    # The national default target, used where no level has set one for the year.
    default_target = models.DecimalField(
        _("national default target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Levels it is shown at ("national", "province", "commune", "village") and its breakdowns
    # ("province", "commune", "village", "remote").
    levels = models.JSONField(_("levels"), default=list)
    breakdowns = models.JSONField(_("breakdowns"), default=list)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        lang = get_language() or "vi"
        return self.name_en if lang.startswith("en") and self.name_en else self.name_vi


class Target(BaseModel):
    """One target. Both unit fields empty: the nation's. ``province`` only: that province's
    (set by national admins), or with ``remote_only`` the target of the province's remote /
    ethnic-minority communes (set by the province). ``commune``: that commune's (set by the
    province)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    commune = models.ForeignKey(
        "geo.Commune",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    remote_only = models.BooleanField(_("remote / ethnic-minority communes only"), default=False)
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    # indicator|year|month|province|commune|remote — one row per place in the inheritance chain.
    key = models.CharField(_("target key"), max_length=120, unique=True, editable=False)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        indexes = [models.Index(fields=["year", "indicator"], name="target_year_indicator")]

    def __str__(self) -> str:
        return self.key


class PersonCounts(models.Model):
    persons = models.IntegerField(_("people"), default=0)
    vneid2 = models.IntegerField(_("with VNeID level 2"), default=0)
    bank = models.IntegerField(_("with a digital bank account"), default=0)
    basic = models.IntegerField(_("with the basic skill set"), default=0)
    guided = models.IntegerField(_("people guided at home"), default=0)
    traders = models.IntegerField(_("traders and farmers"), default=0)
    t1 = models.IntegerField(_("traders/farmers with a digital shop profile"), default=0)
    t2 = models.IntegerField(_("traders/farmers selling online"), default=0)
    t3 = models.IntegerField(_("traders/farmers paying by QR"), default=0)
    t4 = models.IntegerField(_("traders/farmers saving digitally"), default=0)
    t_all = models.IntegerField(_("traders/farmers with all four T"), default=0)

    class Meta:
        abstract = True


class HouseholdCounts(models.Model):
    households = models.IntegerField(_("households"), default=0)
    households_trained = models.IntegerField(
        _("households with a member who has the basic skill set"), default=0
    )
    households_visited = models.IntegerField(_("households visited"), default=0)

    class Meta:
        abstract = True


def _summary_commune() -> Any:
    """The commune of a derived summary row: no index of its own (each table's unique key
    starts with it) and no database constraint. Each insert checked the commune (a locking
    lookup per row, 3M of them in a first rebuild at 10M persons); the rows are counted from
    people whose commune is checked, communes are retired and never deleted, and
    check_summaries compares every row with a recount."""
    return models.ForeignKey(
        "geo.Commune",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("commune"),
    )


class CohortSummary(PersonCounts):
    id = models.BigAutoField(_("ID"), primary_key=True)
    commune = _summary_commune()
    village_id = models.UUIDField(_("village ID"))  # NO_VILLAGE when the household has none
    birth_year = models.PositiveSmallIntegerField(_("birth year"))  # 0 when unknown

    class Meta:
        verbose_name = _("people by year of birth (summary)")
        verbose_name_plural = _("people by year of birth (summaries)")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "village_id", "birth_year"], name="cohort_one_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.village_id}/{self.birth_year}"


class VillageSummary(HouseholdCounts):
    id = models.BigAutoField(_("ID"), primary_key=True)
    commune = _summary_commune()
    village_id = models.UUIDField(_("village ID"))

    class Meta:
        verbose_name = _("village households (summary)")
        verbose_name_plural = _("village households (summaries)")
        constraints = [
            models.UniqueConstraint(fields=["commune", "village_id"], name="village_summary_one")
        ]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.village_id}"


class CommuneCounts(HouseholdCounts):
    persons = models.IntegerField(_("people"), default=0)
    persons_16 = models.IntegerField(_("people aged 16+"), default=0)
    vneid2_16 = models.IntegerField(_("people aged 16+ with VNeID level 2"), default=0)
    bank_16 = models.IntegerField(_("people aged 16+ with a digital bank account"), default=0)
    adults = models.IntegerField(_("adults"), default=0)
    basic_adults = models.IntegerField(_("adults with the basic skill set"), default=0)
    guided = models.IntegerField(_("people guided at home"), default=0)
    traders = models.IntegerField(_("traders and farmers"), default=0)
    t1 = models.IntegerField(_("traders/farmers with a digital shop profile"), default=0)
    t2 = models.IntegerField(_("traders/farmers selling online"), default=0)
    t3 = models.IntegerField(_("traders/farmers paying by QR"), default=0)
    t4 = models.IntegerField(_("traders/farmers saving digitally"), default=0)
    t_all = models.IntegerField(_("traders/farmers with all four T"), default=0)
    mentors = models.IntegerField(_("active mentors"), default=0)
    mentees = models.IntegerField(_("mentees"), default=0)
    mentors_5 = models.IntegerField(_("mentors guiding 5 or more"), default=0)
    desk_staff = models.IntegerField(_("support-desk staff"), default=0)
    desk_helped = models.IntegerField(_("citizens helped at the desk"), default=0)
    classes = models.IntegerField(_("classes"), default=0)
    class_participants = models.IntegerField(_("class participants"), default=0)
    class_volunteers = models.IntegerField(_("class volunteers"), default=0)
    learners = models.IntegerField(_("online learners"), default=0)
    courses_completed = models.IntegerField(_("online courses completed"), default=0)
    certificates_valid = models.IntegerField(_("valid certificates"), default=0)

    class Meta:
        abstract = True


class CommuneSummary(CommuneCounts):
    commune = models.OneToOneField(
        "geo.Commune",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    province = models.ForeignKey(
        "geo.Province", on_delete=models.CASCADE, related_name="+", verbose_name=_("province")
    )
    # The year the age-based counts were derived for (rolled forward on 1 January).
    year = models.PositiveSmallIntegerField(_("year"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("commune figures (summary)")
        verbose_name_plural = _("commune figures (summaries)")
        indexes = [models.Index(fields=["province"], name="commune_summary_province")]

    def __str__(self) -> str:
        return f"{self.commune_id} ({self.year})"


class MonthSummary(CommuneCounts):
    id = models.BigAutoField(_("ID"), primary_key=True)
    commune = _summary_commune()
    province = models.ForeignKey(
        "geo.Province", on_delete=models.CASCADE, related_name="+", verbose_name=_("province")
    )
    month = models.DateField(_("month"))  # the first day of the month

    class Meta:
        verbose_name = _("commune figures at month end")
        verbose_name_plural = _("commune figures at month ends")
        constraints = [
            models.UniqueConstraint(fields=["commune", "month"], name="month_summary_one")
        ]
        indexes = [models.Index(fields=["month", "province"], name="month_summary_month")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.month:%m/%Y}"


class ProvinceMonthSummary(CommuneCounts):
    """A province's closed months: its communes' month rows added up, split by area (remote /
    ethnic-minority communes or not), written when a month ends (``roll_forward``) and when
    history is rebuilt — so a national trend reads a few hundred rows, not 40,000."""

    id = models.BigAutoField(_("ID"), primary_key=True)
    province = models.ForeignKey(
        "geo.Province", on_delete=models.CASCADE, related_name="+", verbose_name=_("province")
    )
    month = models.DateField(_("month"))
    remote = models.BooleanField(_("remote / ethnic-minority communes"))
    communes = models.IntegerField(_("communes"), default=0)
    communes_with_desk = models.IntegerField(_("communes with desk staff"), default=0)

    class Meta:
        verbose_name = _("province figures at month end")
        verbose_name_plural = _("province figures at month ends")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "month", "remote"], name="province_month_one"
            )
        ]
        indexes = [models.Index(fields=["month"], name="province_month_month")]

    def __str__(self) -> str:
        return f"{self.province_id} {self.month:%m/%Y} {_('remote') if self.remote else _('other')}"
