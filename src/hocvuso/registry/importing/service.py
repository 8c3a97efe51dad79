"""The bulk registry import: a commune's resident list in, every row accounted for.

Every row read ends as exactly one of *inserted*, *updated*, *unchanged* or *rejected*; the four
counts add up to the rows read. The work is set-based: the file is parsed and validated in memory
(no database access per row), existing households and people are fetched with one query per batch,
and the writes go out as COPY (PostgreSQL) or one ``executemany`` (SQLite) per table, all in one
transaction. Importing the same file twice changes nothing the second time: people are matched by
CCCD hash, else by household + name + year of birth.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.access import ensure_commune
from hocvuso.core.errors import DomainError, ErrorCode
from hocvuso.core.ids import uuid7
from hocvuso.core.services import audit_record
from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Village
from hocvuso.geo.services import village_create
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.importing.reader import read_table
from hocvuso.registry.importing.rows import ParsedPerson, RowError, parse_rows
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_search_key

BATCH = 5000
# Fields compared and written for a person; an empty cell never erases a stored value.
PERSON_DATA_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "sex",
    "ethnicity",
    "phone",
    "occupation",
    "relationship",
    "special_needs",
)
Progress = Callable[[int, int], None]


@dataclass
class Reject:
    row: int
    code: str
    field: str | None
    message: str
    original: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "code": str(self.code),
            "field": self.field,
            "message": str(self.message),
            "original": self.original,
        }


@dataclass
class ImportOutcome:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    new_villages: list[str] = field(default_factory=list)
    needs_confirmation: bool = False
    unknown_columns: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    households_created: int = 0
    villages_created: int = 0

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    @property
    def balanced(self) -> bool:
        return self.inserted + self.updated + self.unchanged + self.rejected == self.read


@dataclass
class _Row:
    parsed: ParsedPerson
    name_key: str = ""
    cccd_hash: str | None = None
    household_key: str = ""  # household code
    village_id: Any = None


def _village_aliases(villages: Iterable[Village]) -> dict[str, Village]:
    """Folded name → village, also without its kind word ("Đông" finds "Thôn Đông")."""
    out: dict[str, Village] = {}
    for v in villages:
        out.setdefault(v.search_key, v)
        for prefix in ("thon ", "to dan pho ", "to ", "ap ", "ban ", "buon ", "khom ", "khu pho "):
            if v.search_key.startswith(prefix):
                out.setdefault(v.search_key[len(prefix) :], v)
    return out


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def registry_import(
    *,
    actor: Any,
    commune: Commune,
    data: bytes,
    filename: str,
    sheet: str | None = None,
    dry_run: bool = False,
    create_villages: bool = False,
    village_decisions: dict[str, str] | None = None,
    stop_for_villages: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import a resident list into ``commune``.

    Villages named in the file that do not exist are created only with ``create_villages`` or a
    ``village_decisions[name] == "create"``; a decision may also map the name to an existing
    village's id, or ``"reject"`` its rows. Undecided unknown villages either stop the import
    before any write (``stop_for_villages``, the web flow asks the officer) or reject their rows
    with ``unknown_village`` (the command line without ``--create-villages``).
    """
    ensure_commune(actor, commune.code)
    table = read_table(data, filename=filename, sheet=sheet)
    outcome = ImportOutcome(unknown_columns=list(table.unknown_columns), header=list(table.header))
    total = table.total
    report = progress or (lambda done, total: None)
    report(0, total)

    rows: list[_Row] = []
    for item in parse_rows(table):
        outcome.read += 1
        if isinstance(item, RowError):
            outcome.rejects.append(
                Reject(item.number, item.code, item.field, item.message, item.original)
            )
        else:
            rows.append(_Row(parsed=item))
    report(outcome.read // 4, total)

    # --- Villages --------------------------------------------------------------------------
    vkey = lru_cache(maxsize=4096)(fold)  # a file names a few villages many times
    decisions = dict(village_decisions or {})
    existing_villages = list(Village.objects.filter(commune=commune))
    aliases = _village_aliases(existing_villages)
    by_id = {str(v.pk): v for v in existing_villages}
    unknown: dict[str, str] = {}  # folded → name as written first
    for r in rows:
        name = r.parsed.village
        if name and vkey(name) not in aliases:
            unknown.setdefault(vkey(name), name)
    undecided = [name for name in unknown.values() if not create_villages and name not in decisions]
    outcome.new_villages = sorted(unknown.values())
    if undecided and stop_for_villages:
        outcome.needs_confirmation = True
        outcome.new_villages = sorted(undecided)
        return outcome
    to_create: list[str] = []
    rejected_villages: set[str] = set()
    for key, name in unknown.items():
        decision = "create" if create_villages else decisions.get(name, "reject")
        if decision == "create":
            to_create.append(name)
        elif decision in by_id:
            aliases[key] = by_id[decision]
        else:
            rejected_villages.add(key)

    # --- Per-row checks that need no database: CCCD consistency, duplicates in the file -------
    seen_hash: dict[str, int] = {}
    # Same household, name and year: the same person, unless both rows carry different CCCDs.
    seen_identity: dict[tuple[str, str, int | None], tuple[int, str | None]] = {}
    kept: list[_Row] = []
    for r in rows:
        p = r.parsed
        try:
            if p.village and vkey(p.village) in rejected_villages:
                raise DomainError(
                    ErrorCode.UNKNOWN_VILLAGE,
                    _("The village “%(name)s” does not exist in this commune.")
                    % {"name": p.village},
                    "village",
                )
            if p.cccd:
                cccd_lib.validate(p.cccd, sex=p.sex, birth_year=p.birth_year)
                r.cccd_hash = cccd_lib.lookup_hash(p.cccd)
                if r.cccd_hash in seen_hash:
                    raise DomainError(
                        ErrorCode.DUPLICATE_IN_FILE,
                        _("This CCCD is already on row %(row)s of this file.")
                        % {"row": seen_hash[r.cccd_hash]},
                        "cccd",
                    )
            r.name_key = fold(p.full_name)
            identity = (p.household_code, r.name_key, p.birth_year)
            earlier = seen_identity.get(identity)
            if earlier is not None and (earlier[1] is None or r.cccd_hash is None):
                raise DomainError(
                    ErrorCode.DUPLICATE_IN_FILE,
                    _("The same person is already on row %(row)s of this file.")
                    % {"row": earlier[0]},
                    "full_name",
                )
        except DomainError as exc:
            outcome.rejects.append(Reject(p.number, exc.code, exc.field, exc.message, p.original))
            continue
        if r.cccd_hash:
            seen_hash[r.cccd_hash] = p.number
        seen_identity.setdefault(identity, (p.number, r.cccd_hash))
        r.household_key = p.household_code
        kept.append(r)
    report(outcome.read // 2, total)

    # --- Match against the database: one query per batch ----------------------------------------
    # The commune's people in one pass (they are what a re-import matches), then the remaining
    # hashes nationwide, one query per batch, to find people registered in another commune.
    wanted = ["id", "commune_id", "household_id", "cccd_hash", "search_key", *PERSON_DATA_FIELDS]
    existing_by_hash: dict[str, dict[str, Any]] = {}
    existing_by_identity: dict[tuple[Any, str, int | None], dict[str, Any]] = {}
    for values in Person.objects.filter(commune=commune).values(*wanted).iterator(BATCH):
        existing_by_identity.setdefault(
            (values["household_id"], values["search_key"], values["birth_year"]), values
        )
        if values["cccd_hash"]:
            existing_by_hash[values["cccd_hash"]] = values
    elsewhere = [r.cccd_hash for r in kept if r.cccd_hash and r.cccd_hash not in existing_by_hash]
    for chunk in _chunks(elsewhere):
        for values in Person.objects.filter(cccd_hash__in=chunk).values(*wanted):
            existing_by_hash[values["cccd_hash"]] = values
    households: dict[str, dict[str, Any]] = {
        h["code"]: dict(h)
        for h in Household.objects.filter(commune=commune).values(
            "id", "code", "village_id", "address", "head_id"
        )
    }

    # --- Decide: insert, update or unchanged ----------------------------------------------------
    now = timezone.now()
    new_households: dict[str, _NewHousehold] = {}
    household_updates: dict[Any, dict[str, Any]] = {}
    head_for: dict[Any, Any] = {}
    inserts: list[_NewPerson] = []
    updates: list[tuple[dict[str, Any], dict[str, Any], _Row]] = []

    def village_for(name: str) -> Any:
        if not name:
            return None
        v = aliases.get(vkey(name))
        return v.pk if v is not None else ("new", vkey(name))

    for r in kept:
        p = r.parsed
        found = existing_by_hash.get(r.cccd_hash) if r.cccd_hash else None
        if found is not None and found["commune_id"] != commune.code:
            outcome.rejects.append(
                Reject(
                    p.number,
                    ErrorCode.CCCD_OTHER_COMMUNE,
                    "cccd",
                    _(
                        "This CCCD is registered in another commune: the person may have moved, "
                        "or this is a duplicate. Ask the other commune before moving them."
                    ),
                    p.original,
                )
            )
            continue
        village = village_for(p.village)
        hh = households.get(p.household_code)
        if hh is None:
            new = new_households.get(p.household_code)
            if new is None:
                new = _NewHousehold(uuid7(), p.household_code, p.address, village)
                new_households[p.household_code] = new
            household_id = new.id
        else:
            household_id = hh["id"]
            change = household_updates.setdefault(household_id, {})
            if village is not None and village != hh["village_id"] and "village" not in change:
                change["village"] = village
            if p.address and p.address != hh["address"] and "address" not in change:
                change["address"] = p.address
        if found is None:
            candidate = existing_by_identity.get((household_id, r.name_key, p.birth_year))
            if candidate is not None and (
                not r.cccd_hash or not candidate["cccd_hash"]
            ):  # a different CCCD means a different person
                found = candidate
        if p.relationship == "head":
            head_for.setdefault(household_id, None)
        if found is None:
            person_id = uuid7()
            inserts.append(
                _NewPerson(
                    [
                        person_id,
                        now,
                        now,
                        commune.code,
                        household_id,
                        p.full_name,
                        r.name_key,
                        p.birth_date,
                        p.birth_year,
                        p.sex,
                        p.ethnicity,
                        r.cccd_hash,
                        "",  # cccd_ciphertext, sealed at write time
                        "",  # cccd_last3
                        p.phone,
                        p.occupation,
                        p.relationship,
                        p.special_needs,
                    ],
                    p.cccd,
                )
            )
            if p.relationship == "head" and head_for.get(household_id) is None:
                head_for[household_id] = person_id
            continue
        change = {}
        for name in PERSON_DATA_FIELDS:
            value = getattr(p, name)
            if value not in ("", None) and value != found[name]:
                change[name] = value
        if "birth_year" in change and "birth_date" not in change and found["birth_date"]:
            change["birth_date"] = None  # a corrected year invalidates the old full date
        if found["household_id"] != household_id:
            change["household_id"] = household_id
        if r.cccd_hash and not found["cccd_hash"]:
            change["cccd"] = p.cccd
        if p.relationship == "head" and head_for.get(household_id) is None:
            head_for[household_id] = found["id"]
        if change:
            updates.append((found, change, r))
        else:
            outcome.unchanged += 1
    outcome.inserted = len(inserts)
    outcome.updated = len(updates)
    report(outcome.read * 3 // 4, total)

    if dry_run:
        outcome.households_created = len(new_households)
        outcome.villages_created = len(to_create)
        report(total, total)
        return outcome

    # --- Write, all in one transaction ----------------------------------------------------------
    with transaction.atomic():
        for name in to_create:
            v = village_create(actor=actor, commune=commune, name=name)
            aliases[fold(name)] = v
            outcome.villages_created += 1

        def resolve(village: Any) -> Any:
            if isinstance(village, tuple):
                return aliases[village[1]].pk
            return village

        # Each new household's head is inserted just below, in the same transaction: foreign
        # keys are checked at commit on both databases, so no second pass over the households.
        write_rows(
            Household,
            HOUSEHOLD_COLUMNS,
            (
                (
                    h.id,
                    now,
                    now,
                    commune.code,
                    resolve(h.village),
                    h.code,
                    h.address,
                    head_for.get(h.id),
                    household_search_key(h.code, h.address),
                )
                for h in new_households.values()
            ),
        )
        outcome.households_created = len(new_households)

        _insert_persons(inserts)

        _update_households(household_updates, households, resolve)
        _update_persons(updates, now)
        _set_heads(head_for, households)
        audit_record(
            actor=actor,
            action="registry.import",
            obj=commune,
            changes={
                "filename": filename,
                **outcome.counts(),
                "households_created": outcome.households_created,
                "villages_created": outcome.villages_created,
            },
        )
    report(total, total)
    return outcome


HOUSEHOLD_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "commune_id",
    "village_id",
    "code",
    "address",
    "head_id",
    "search_key",
]
PERSON_COLUMNS = [
    "id",
    "created_at",
    "updated_at",
    "commune_id",
    "household_id",
    "full_name",
    "search_key",
    "birth_date",
    "birth_year",
    "sex",
    "ethnicity",
    "cccd_hash",
    "cccd_ciphertext",
    "cccd_last3",
    "phone",
    "occupation",
    "relationship",
    "special_needs",
]


@dataclass(slots=True)
class _NewHousehold:
    id: uuid.UUID
    code: str
    address: str
    village: Any  # a village id, ("new", folded name) until created, or None


@dataclass(slots=True)
class _NewPerson:
    """A row to insert, in ``PERSON_COLUMNS`` order, and its plain CCCD until it is sealed."""

    values: list[Any]
    cccd: str


def person_rows(persons: list[_NewPerson]) -> Iterator[list[Any]]:
    """Database-ready rows; a CCCD is sealed here and the plain number dropped."""
    for p in persons:
        if p.cccd:
            protected = cccd_lib.protect(p.cccd, hash_=p.values[11])
            p.values[12], p.values[13] = protected.ciphertext, protected.last3
            p.cccd = ""
        yield p.values


def write_rows(model: type[models.Model], columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
    """The raw write of ready rows: COPY on PostgreSQL, one ``executemany`` on SQLite.

    ``columns`` are database column names of ``model``. Returns the number of rows written.
    """
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            count = 0
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        # SQLite: convert UUIDs, datetimes and dates the way Django stores them, column-wise.
        fields = {f.column: f for f in model._meta.concrete_fields}
        convert: list[Callable[[Any], Any] | None] = []
        for column in columns:
            field = fields[column]
            target = getattr(field, "target_field", field) if field.is_relation else field
            if isinstance(target, models.UUIDField):
                convert.append(lambda v: v.hex if v is not None else None)
            elif isinstance(target, models.DateTimeField):
                convert.append(connection.ops.adapt_datetimefield_value)
            elif isinstance(target, models.DateField):
                convert.append(lambda v: v.isoformat() if v is not None else None)
            else:
                convert.append(None)
        pairs = [(i, f) for i, f in enumerate(convert) if f is not None]
        prepared = []
        for row in rows:
            r = list(row)
            for i, f in pairs:
                r[i] = f(r[i])
            prepared.append(r)
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608
        return len(prepared)


def write_person_rows(rows: Iterable[Sequence[Any]]) -> int:
    return write_rows(Person, PERSON_COLUMNS, rows)


def _insert_persons(persons: list[_NewPerson]) -> None:
    if persons:
        write_person_rows(person_rows(persons))


def _update_households(
    household_updates: dict[Any, dict[str, Any]],
    households: dict[str, dict[str, Any]],
    resolve: Callable[[Any], Any],
) -> None:
    by_id = {h["id"]: h for h in households.values()}
    now = timezone.now()
    objs = []
    for household_id, change in household_updates.items():
        if not change:
            continue
        current = by_id[household_id]
        h = Household(id=household_id, code=current["code"])
        h.village_id = resolve(change.get("village", current["village_id"]))
        h.address = change.get("address", current["address"])
        h.search_key = household_search_key(h.code, h.address)
        h.updated_at = now
        objs.append(h)
    if objs:
        Household.objects.bulk_update(
            objs, ["village_id", "address", "search_key", "updated_at"], batch_size=1000
        )


def _update_persons(
    updates: list[tuple[dict[str, Any], dict[str, Any], _Row]], now: dt.datetime
) -> None:
    """One UPDATE per batch and per set of changed columns."""
    groups: dict[tuple[str, ...], list[Person]] = {}
    for found, change, r in updates:
        person = Person(id=found["id"])
        for name, value in change.items():
            if name == "cccd":
                protected = cccd_lib.protect(value, hash_=r.cccd_hash)
                person.cccd_hash = r.cccd_hash
                person.cccd_ciphertext, person.cccd_last3 = protected.ciphertext, protected.last3
            else:
                setattr(person, name, value)
        columns = sorted(
            {"cccd_hash", "cccd_ciphertext", "cccd_last3"} if "cccd" in change else set()
        )
        columns += sorted(k for k in change if k != "cccd")
        if "full_name" in change:
            person.search_key = fold(change["full_name"])
            columns.append("search_key")
        person.updated_at = now
        groups.setdefault(tuple([*columns, "updated_at"]), []).append(person)
    for fields, persons in groups.items():
        Person.objects.bulk_update(persons, list(fields), batch_size=1000)


def _set_heads(head_for: dict[Any, Any], households: dict[str, dict[str, Any]]) -> None:
    """An existing household without a head gets the member the file names as head."""
    current = {h["id"]: h["head_id"] for h in households.values()}
    objs = []
    for household_id, person_id in head_for.items():
        if person_id is None or household_id not in current or current[household_id] is not None:
            continue
        h = Household(id=household_id, head_id=person_id)
        objs.append(h)
    if objs:
        Household.objects.bulk_update(objs, ["head_id"], batch_size=1000)


def rejects_csv(header: list[str], rejects: list[dict[str, Any]]) -> bytes:
    """The rejected rows as the officer sent them, with row number, error code and reason first.

    UTF-8 with a BOM so Excel opens the Vietnamese text correctly; the CCCD column stays text.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Error code"), _("Reason"), *header])
    for r in sorted(rejects, key=lambda r: r["row"]):
        writer.writerow([r["row"], r["code"], r["message"], *r["original"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
