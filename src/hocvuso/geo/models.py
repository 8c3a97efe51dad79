"""Provinces, communes (official codes, 2025 two-level local government) and villages."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel


class ProvinceKind(models.TextChoices):
    PROVINCE = "tinh", _("Province")
    CITY = "thanh_pho", _("City")


class CommuneKind(models.TextChoices):
    COMMUNE = "xa", _("Commune")
    WARD = "phuong", _("Ward")
    SPECIAL_ZONE = "dac_khu", _("Special zone")


class VillageKind(models.TextChoices):
    THON = "thon", _("Thôn (village)")
    TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố (residential group)")
    AP = "ap", _("Ấp (hamlet)")
    BAN = "ban", _("Bản (hamlet)")
    BUON = "buon", _("Buôn (hamlet)")
    KHOM = "khom", _("Khóm (neighbourhood)")
    PLEI = "plei", _("Plei (hamlet)")
    KHU_PHO = "khu_pho", _("Khu phố (quarter)")
    OTHER = "khac", _("Other")


class Province(models.Model):
    """A province or centrally-run city. The official code (``"08"``) is the primary key."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ProvinceKind.choices)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    search_key = models.CharField(_("search key"), max_length=100, db_index=True, editable=False)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune-level unit (xã, phường, đặc khu). The official code (``"00715"``) is the key.

    The code is the key because it is what every official list and every other system uses, and
    it never changes for a unit; names and kinds do (a xã becomes a phường) and are updated by code.
    """

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("province")
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CommuneKind.choices)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    is_remote = models.BooleanField(_("remote / difficult area"), default=False)
    is_ethnic_minority = models.BooleanField(_("ethnic-minority area"), default=False)
    search_key = models.CharField(_("search key"), max_length=100, db_index=True, editable=False)
    # Missing from a newer official list (merged into another unit): never deleted, retired with
    # its successor; its villages, households and people move there by a background job, and
    # dashboards count what stays on it (desk visits, classes …) under the successor.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, editable=False)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        editable=False,
        verbose_name=_("successor"),
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Village(BaseModel):
    """A thôn, tổ dân phố, ấp, bản … kept by the commune's officers."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="villages", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=VillageKind.choices, default=VillageKind.THON
    )
    is_remote = models.BooleanField(_("remote / difficult area"), default=False)
    is_ethnic_minority = models.BooleanField(_("ethnic-minority area"), default=False)
    search_key = models.CharField(_("search key"), max_length=100, editable=False)

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["commune_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "search_key"], name="village_unique_name_in_commune"
            )
        ]

    def __str__(self) -> str:
        return self.name
