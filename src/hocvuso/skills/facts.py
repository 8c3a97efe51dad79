"""What a person's skills are, and what a person and a household count for on the dashboards.

The one owner of these rules of the movement:

- the milestone codes the status columns come from (VNeID installed / level 2, bank account),
  the named sets (``basic``, ``4t``) and how a status is derived from held events
  (:func:`status_compute`);
- **4T**: the four T in their fixed order (bit *i* of ``PersonSkillStatus.t4_mask`` is
  ``T4_CODES[i]``) and who is followed on them (traders and farmers, :data:`T4_OCCUPATIONS`);
  worklists and dashboards alike read the mask, never the events;
- what one person contributes to the counts (:class:`PersonFacts`, in :data:`PERSON_MEASURES`
  order) and what one household does (:class:`HouseholdFacts`, :data:`HOUSEHOLD_MEASURES`).

The dashboards' summary tables (``kpi``) add these up; the recount that checks them and the
history rebuild use the same classes, so a figure has one definition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from hocvuso.registry.models import Occupation
from hocvuso.skills.models import SkillSet

# The milestone codes the status columns are derived from.
VNEID_INSTALLED = "vneid.install"
VNEID_LEVEL2 = "vneid.level2"
BANK_ACCOUNT = "bank.account"
BASIC_SET = "basic"
T4_SET = "4t"
# The four Ts in their fixed order: bit i of ``PersonSkillStatus.t4_mask`` is the i-th.
T4_CODES = ("trade.profile", "sell.online", "pay.qr", "save.digital")
T4_ALL = (1 << len(T4_CODES)) - 1
# Who the 4T model follows ("Chợ số – Nông thôn số": small traders and farmers).
T4_OCCUPATIONS = (Occupation.TRADER, Occupation.FARMER)

STATUS_FIELDS = (
    "skills",
    "basic_complete",
    "vneid_level",
    "has_bank_account",
    "t4",
    "t4_mask",
    "last_event_on",
)
EMPTY_STATUS: dict[str, Any] = {
    "skills": [],
    "basic_complete": False,
    "vneid_level": 0,
    "has_bank_account": False,
    "t4": [],
    "t4_mask": 0,
    "last_event_on": None,
}


def is_trader(occupation: str | None) -> bool:
    """Followed on the 4T (a small trader or a farmer)."""
    return occupation in T4_OCCUPATIONS


def t4_mask(t4: Iterable[str]) -> int:
    """The 4T codes held as bits (bit i: ``T4_CODES[i]``), so that SQL can count each T."""
    held = set(t4)
    return sum(1 << i for i, code in enumerate(T4_CODES) if code in held)


def t4_held(mask: int) -> list[tuple[str, bool]]:
    """Each T with whether the mask holds it, in order."""
    return [(code, bool(mask & (1 << i))) for i, code in enumerate(T4_CODES)]


@dataclass(frozen=True)
class SetIndex:
    """The named sets, national and per province, as ordered tuples of skill codes."""

    members: dict[tuple[str, str | None], tuple[str, ...]]

    def of(self, code: str, province: str | None) -> tuple[str, ...]:
        own = self.members.get((code, province))
        return own if own is not None else self.members.get((code, None), ())


def skill_sets() -> SetIndex:
    """Every set with its members, in two queries."""
    members: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for s in SkillSet.objects.prefetch_related("skills"):
        codes = sorted(s.skills.all(), key=lambda k: (k.area_id, k.order, k.code))
        members[(s.code, s.province_id)] = tuple(k.code for k in codes)
    return SetIndex(members)


def status_compute(
    held: Iterable[tuple[str, dt.date]], province: str | None, sets: SetIndex
) -> dict[str, Any]:
    """The status columns from the held events (skill code, date) of one person."""
    dates: dict[str, dt.date] = {}
    for code, on in held:
        dates[code] = max(on, dates.get(code, on))
    basic = sets.of(BASIC_SET, province)
    t4 = [code for code in sets.of(T4_SET, province) if code in dates]
    level = 2 if VNEID_LEVEL2 in dates else 1 if VNEID_INSTALLED in dates else 0
    return {
        "skills": sorted(dates),
        "basic_complete": bool(basic) and all(code in dates for code in basic),
        "vneid_level": level,
        "has_bank_account": BANK_ACCOUNT in dates,
        "t4": t4,
        "t4_mask": t4_mask(t4),
        "last_event_on": max(dates.values()) if dates else None,
    }


_FLAG_FIELDS = ("vneid_level", "has_bank_account", "basic_complete", "t4_mask")


@dataclass(frozen=True)
class Flags:
    """What a person's status row contributes to the counts."""

    vneid2: bool = False
    bank: bool = False
    basic: bool = False
    mask: int = 0

    @classmethod
    def of(cls, row: Any) -> Flags:
        """From a status row, a status dict, or ``None`` (no status yet)."""
        if row is None:
            return cls()
        values: dict[str, Any] = (
            row if isinstance(row, dict) else {n: getattr(row, n) for n in _FLAG_FIELDS}
        )
        return cls(
            vneid2=int(values["vneid_level"] or 0) >= 2,
            bank=bool(values["has_bank_account"]),
            basic=bool(values["basic_complete"]),
            mask=int(values["t4_mask"] or 0),
        )


# What one person counts for, in this order (the columns of the dashboards' cohort rows).
PERSON_MEASURES = (
    "persons",
    "vneid2",
    "bank",
    "basic",
    "guided",
    "traders",
    "t1",
    "t2",
    "t3",
    "t4",
    "t_all",
)
# What one household counts for (the columns of the village rows).
HOUSEHOLD_MEASURES = ("households", "households_trained", "households_visited")


@dataclass(frozen=True)
class PersonFacts:
    """What one person contributes to the cohort rows: where they are counted (commune, village,
    year of birth — 0 when unknown), whether the 4T model follows them, their status flags and
    whether a team has guided them at home."""

    commune: str
    village: UUID
    birth_year: int
    trader: bool
    flags: Flags
    guided: bool

    def counts(self) -> list[int]:
        """In :data:`PERSON_MEASURES` order."""
        f, t = self.flags, self.trader
        bits = [int(t and bool(f.mask & (1 << i))) for i in range(len(T4_CODES))]
        all_four = int(t and f.mask == T4_ALL)
        return [
            1,
            int(f.vneid2),
            int(f.bank),
            int(f.basic),
            int(self.guided),
            int(t),
            *bits,
            all_four,
        ]


@dataclass(frozen=True)
class HouseholdFacts:
    """What one household contributes to the village rows: a member holds the basic set; a team
    has visited it."""

    commune: str
    village: UUID
    trained: bool
    visited: bool

    def counts(self) -> list[int]:
        """In :data:`HOUSEHOLD_MEASURES` order."""
        return [1, int(self.trained), int(self.visited)]
