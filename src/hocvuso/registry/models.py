"""Households and the people in them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hocvuso.core.crypto import SealedTextField
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


class LiveManager(models.Manager):
    """The rows that count: not merged into another (a merged row stays as a tombstone pointing
    to its survivor, read through ``all_objects`` or a foreign key)."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(merged_into__isnull=True)


def village_sort_key(name: str | None) -> str:
    """Where a household of the village ``name`` (``None``: no village) comes in a list ordered
    by village name, no village last: ``Household.village_key``."""
    return "1" if name is None else "0" + name


# 0 for a household no team has visited yet, 1 after its first visit: what the door-to-door
# plan orders by first (the same expression in its index, so the index gives the order).
VISITED = models.Case(
    models.When(last_visit_at__isnull=True, then=models.Value(0)),
    default=models.Value(1),
    output_field=models.IntegerField(),
)


class Household(BaseModel):
    # No index of its own: ``household_code_in_commune`` and ``household_commune_village`` lead
    # with the commune.
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("commune"),
        db_index=False,
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
    search_key = models.CharField(_("search key"), max_length=400, editable=False, default="")
    # Set when a merge of people left the household without a member (a walk-in's one-person
    # household): the row stays, pointing to the survivor's household, and is not counted.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("merged into"),
    )

    # What the household's lists filter and sort on, stored so that a page costs what a page
    # costs (a list never aggregates the commune's members to order its households): kept
    # current by the summaries' write path (kpi.summaries.households) in the writer's
    # transaction, recounted by rebuild_summaries and compared by check_summaries. Members
    # here are the live, non-erased ones (the people a helper can still train).
    # Defaults in the database too: rows written by SQL of their own (a bulk load) start
    # counted as empty and are recounted (``kpi.summaries.recount_facts``).
    members_live = models.PositiveIntegerField(
        _("members"), default=0, db_default=0, editable=False
    )
    members_trained = models.PositiveIntegerField(
        _("members with the basic skill set"), default=0, db_default=0, editable=False
    )
    # The Digital Family priority of this year (registry.priority): 0 area, 1 elderly only,
    # 2 special needs, 3 the rest; re-derived when the year changes (roll_summaries).
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=3, db_default=3, editable=False
    )
    # The village's place in the lists' order (:func:`village_sort_key`): its name after "0",
    # or "1" without a village (listed last), so that an index gives "by village name".
    village_key = models.CharField(
        _("village sort key"), max_length=101, default="1", db_default="1", editable=False
    )
    # When a team last visited the household (``teams.Visit``), ``None`` before the first
    # visit: the door-to-door plan sorts on it (never visited first, then the longest ago).
    last_visit_at = models.DateTimeField(_("last visited at"), null=True, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="household_code_in_commune")
        ]
        indexes = [
            models.Index(fields=["commune", "village"], name="household_commune_village"),
            # The commune's household list, in the order it shows (registry.selectors).
            models.Index(fields=["commune", "village_key", "code"], name="household_commune_list"),
            # The Digital Family worklist: households with a member and nobody trained yet, in
            # the order it shows (outreach.selectors.family_worklist).
            models.Index(
                fields=["commune", "priority", "village_key", "code"],
                name="household_family_list",
                condition=models.Q(members_live__gt=0, members_trained=0, merged_into__isnull=True),
            ),
            # The door-to-door plan, in the order it shows (teams.selectors.team_plan_keys):
            # never visited first, then by priority, the longest ago, village name, code.
            models.Index(
                "commune",
                VISITED,
                "priority",
                "last_visit_at",  # null in the first group only: no NULLS FIRST needed
                "village_key",
                "code",
                "id",
                name="household_plan",
                condition=models.Q(members_live__gt=0, merged_into__isnull=True),
            ),
            # Households left with no live member (few): the family worklist's count from the
            # summaries leaves them out (outreach.selectors.families_kept_off).
            models.Index(
                fields=["commune", "village"],
                name="household_empty",
                condition=models.Q(members_live=0, merged_into__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Person(BaseModel):
    # No index of its own: ``person_commune_name_year`` leads with the commune (every query of
    # a commune's people, and the foreign key's checks, use it).
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("commune"),
        db_index=False,
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    search_key = models.CharField(_("search key"), max_length=150, editable=False)
    # A full date when known; otherwise only the year ("năm sinh"), which is common in lists.
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # Ethnicity and special needs are sensitive data (Law 91/2025): sealed at rest like the CCCD's
    # copy (core.crypto), read as plain values, never filtered on.
    ethnicity = SealedTextField(_("ethnicity"), purpose="ethnicity", choices=ETHNIC_GROUPS)
    # CCCD: never stored in plain text (see registry/cccd.py).
    # Unique through ``person_cccd_hash_unique`` (a constraint, not ``unique=True``: that adds a
    # second index for ``LIKE`` searches, and a hash is only ever looked up whole). NULL, not
    # "", for a person without a CCCD: many such rows, one unique constraint.
    cccd_hash = models.CharField(  # noqa: DJ001
        _("CCCD lookup hash"), max_length=64, null=True, blank=True, editable=False
    )
    cccd_ciphertext = models.TextField(_("CCCD (sealed)"), blank=True, default="", editable=False)
    cccd_last3 = models.CharField(
        _("last 3 digits of the CCCD"), max_length=3, blank=True, default="", editable=False
    )
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    occupation = models.CharField(
        _("occupation"), max_length=16, choices=Occupation.choices, blank=True
    )
    relationship = models.CharField(
        _("relationship to the head"), max_length=16, choices=Relationship.choices, blank=True
    )
    special_needs = SealedTextField(_("special needs"), purpose="special_needs")
    # Set when the person's data was erased (privacy.services.person_erase): the row stays,
    # anonymised, so that counts on dashboards do not change retroactively.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    # The person's decisions under the law, kept current by privacy.services (registry.purposes):
    # a restriction (read-only, off worklists), purposes objected to or whose consent was
    # withdrawn, purposes with a consent standing (NULL: none; bulk writers leave them out).
    restricted_at = models.DateTimeField(_("restricted at"), null=True, blank=True, editable=False)
    purposes_withheld = models.JSONField(
        _("purposes withheld"), null=True, blank=True, editable=False
    )
    purposes_consented = models.JSONField(
        _("purposes consented"), null=True, blank=True, editable=False
    )
    # A duplicate merged into another record (registry.services.merges): the row stays as a
    # tombstone pointing to the survivor, is counted nowhere and is undone by a split.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("merged into"),
    )

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        base_manager_name = "all_objects"
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            # Name search within a commune, and the duplicates worklist's join on name and year.
            models.Index(
                fields=["commune", "search_key", "birth_year"], name="person_commune_name_year"
            ),
            # The name key's own index, kept as it was (``db_index`` before, which also made a
            # ``LIKE 'x%'`` copy no search uses: names are searched anywhere in the key). No
            # query found reads it apart from the commune's composite: a candidate to drop,
            # measured first.
            models.Index(fields=["search_key"], name="person_search_key"),
            # The few people no worklist shows (erased or restricted) while the dashboards count
            # them: a worklist's count from the summaries takes them off (outreach.selectors).
            models.Index(
                fields=["commune"],
                name="person_kept_off",
                condition=models.Q(erased_at__isnull=False) | models.Q(restricted_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cccd_hash"], name="person_cccd_hash_unique"),
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1880),
                name="person_birth_year_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def cccd_masked(self) -> str:
        return masked(self.cccd_last3)

    @property
    def has_cccd(self) -> bool:
        return bool(self.cccd_hash)


class MergeReason(models.TextChoices):
    """Why two records were taken for one person (also the duplicates worklist's reasons)."""

    NAME_YEAR = "name_year", _("Same name and year of birth")
    NAME_PHONE = "name_phone", _("Same name and phone")
    NAME_VILLAGE = "name_village", _("Same name in the same village, one year of birth unknown")
    PHONE_YEAR = "phone_year", _("Same phone and year of birth")
    WALK_IN = "walk_in", _("Met again at registration")
    OFFICER = "officer", _("Found by an officer")


class PersonMerge(BaseModel):
    """Two records of one person made one: ``duplicate`` became a tombstone pointing to
    ``survivor``. ``moved`` holds, by provider and table, the ids of the rows moved to the
    survivor, and ``filled`` the survivor's empty fields filled from the duplicate, so that a
    split moves exactly them back. ``household_retired``: the duplicate's household was left
    without a member and was merged into the survivor's."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    survivor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("survivor")
    )
    duplicate = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("duplicate")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=MergeReason.choices)
    merged_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    moved = models.JSONField(_("records moved"), default=dict)
    kept = models.JSONField(_("values kept"), default=dict)
    filled = models.JSONField(_("fields filled"), default=list)
    household_retired = models.BooleanField(_("household retired"), default=False)
    split_at = models.DateTimeField(_("split at"), null=True, blank=True)
    split_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("split by"),
    )

    class Meta:
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of records")
        constraints = [
            # A duplicate is merged once at a time (a split reopens it).
            models.UniqueConstraint(
                fields=["duplicate"],
                condition=models.Q(split_at__isnull=True),
                name="personmerge_one_open_per_duplicate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"


class NotDuplicate(BaseModel):
    """A pair of the duplicates worklist an officer found to be two people (kept off the list).
    ``first`` is the smaller id."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    first = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("first person")
    )
    second = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("second person")
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("pair found to be two people")
        verbose_name_plural = _("pairs found to be two people")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="notduplicate_once")
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class Transfer(BaseModel):
    """A person or a household moved to another commune (or province). The audit row has the
    details; this row is what the two communes' pages list."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        HOUSEHOLD = "household", _("Household")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    from_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("from commune")
    )
    to_commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("to commune")
    )
    to_household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to household"),
    )
    moved_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved by"),
    )
    reason = models.CharField(_("reason"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("move to another commune")
        verbose_name_plural = _("moves to another commune")

    def __str__(self) -> str:
        return f"{self.kind} {self.from_commune_id} → {self.to_commune_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    NEEDS_CONFIRMATION = "needs_confirmation", _("Villages to confirm")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(BaseModel):
    """One upload of a commune's resident list, processed in the background.

    The file is kept in the database (so a worker on another machine can read it, on SQLite and
    PostgreSQL alike) until the job is done; the rejected rows stay for the officer to download.
    """

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("commune")
    )
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    filename = models.CharField(_("filename"), max_length=255)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    # The uploaded file, encrypted (registry.cccd.seal); emptied when the job is done.
    data = models.BinaryField(_("uploaded file (sealed)"), editable=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    create_villages = models.BooleanField(_("create villages"), default=False)
    # Village names of the file that did not exist: name → "create" | village id | "reject".
    village_decisions = models.JSONField(_("village decisions"), default=dict, blank=True)
    new_villages = models.JSONField(_("new villages"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=ImportStatus.choices, default="queued"
    )
    total = models.PositiveIntegerField(_("rows in all"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    read = models.PositiveIntegerField(_("rows read"), default=0)
    inserted = models.PositiveIntegerField(_("rows added"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    unknown_columns = models.JSONField(_("unknown columns"), default=list, blank=True)
    # The rejected rows [{row, code, field, message, original: [...]}] as sealed JSON: the original
    # cells hold CCCDs, which are never stored in plain text.
    rejects_sealed = models.BinaryField(_("rejected rows (sealed)"), editable=False, default=b"")
    header = models.JSONField(_("header row"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class UnitTransferStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class UnitTransfer(BaseModel):
    """A retired commune's villages, households and people moving to its successor, by a
    background job, one village (or batch of households) per transaction. ``total`` / ``done``:
    households; ``renamed``: names and codes that clashed in the successor and were suffixed
    [{"kind", "id", "old", "new"}]."""

    retired = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("retired commune")
    )
    successor = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("successor")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=UnitTransferStatus.choices,
        default=UnitTransferStatus.QUEUED,
    )
    total = models.PositiveIntegerField(_("items in all"), default=0)
    done = models.PositiveIntegerField(_("items done"), default=0)
    villages = models.PositiveIntegerField(_("villages moved"), default=0)
    persons = models.PositiveIntegerField(_("people moved"), default=0)
    renamed = models.JSONField(_("villages renamed"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("move of a retired unit's registry")
        verbose_name_plural = _("moves of retired units' registries")
        constraints = [
            models.UniqueConstraint(fields=["retired", "successor"], name="unittransfer_once")
        ]

    def __str__(self) -> str:
        return f"{self.retired_id} → {self.successor_id} ({self.status})"
