"""From the raw rows of a :class:`SourceTable` to people ready for the import service.

Each row becomes a :class:`ParsedPerson` or a :class:`RowError` holding the row's first error, the
fields being checked in the order of the published template's columns (household code, village,
address, full name, relationship, date of birth, sex, ethnicity, CCCD, phone, special needs),
the household last.

**Households.** A row's household is the one its "Mã hộ" cell names. A row without a code (no
such column, or an empty cell, as under a merged cell) belongs to the household begun by the
nearest head row above it (relationship "Chủ hộ", or a mark in a "Chủ hộ" column); a head row
without a code begins a new household. The code given to a household begun that way is derived
from its head, so that importing the same file again, even with rows inserted or reordered, gives
the same code::

    "HH-" + sha256(f"{fold(head's full name)}|{head's birth year}|{fold(village)}")[:10]

(a second head in the same file with the same name, year and village gets ``|2`` appended to the
hashed text, and so on). A row with no code and no head above it is rejected (NO_HOUSEHOLD). When a
head row is rejected for its name or date of birth — the parts of the derived code — its members
are rejected too (NO_HOUSEHOLD, naming the head's row), since they would otherwise be filed under a
code the corrected head will not have; any other error of a head row leaves its members in.

Rows of a household that leave the village or the address empty take those of the household's
first row (lists often merge these cells over a household).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import partial
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.text import fold
from hocvuso.registry.errors import RegistryError
from hocvuso.registry.importing import cells
from hocvuso.registry.importing.reader import SourceRow, SourceTable

HEAD = "head"
R = TypeVar("R")


@dataclass(slots=True)
class ParsedPerson:
    number: int
    household_code: str
    village: str
    address: str
    full_name: str
    birth_date: dt.date | None
    birth_year: int | None
    sex: str
    ethnicity: str
    cccd: str
    phone: str
    occupation: str
    relationship: str
    special_needs: str
    source: SourceRow = dataclass_field(compare=False, repr=False)

    @property
    def original(self) -> list[str]:
        return self.source.original


@dataclass(slots=True)
class RowError:
    number: int
    code: str
    field: str | None
    message: str
    source: SourceRow = dataclass_field(compare=False, repr=False)

    @property
    def original(self) -> list[str]:
        return self.source.original


def derived_household_code(full_name: str, birth_year: int | None, village: str, n: int = 1) -> str:
    """The code of a household begun by a head row without a code (see the module docstring)."""
    basis = f"{fold(full_name)}|{birth_year or ''}|{fold(village)}"
    if n > 1:
        basis += f"|{n}"
    return "HH-" + hashlib.sha256(basis.encode()).hexdigest()[:10]


def once_per_value(read: Callable[[Any], R]) -> Callable[[Any], R]:
    """``read`` remembered for each distinct text cell during one parse (``read`` is a pure
    function of the cell; a value it rejects is not remembered, so it raises again each time)."""
    seen: dict[str, R] = {}

    def once(value: Any) -> R:
        if value.__class__ is not str:
            return read(value)
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = read(value)
            return result

    return once


def _once_per_pair(read: Callable[[Any, Any], R]) -> Callable[[Any, Any], R]:
    """As :func:`once_per_value`, for a function of two cells (date and year of birth)."""
    seen: dict[tuple[Any, Any], R] = {}

    def once(value: Any, other: Any) -> R:
        if value.__class__ not in _HASHABLE or other.__class__ not in _HASHABLE:
            return read(value, other)
        key = (value, other)
        try:
            return seen[key]
        except KeyError:
            result = seen[key] = read(value, other)
            return result

    return once


_HASHABLE = (str, type(None))


def parse_rows(table: SourceTable) -> Iterator[ParsedPerson | RowError]:
    """Parse every row of ``table``, in order."""
    text = cells.text
    full_name = cells.full_name
    # Cells whose few values repeat down the whole list are read once per distinct value.
    household_code_text = once_per_value(partial(text, field="household_code"))
    village_text = once_per_value(partial(text, field="village"))
    address_text = once_per_value(partial(text, field="address"))
    relationship = once_per_value(cells.relationship)
    is_head = once_per_value(cells.is_head)
    birth = _once_per_pair(cells.birth)
    sex = once_per_value(cells.sex)
    ethnicity = once_per_value(cells.ethnicity)
    cccd = cells.cccd
    phone = cells.phone
    occupation = once_per_value(cells.occupation)

    current: str | None = None  # the household of the last head row (or coded row) above
    blocked_by: int | None = None  # the rejected head row whose members cannot be placed
    firsts: dict[str, tuple[str, str]] = {}  # household -> (village, address) of its first row
    derived_seen: dict[str, int] = {}  # derived basis -> heads seen with it

    for row in table.rows:
        v = row.values
        get = v.get
        error: DomainError | None = None
        code = village = address = name = rel = ""
        head = False
        birth_date: dt.date | None = None
        birth_year: int | None = None
        try:
            code = household_code_text(get("household_code"))
            village = village_text(get("village"))
            address = address_text(get("address"))
        except DomainError as exc:
            error = exc
        try:
            name = full_name(get("full_name"))
        except DomainError as exc:
            error = error or exc
        try:
            rel = relationship(get("relationship"))
            marked = is_head(get("is_head")) if "is_head" in v else False
            if marked and rel not in ("", HEAD):
                raise DomainError(
                    RegistryError.INVALID_RELATIONSHIP,
                    _("The row is marked as head of household but its relationship is not."),
                    field="relationship",
                )
            head = marked or rel == HEAD
            if head:
                rel = HEAD
        except DomainError as exc:
            error = error or exc
        birth_ok = True
        try:
            birth_date, birth_year = birth(get("birth"), get("birth_year"))
        except DomainError as exc:
            error = error or exc
            birth_ok = False
        if error is None:
            try:
                person_sex = sex(get("sex"))
                person_ethnicity = ethnicity(get("ethnicity"))
                person_cccd = cccd(get("cccd"), is_text="cccd" in row.text_cells)
                person_phone = phone(get("phone"))
                person_occupation = occupation(get("occupation"))
                special_needs = text(get("special_needs"))
            except DomainError as exc:
                error = exc

        # The household, even for a rejected row: a head row decides where the rows below go.
        household = code
        if code:
            current, blocked_by = code, None
        elif head:
            if name and birth_ok:
                basis = f"{fold(name)}|{birth_year or ''}|{fold(village)}"
                n = derived_seen.get(basis, 0) + 1
                derived_seen[basis] = n
                household = derived_household_code(name, birth_year, village, n)
                current, blocked_by = household, None
            else:
                current, blocked_by = None, row.number
        elif current is not None:
            household = current
        elif error is None:
            if blocked_by is not None:
                message = _(
                    "The head of this household (row %(row)d) was rejected: correct it and "
                    "import this row with it again."
                ) % {"row": blocked_by}
            else:
                message = _(
                    "No household: fill in the household code, or put the row under its "
                    "head of household (Chủ hộ)."
                )
            error = DomainError(RegistryError.NO_HOUSEHOLD, message, field="household_code")

        first = firsts.get(household) if household else None
        if household and first is None:
            firsts[household] = (village, address)
        if error is not None:
            yield RowError(row.number, str(error.code), error.field, error.message, row)
            continue
        if first is not None:
            village = village or first[0]
            address = address or first[1]
        yield ParsedPerson(
            number=row.number,
            household_code=household,
            village=village,
            address=address,
            full_name=name,
            birth_date=birth_date,
            birth_year=birth_year,
            sex=person_sex,
            ethnicity=person_ethnicity,
            cccd=person_cccd,
            phone=person_phone,
            occupation=person_occupation,
            relationship=rel,
            special_needs=special_needs,
            source=row,
        )
