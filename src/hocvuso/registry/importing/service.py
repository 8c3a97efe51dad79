"""The bulk registry import: a commune's resident list in, every row accounted for.

Every row read ends as exactly one of *inserted*, *updated*, *unchanged* or *rejected*; the four
counts add up to the rows read. The work is set-based: the file is parsed and validated in memory
(no database access per row), existing households and people are fetched with one query per batch,
and the writes go out as COPY (PostgreSQL) or one ``executemany`` (SQLite) per table, all in one
transaction. Importing the same file twice changes nothing the second time: people are matched by
CCCD hash, else by household + name + year of birth.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.units import ensure_commune
from hocvuso.core import crypto, hooks
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.bulk import copy_in
from hocvuso.core.crypto import SealedTextField
from hocvuso.core.errors import DomainError
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditItem, AuditLog
from hocvuso.core.sheets import SafeWriter
from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Village
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.ages import ELDERLY_AGE, latest_birth_year
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing import cells, sealing
from hocvuso.registry.importing.reader import SourceTable, read_table
from hocvuso.registry.importing.rows import ParsedPerson, RowError, parse_rows
from hocvuso.registry.models import Household, Person, village_sort_key
from hocvuso.registry.priority import priority_of
from hocvuso.registry.services import household_search_key, village_create

BATCH = 5000


def _sealers() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """The COPY path writes columns as stored: ethnicity and special needs sealed as their
    fields would seal them, with ciphers bound once for the import (the keys of the moment)."""
    ethnicity, needs = (
        cast(SealedTextField, Person._meta.get_field(name)).purpose
        for name in ("ethnicity", "special_needs")
    )
    return crypto.sealer(ethnicity), crypto.sealer(needs)


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


@dataclass(slots=True)
class _Row:
    parsed: ParsedPerson
    name_key: str = ""
    cccd_hash: str | None = None


def _village_aliases(villages: Iterable[Village]) -> dict[str, Village]:
    """Folded name → village, also without its kind word ("Đông" finds "Thôn Đông")."""
    out: dict[str, Village] = {}
    for v in villages:
        out.setdefault(v.search_key, v)
        for prefix in ("thon ", "to dan pho ", "to ", "ap ", "ban ", "buon ", "khom ", "khu pho "):
            if v.search_key.startswith(prefix):
                out.setdefault(v.search_key[len(prefix) :], v)
    return out


def _chunks(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
    ensure_commune(actor, commune.code, write=True)
    with _no_cyclic_gc():
        return _run(
            actor=actor,
            commune=commune,
            data=data,
            filename=filename,
            sheet=sheet,
            dry_run=dry_run,
            create_villages=create_villages,
            village_decisions=village_decisions,
            stop_for_villages=stop_for_villages,
            progress=progress,
        )


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """An import allocates millions of small objects and frees none of them in cycles; Python's
    cyclic collector would rescan them all again and again (time growing with the square of the
    file). It is paused for the import and run once after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(
    *,
    actor: Any,
    commune: Commune,
    data: bytes,
    filename: str,
    sheet: str | None,
    dry_run: bool,
    create_villages: bool,
    village_decisions: dict[str, str] | None,
    stop_for_villages: bool,
    progress: Progress | None,
) -> ImportOutcome:
    table = read_table(data, filename=filename, sheet=sheet)
    if table.total == 0:
        raise DomainError(
            RegistryError.NO_ROWS,
            _("The file has a header row but no rows of people under it: nothing was imported."),
        )
    job = _Import(
        actor=actor,
        commune=commune,
        table=table,
        dry_run=dry_run,
        report=progress or (lambda done, total: None),
    )
    if not job.plan_villages(
        create_villages=create_villages,
        decisions=dict(village_decisions or {}),
        stop_for_villages=stop_for_villages,
    ):
        return job.outcome
    if not dry_run and table.total >= sealing.MIN_ROWS:
        job.protector = sealing.Protector(
            table, seal_ethnicity=job.seal_ethnicity, seal_needs=job.seal_needs
        )
    try:
        return _finish(job, table, dry_run=dry_run, filename=filename)
    finally:
        job.close()


def _finish(job: _Import, table: SourceTable, *, dry_run: bool, filename: str) -> ImportOutcome:
    job.load_existing()
    if dry_run:
        job.outcome.inserted = sum(1 for _ in job.decided_rows())
        job.outcome.updated = len(job.updates)
        job.outcome.households_created = len(job.new_households)
        job.outcome.villages_created = len(job.to_create)
    else:
        job.write(filename)
    job.report(table.total, table.total)
    return job.outcome


class _Import:
    """One run of the import. The stages, in order:

    1. ``plan_villages``: the village names of the file against the commune's villages;
    2. ``load_existing``: the commune's households and people, one query per batch;
    3. ``decided_rows``: a generator that parses, checks and decides the rows and yields the ones
       to insert. When writing, it feeds COPY directly, so the database inserts on one core while
       Python parses the next rows on the other. It runs no query (the connection is busy with
       the COPY): everything it needs was loaded in stage 2;
    4. ``write``: all of it in one transaction: villages, people (streamed), households, updates,
       heads, the audit row.
    """

    def __init__(
        self, *, actor: Any, commune: Commune, table: SourceTable, dry_run: bool, report: Progress
    ) -> None:
        self.actor, self.commune, self.table, self.dry_run = actor, commune, table, dry_run
        self.total = table.total
        self.report = report
        self.outcome = ImportOutcome(
            unknown_columns=list(table.unknown_columns), header=list(table.header)
        )
        self.vkey = lru_cache(maxsize=4096)(fold)  # a file names a few villages many times
        self.now = timezone.now()
        self.aliases: dict[str, Village] = {}
        self.to_create: list[str] = []
        self.rejected_villages: set[str] = set()
        self.existing_by_hash: dict[str, dict[str, Any]] = {}
        self.existing_by_identity: dict[tuple[Any, str, int | None], dict[str, Any]] = {}
        self.households: dict[str, dict[str, Any]] = {}
        self.new_households: dict[str, _NewHousehold] = {}
        self.household_updates: dict[Any, dict[str, Any]] = {}
        # Existing households whose members or facts the import changes: their list facts are
        # recounted after the write (the new households' are counted here, row by row).
        self.touched: set[Any] = set()
        # Born in this year or before: aged 60+ this year (registry.ages), elderly.
        self.elderly_born = latest_birth_year(ELDERLY_AGE, timezone.localdate(self.now).year)
        self.head_for: dict[Any, Any] = {}
        self.updates: list[tuple[dict[str, Any], dict[str, Any], _Row]] = []
        self.created_ids: list[uuid.UUID] = []
        self.hash_of: dict[str, str] = {}  # CCCD → keyed hash, computed once
        self.looked_up: set[str] = set()  # hashes already looked up nationwide
        # A large file's CCCDs, ethnicities and needs are protected in a second process.
        self.protector: sealing.Protector | None = None
        self.seal_ethnicity, self.seal_needs = _sealers()
        # A large file's CCCD look-ups on PostgreSQL: a thread with its own connection.
        self.lookups: ThreadPoolExecutor | None = None
        self.pending: dict[int, Future[list[dict[str, Any]]]] = {}
        self.lookup_db: BaseDatabaseWrapper | None = None
        self.seen_hash: dict[str, int] = {}
        # Same household, name and year: the same person, unless both rows carry different CCCDs.
        self.seen_identity: dict[tuple[str, str, int | None], tuple[int, str | None]] = {}
        report(0, self.total)

    # --- 1. villages ---------------------------------------------------------------------------
    def plan_villages(
        self, *, create_villages: bool, decisions: dict[str, str], stop_for_villages: bool
    ) -> bool:
        """Decide what to do with village names the commune lacks. False: stop, nothing written."""
        existing = list(Village.objects.filter(commune=self.commune))
        self.aliases = _village_aliases(existing)
        by_id = {str(v.pk): v for v in existing}
        unknown: dict[str, str] = {}  # folded → name as first written
        seen: set[Any] = set()  # a file names a few villages many times: each looked at once
        for row in self.table.rows:
            raw = row.values.get("village")
            if raw in (None, "") or (raw.__class__ is str and raw in seen):
                continue
            if raw.__class__ is str:
                seen.add(raw)
            name = cells.text(raw)
            if name and self.vkey(name) not in self.aliases:
                unknown.setdefault(self.vkey(name), name)
        undecided = [n for n in unknown.values() if not create_villages and n not in decisions]
        self.outcome.new_villages = sorted(unknown.values())
        if undecided and stop_for_villages:
            self.outcome.needs_confirmation = True
            self.outcome.new_villages = sorted(undecided)
            return False
        for key, name in unknown.items():
            decision = "create" if create_villages else decisions.get(name, "reject")
            if decision == "create":
                self.to_create.append(name)
            elif decision in by_id:
                self.aliases[key] = by_id[decision]
            else:
                self.rejected_villages.add(key)
        return True

    # --- 2. what the commune already has ---------------------------------------------------------
    def load_existing(self) -> None:
        live: dict[Any, dict[str, Any]] = {}
        for values in Person.objects.filter(commune=self.commune).values(*_WANTED).iterator(BATCH):
            live[values["id"]] = values
            self.existing_by_identity.setdefault(
                (values["household_id"], values["search_key"], values["birth_year"]), values
            )
            if values["cccd_hash"]:
                self.existing_by_hash[values["cccd_hash"]] = values
        self._through_merges(live)
        # Every CCCD of the file looked up nationwide before its row is decided: a large file's
        # batch by batch as its hashes come from the protecting process (``_look_up``), a small
        # file's at once here, hashed in a light pre-pass.
        if self.protector is None:
            for row in self.table.rows:
                # An unreadable CCCD is rejected with its reason when the row is parsed.
                number = sealing.row_cccd(row.values, row.text_cells)
                if number and number not in self.hash_of:
                    self.hash_of[number] = cccd_lib.lookup_hash(number)
            self._find_elsewhere(set(self.hash_of.values()), connection)
        self.households = {
            h["code"]: dict(h)
            for h in Household.objects.filter(commune=self.commune).values(
                "id", "code", "village_id", "address", "head_id"
            )
        }
        # A household merged into another keeps its code: the list's rows of that code go to
        # the surviving household.
        by_id = {h["id"]: h for h in self.households.values()}
        for code, survivor_id in Household.all_objects.filter(
            commune=self.commune, merged_into__isnull=False
        ).values_list("code", "merged_into_id"):
            if survivor_id in by_id:
                self.households.setdefault(code, by_id[survivor_id])
        self.report(self.total // 10, self.total)

    def _find_elsewhere(self, hashes: Iterable[str | None], db: BaseDatabaseWrapper) -> None:
        """The people of other communes holding these CCCD hashes: one query per batch."""
        for values in _people_by_hash(self._not_looked_up(hashes), db):
            self.existing_by_hash[values["cccd_hash"]] = values

    def _look_up(self, start: int, stop: int) -> None:
        """A large file's rows ``start``–``stop``: their CCCDs looked up nationwide before they
        are decided. On PostgreSQL the main connection is busy with the streamed COPY, so a
        second connection asks, from a thread, one batch ahead of the rows being decided (it
        sees what the main one would: the committed records of other communes; this file's own
        rows are checked against each other in memory)."""
        assert self.protector is not None
        if connection.vendor != "postgresql":
            self._find_elsewhere(self.protector.hashes(start, stop), connection)
            return
        if self.lookups is None:
            self.lookups = ThreadPoolExecutor(1, thread_name_prefix="hocvuso-import-lookup")
        size = stop - start
        for begin in (start, stop):  # this batch (unless asked already) and the next one
            end = min(begin + size, self.total)
            if begin < end and begin not in self.pending:
                asked = self._not_looked_up(self.protector.hashes(begin, end))
                self.pending[begin] = self.lookups.submit(self._ask_elsewhere, asked)
        for values in self.pending.pop(start).result():
            self.existing_by_hash[values["cccd_hash"]] = values

    def _not_looked_up(self, hashes: Iterable[str | None]) -> list[str]:
        elsewhere = [h for h in hashes if h is not None and h not in self.looked_up]
        self.looked_up.update(elsewhere)
        return [h for h in elsewhere if h not in self.existing_by_hash]

    def _ask_elsewhere(self, hashes: list[str]) -> list[dict[str, Any]]:
        """In the look-up thread, over its own connection."""
        if self.lookup_db is None:
            self.lookup_db = connections.create_connection(DEFAULT_DB_ALIAS)
        return _people_by_hash(hashes, self.lookup_db)

    def close(self) -> None:
        if self.protector is not None:
            self.protector.close()
        if self.lookups is not None:
            for future in self.pending.values():
                future.cancel()
            if self.lookup_db is not None:
                self.lookups.submit(self.lookup_db.close).result()
            self.lookups.shutdown(wait=True)

    def _through_merges(self, live: dict[Any, dict[str, Any]]) -> None:
        """A row naming a record merged into another (a household, name and year of birth of
        the commune's tombstones) is the surviving person: importing the list again must not
        bring the duplicate back. (A tombstone holds no CCCD: a merge moves it to the survivor.)"""
        merged = {
            t["id"]: t
            for t in Person.all_objects.filter(
                commune=self.commune, merged_into__isnull=False
            ).values("id", "household_id", "search_key", "birth_year", "merged_into_id")
        }
        for tomb in merged.values():
            target, hops = tomb["merged_into_id"], 0
            while target in merged and hops < len(merged):  # merged again since
                target, hops = merged[target]["merged_into_id"], hops + 1
            survivor = live.get(target)
            if survivor is not None:  # not when the survivor lives in another commune now
                key = (tomb["household_id"], tomb["search_key"], tomb["birth_year"])
                self.existing_by_identity.setdefault(key, survivor)

    # --- 3. parse, check, decide ------------------------------------------------------------------
    def decided_rows(self) -> Iterator[list[Any]]:
        """Rows to insert, in ``PERSON_COLUMNS`` order, chunk by chunk; everything else recorded."""
        start = 0
        for chunk in _chunks(parse_rows(self.table), BATCH):
            if self.protector is not None:
                self._look_up(start, start + len(chunk))
            start += len(chunk)
            kept = []
            for item in chunk:
                self.outcome.read += 1
                if isinstance(item, RowError):
                    self._reject(item.number, item.code, item.field, item.message, item.original)
                    continue
                r = self._check(item)
                if r is not None:
                    kept.append(r)
            for r in kept:
                row = self._decide(r)
                if row is not None:
                    yield row

    def _reject(
        self, number: int, code: str, field: str | None, message: str, original: list[str]
    ) -> None:
        self.outcome.rejects.append(Reject(number, code, field, message, original))

    def _check(self, p: ParsedPerson) -> _Row | None:
        """Checks that need no database: village, CCCD consistency, duplicates in the file."""
        r = _Row(parsed=p)
        try:
            if (
                self.rejected_villages
                and p.village
                and self.vkey(p.village) in self.rejected_villages
            ):
                raise DomainError(
                    RegistryError.UNKNOWN_VILLAGE,
                    _("The village “%(name)s” does not exist in this commune.")
                    % {"name": p.village},
                    "village",
                )
            if p.cccd:
                cccd_lib.validate(p.cccd, sex=p.sex, birth_year=p.birth_year)
                r.cccd_hash = self._hash(p)
                if r.cccd_hash in self.seen_hash:
                    raise DomainError(
                        RegistryError.DUPLICATE_IN_FILE,
                        _("This CCCD is already on row %(row)s of this file.")
                        % {"row": self.seen_hash[r.cccd_hash]},
                        "cccd",
                    )
            r.name_key = fold(p.full_name)
            identity = (p.household_code, r.name_key, p.birth_year)
            earlier = self.seen_identity.get(identity)
            if earlier is not None and (earlier[1] is None or r.cccd_hash is None):
                raise DomainError(
                    RegistryError.DUPLICATE_IN_FILE,
                    _("The same person is already on row %(row)s of this file.")
                    % {"row": earlier[0]},
                    "full_name",
                )
        except DomainError as exc:
            self._reject(p.number, exc.code, exc.field, exc.message, p.original)
            return None
        if r.cccd_hash:
            self.seen_hash[r.cccd_hash] = p.number
        self.seen_identity.setdefault(identity, (p.number, r.cccd_hash))
        return r

    def _hash(self, p: ParsedPerson) -> str:
        if self.protector is not None:
            hash_ = self.protector.hash(p.source.index)
            if hash_ is None:
                raise sealing.SealingFailed(f"row {p.number}: no hash for its CCCD")
            return hash_
        return self.hash_of.get(p.cccd) or cccd_lib.lookup_hash(p.cccd)

    def _protected(self, p: ParsedPerson, hash_: str | None) -> tuple[str, str, str, str]:
        """The row's (CCCD ciphertext, last 3 digits, sealed ethnicity, sealed needs)."""
        if self.protector is not None:
            sealed = self.protector.sealed(p.source.index)
            if sealed is None or sealed[1] != p.cccd[-3:]:
                raise sealing.SealingFailed(f"row {p.number}: protected cells do not match")
            return sealed
        ciphertext = last3 = ""
        if p.cccd and not self.dry_run:
            protected = cccd_lib.protect(p.cccd, hash_=hash_)
            ciphertext, last3 = protected.ciphertext, protected.last3
        return ciphertext, last3, self.seal_ethnicity(p.ethnicity), self.seal_needs(p.special_needs)

    def _village_for(self, name: str) -> Any:
        if not name:
            return None
        v = self.aliases.get(self.vkey(name))
        return v.pk if v is not None else ("new", self.vkey(name))

    def _household_id(self, p: ParsedPerson) -> Any:
        new = self.new_households.get(p.household_code)
        if new is not None:  # a member of a household made from an earlier row
            return new.id
        village = self._village_for(p.village)
        hh = self.households.get(p.household_code)
        if hh is None:
            new = _NewHousehold(uuid7(), p.household_code, p.address, village)
            self.new_households[p.household_code] = new
            return new.id
        change = self.household_updates.setdefault(hh["id"], {})
        if village is not None and village != hh["village_id"] and "village" not in change:
            change["village"] = village
            self.touched.add(hh["id"])  # another village: another area, maybe another priority
        if p.address and p.address != hh["address"] and "address" not in change:
            change["address"] = p.address
        return hh["id"]

    def _decide(self, r: _Row) -> list[Any] | None:
        """Insert (returns the row), update (recorded) or unchanged (counted)."""
        p = r.parsed
        found = self.existing_by_hash.get(r.cccd_hash) if r.cccd_hash else None
        if found is not None and found["commune_id"] != self.commune.code:
            self._reject(
                p.number,
                RegistryError.CCCD_OTHER_COMMUNE,
                "cccd",
                _(
                    "This CCCD is registered in another commune: the person may have moved, "
                    "or this is a duplicate. Ask the other commune before moving them."
                ),
                p.original,
            )
            return None
        household_id = self._household_id(p)
        if found is None:
            candidate = self.existing_by_identity.get((household_id, r.name_key, p.birth_year))
            # A different CCCD on both sides means a different person.
            if candidate is not None and (not r.cccd_hash or not candidate["cccd_hash"]):
                found = candidate
        is_head = p.relationship == "head"
        if is_head:
            self.head_for.setdefault(household_id, None)
        if found is None:
            person_id = uuid7()
            self.created_ids.append(person_id)
            new = self.new_households.get(p.household_code)
            if new is not None and new.id == household_id:
                new.members += 1
                # aged 60+ this year (registry.ages), inline: this runs once a row
                born = p.birth_year or (p.birth_date.year if p.birth_date else 0)
                if born and born <= self.elderly_born:
                    new.elderly += 1
                if p.special_needs:
                    new.special += 1
            else:
                self.touched.add(household_id)
            if is_head and self.head_for.get(household_id) is None:
                self.head_for[household_id] = person_id
            ciphertext, last3, ethnicity, needs = self._protected(p, r.cccd_hash)
            return [
                person_id,
                self.now,
                self.now,
                self.commune.code,
                household_id,
                p.full_name,
                r.name_key,
                p.birth_date,
                p.birth_year,
                p.sex,
                ethnicity,
                r.cccd_hash,
                ciphertext,
                last3,
                p.phone,
                p.occupation,
                p.relationship,
                needs,
            ]
        change: dict[str, Any] = {}
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
        if is_head and self.head_for.get(household_id) is None:
            self.head_for[household_id] = found["id"]
        if change:
            self.updates.append((found, change, r))
            self.touched.update((found["household_id"], household_id))
        else:
            self.outcome.unchanged += 1
        return None

    # --- 4. write -------------------------------------------------------------------------------
    def write(self, filename: str) -> None:
        outcome = self.outcome
        with transaction.atomic():
            for name in self.to_create:
                v = village_create(actor=self.actor, commune=self.commune, name=name)
                self.aliases[self.vkey(name)] = v
                outcome.villages_created += 1
            outcome.inserted = write_rows(Person, PERSON_COLUMNS, self.decided_rows())
            outcome.updated = len(self.updates)
            self.report(self.total * 3 // 4, self.total)
            flagged = self._flagged_villages()
            names = {v.pk: v.name for v in self.aliases.values()}
            # Each new household's head was inserted just above, in the same transaction: foreign
            # keys are checked at commit on both databases, so households are written once, whole.
            write_rows(
                Household,
                HOUSEHOLD_COLUMNS,
                (
                    (
                        h.id,
                        self.now,
                        self.now,
                        self.commune.code,
                        self._resolve(h.village),
                        h.code,
                        h.address,
                        self.head_for.get(h.id),
                        household_search_key(h.code, h.address),
                        h.members,
                        0,  # nobody new holds a skill yet
                        self._priority(h, flagged),
                        village_sort_key(names.get(self._resolve(h.village))),
                    )
                    for h in self.new_households.values()
                ),
            )
            outcome.households_created = len(self.new_households)
            _update_households(self.household_updates, self.households, self._resolve)
            _update_persons(self.updates, self.now)
            _set_heads(self.head_for, self.households)
            summary = audit_record(
                actor=self.actor,
                action=AuditAction.REGISTRY_IMPORT,
                obj=self.commune,
                changes={
                    "filename": filename,
                    **outcome.counts(),
                    "households_created": outcome.households_created,
                    "villages_created": outcome.villages_created,
                },
            )
            self._audit_people(summary)
            _analyze_if_grown(outcome.inserted)
            # Thousands of rows at once: recount the commune's summaries (one set of queries),
            # and the list facts of the households that were there before.
            hooks.communes_rewritten.send(
                communes=[self.commune.code], households=sorted(self.touched, key=str)
            )

    def _priority(self, h: _NewHousehold, flagged: set[Any] | None) -> int:
        """A new household's priority (registry.priority), from the members counted above;
        ``flagged``: the remote / ethnic-minority villages (``None``: the commune is)."""
        return priority_of(
            area=flagged is None or self._resolve(h.village) in flagged,
            members=h.members,
            elderly=h.elderly,
            special=h.special,
        )

    def _flagged_villages(self) -> set[Any] | None:
        if self.commune.is_remote or self.commune.is_ethnic_minority:
            return None
        return {v.pk for v in self.aliases.values() if v.is_remote or v.is_ethnic_minority}

    def _audit_people(self, summary: AuditLog) -> None:
        """Each person's own line of the audit trail for each person the import created or
        changed (moved to another household included): an :class:`AuditItem` pointing at the
        import's entry, which holds the actor, the time, the request and the counts; written in
        one COPY like the people themselves. Changed fields are named, never their values (as
        every audit row)."""
        entry = summary.pk
        created, updated = AuditAction.PERSON_IMPORT_CREATE, AuditAction.PERSON_IMPORT_UPDATE
        no_fields = "[]"

        def rows() -> Iterator[tuple[Any, ...]]:
            for person_id in self.created_ids:
                yield (person_id, entry, created, no_fields)
            for found, change, _r in self.updates:
                fields = sorted("household" if k == "household_id" else k for k in change)
                yield (found["id"], entry, updated, json.dumps(fields))

        write_rows(AuditItem, AUDIT_ITEM_COLUMNS, rows())

    def _resolve(self, village: Any) -> Any:
        if isinstance(village, tuple):
            return self.aliases[village[1]].pk
        return village


def _analyze_if_grown(inserted: int) -> None:
    """PostgreSQL: when the import has grown the people's table by a tenth or more (a commune's
    first list, a new installation), the planner's statistics are refreshed at once, in the
    transaction (ANALYZE counts its own new rows), rather than by autovacuum after the commit:
    the commune's recount just below, planned for the table as it was (an empty one, say), went
    through every new person row by row (1.2 s instead of 0.3 s at 200,000 people)."""
    if connection.vendor != "postgresql" or inserted < BATCH:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Person._meta.db_table]
        )
        (known,) = cursor.fetchone()
        if inserted >= 0.1 * max(known, 0):
            cursor.execute(_ANALYZE)


# Only the columns the recount filters, joins and groups on: the row counts (what the planner
# lacked) are refreshed whatever the list, in under half the time of every column (0.37 s
# against 0.81 s at 200,000 people). A column list leaves autovacuum's count of changed rows
# as it was (PostgreSQL resets it only for a whole-table ANALYZE), so autovacuum still gathers
# the statistics of every column soon after the commit.
_ANALYZE = (
    f"ANALYZE {Person._meta.db_table} (id, commune_id, household_id, birth_year, occupation, "
    f"merged_into_id), {Household._meta.db_table} (id, commune_id, village_id, merged_into_id)"
)


_WANTED = ["id", "commune_id", "household_id", "cccd_hash", "search_key", *PERSON_DATA_FIELDS]


def _people_by_hash(hashes: list[str], db: BaseDatabaseWrapper) -> list[dict[str, Any]]:
    """People with these hashes anywhere in the country, one query per batch of hashes. On
    PostgreSQL one array parameter (``= ANY``) instead of thousands of ``IN`` placeholders,
    which cost more to plan than to run."""
    found: list[dict[str, Any]] = []
    sql = (
        f"SELECT {', '.join(_WANTED)} FROM {Person._meta.db_table} "  # noqa: S608
        "WHERE cccd_hash = ANY(%s)"
    )
    for chunk in _chunks(hashes, BATCH):
        if db.vendor != "postgresql":
            found.extend(Person.objects.filter(cccd_hash__in=chunk).values(*_WANTED))
            continue
        with db.cursor() as cursor:
            cursor.execute(sql, [chunk])
            found.extend(dict(zip(_WANTED, row, strict=True)) for row in cursor.fetchall())
    return found


@dataclass(slots=True)
class _NewHousehold:
    id: uuid.UUID
    code: str
    address: str
    village: Any  # a village id, ("new", folded name) until created, or None
    # Its new members as the import counts them: all, aged 60+ this year, with special needs.
    members: int = 0
    elderly: int = 0
    special: int = 0


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
    "members_live",
    "members_trained",
    "priority",
    "village_key",
]
AUDIT_ITEM_COLUMNS = ["object_id", "entry_id", "action", "fields"]
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


def write_rows(model: type[models.Model], columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
    """The raw write of ready rows: COPY on PostgreSQL, one ``executemany`` on SQLite.

    ``columns`` are database column names of ``model``. Returns the number of rows written.
    """
    table = model._meta.db_table
    names = ", ".join(columns)
    by_column = {f.column: f for f in model._meta.concrete_fields}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return copy_in(cursor.cursor, table, [by_column[c] for c in columns], rows)
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
    writer = SafeWriter(out)
    writer.writerow([_("Row"), _("Error code"), _("Reason"), *header])
    for r in sorted(rejects, key=lambda r: r["row"]):
        writer.writerow([r["row"], r["code"], r["message"], *r["original"]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
