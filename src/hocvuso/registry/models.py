"""Households and the people in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel
from hocvuso.geo.models import Commune, Village
from hocvuso.registry.cccd import masked
from hocvuso.registry.ethnicity import ETHNIC_GROUPS


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Occupation(models.TextChoices):
    TRADER = "trader", _("Small trader")
    FARMER = "farmer", _("Farmer")
    STUDENT = "student", _("Student")
    WORKER = "worker", _("Worker")
    RETIRED = "retired", _("Retired")
    OFFICIAL = "official", _("Official / civil servant")
    HOMEMAKER = "homemaker", _("Homemaker")
    UNEMPLOYED = "unemployed", _("Not working")
    OTHER = "other", _("Other")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Child-in-law")
    OTHER = "other", _("Other")


class Household(BaseModel):
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="households", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("village"),
    )
    code = models.CharField(_("household code"), max_length=32)
    address = models.CharField(_("address"), max_length=255, blank=True)
    head = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head of household"),
    )
    # Folded code + address + head's name, for diacritics-insensitive search.
    search_key = models.CharField(max_length=400, editable=False, default="")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="household_code_in_commune")
        ]
        indexes = [models.Index(fields=["commune", "village"], name="household_commune_village")]

    def __str__(self) -> str:
        return self.code


class Person(BaseModel):
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="persons", verbose_name=_("commune")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    search_key = models.CharField(max_length=150, editable=False, db_index=True)
    # A full date when known; otherwise only the year ("năm sinh"), which is common in lists.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNIC_GROUPS, blank=True)
    # CCCD: never stored in plain text (see registry/cccd.py).
    cccd_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    cccd_ciphertext = models.TextField(blank=True, default="", editable=False)
    cccd_last3 = models.CharField(max_length=3, blank=True, default="", editable=False)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    occupation = models.CharField(
        _("occupation"), max_length=16, choices=Occupation.choices, blank=True
    )
    relationship = models.CharField(
        _("relationship to the head"), max_length=16, choices=Relationship.choices, blank=True
    )
    special_needs = models.TextField(_("special needs"), blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["commune", "search_key"], name="person_commune_name"),
            models.Index(fields=["household"], name="person_household"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1880),
                name="person_birth_year_sane",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def cccd_masked(self) -> str:
        return masked(self.cccd_last3)

    @property
    def has_cccd(self) -> bool:
        return bool(self.cccd_hash)
