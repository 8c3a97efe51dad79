"""The sync protocol's reads: what changed in a device's work set since its cursor.

**The work set** of a device is what its user may see of the communes they work in the field
(:func:`hocvuso.access.sync.work_households_q`): households, their living members (name, sex,
year of birth, relationship, occupation — no ID number, no phone, no ethnicity or other
sensitive data), each member's skill status, the open claims on the households, the visits made
to them; and, on a full pull, the user's teams, the skill catalogue and the upcoming classes of
those communes.

**A pull** is a series of pages of at most :data:`PAGE` changes, each
``{"kind", "id", "op": "upsert" | "remove", "data"}``, in a fixed order: kind by kind
(:data:`PHASES`), within a kind by (time of change, id). The cursor (opaque to the device)
carries where the page ended, the interval the pull covers and the work set's key, so an
interrupted pull resumes from its last page, never from zero; the last page's cursor (``more``:
false) is where the next pull starts.

**Removals**: a household or person changed since the cursor that is no longer in the work set
(moved to a village outside the team's, erased under the data-protection law) is sent as
``remove``; so is a released claim. When the work set itself changed (an assignment revoked, a
team's villages changed) the next pull answers ``reset``: the device wipes its copy and the pull
starts again as a full one.

Rows are read with one query per kind and page (the catalogue, teams and classes with one each),
whatever the work set's size.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from hocvuso.access.classes import can_work_class
from hocvuso.access.sync import field_communes, work_households_q, work_set_key
from hocvuso.classes.models import ClassEvent, ClassRegistration
from hocvuso.registry.models import Household, Person
from hocvuso.skills.models import PersonSkillStatus, Skill
from hocvuso.sync.models import Removal
from hocvuso.teams.models import Claim, Team, Visit

PAGE = 500


def overlap() -> dt.timedelta:
    """A change committed a little after a pull's end time was read (a longer transaction) is
    caught by the next pull, which starts this much earlier; the device applies changes
    idempotently, so one seen twice costs nothing."""
    return dt.timedelta(seconds=int(getattr(settings, "HOCVUSO_SYNC_PULL_OVERLAP_SECONDS", 30)))


VERSION = 1


class BadCursor(ValueError):
    """A cursor this server did not make (or an older protocol's)."""


@dataclass
class Cursor:
    since: dt.datetime | None  # None: a full pull
    until: dt.datetime
    phase: int = 0
    after_at: dt.datetime | None = None
    after_id: str | None = None
    key: str = ""

    def encode(self) -> str:
        raw = {
            "v": VERSION,
            "s": self.since.isoformat() if self.since else None,
            "u": self.until.isoformat(),
            "p": self.phase,
            "a": self.after_at.isoformat() if self.after_at else None,
            "i": self.after_id,
            "k": self.key,
        }
        return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode()

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = json.loads(base64.urlsafe_b64decode(text.encode()))
            if raw.get("v") != VERSION:
                raise BadCursor(text)

            def t(v: Any) -> dt.datetime | None:
                return dt.datetime.fromisoformat(v) if v else None

            until = t(raw["u"])
            if until is None:
                raise BadCursor(text)
            return cls(
                since=t(raw["s"]),
                until=until,
                phase=int(raw["p"]),
                after_at=t(raw["a"]),
                after_id=raw["i"],
                key=str(raw["k"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadCursor(text) from exc


def _key(actor: Any) -> str:
    return hashlib.sha256(work_set_key(actor).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Phase:
    kind: str
    rows: Callable[[Any, Cursor], QuerySet[Any]]
    data: Callable[[Any, Any], dict[str, Any]]
    stamp: str = "updated_at"  # the column the changes are ordered by
    full_only: bool = False  # reference data: sent on a full pull only
    incremental_only: bool = False  # nothing to remove from an empty copy
    removed: Callable[[Any], bool] = lambda row: False


def _households(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    return Household.objects.filter(work_households_q(actor)).only(
        "pk", "commune_id", "village_id", "code", "address", "head_id", "updated_at"
    )


def _household(actor: Any, h: Household) -> dict[str, Any]:
    return {
        "commune": h.commune_id,
        "village_id": h.village_id,
        "code": h.code,
        "address": h.address,
        "head_id": h.head_id,
        "version": h.updated_at,
    }


def _persons(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    qs = Person.objects.filter(work_households_q(actor, "household__")).only(
        "pk", "household_id", "full_name", "sex", "birth_year", "birth_date", "relationship",
        "occupation", "updated_at", "erased_at",
    )  # fmt: skip
    if cursor.since is None:
        qs = qs.filter(erased_at__isnull=True)
    return qs


def _person(actor: Any, p: Person) -> dict[str, Any]:
    return {
        "household_id": p.household_id,
        "full_name": p.full_name,
        "sex": p.sex,
        "birth_year": p.birth_year or (p.birth_date.year if p.birth_date else None),
        "relationship": p.relationship,
        "occupation": p.occupation,
        "version": p.updated_at,
    }


def _statuses(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    return PersonSkillStatus.objects.filter(
        work_households_q(actor, "person__household__"), person__erased_at__isnull=True
    )


def _status(actor: Any, s: PersonSkillStatus) -> dict[str, Any]:
    return {
        "person_id": s.person_id,
        "skills": s.skills,
        "basic": s.basic_complete,
        "vneid_level": s.vneid_level,
        "bank": s.has_bank_account,
        "t4": s.t4,
    }


def _claims(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    qs = Claim.objects.filter(work_households_q(actor, "household__"))
    if cursor.since is None:
        qs = qs.filter(released_at__isnull=True)
    return qs


def _claim(actor: Any, c: Claim) -> dict[str, Any]:
    return {
        "household_id": c.household_id,
        "team_id": c.team_id,
        "mine": c.claimed_by_id == actor.pk,
        "claimed_at": c.claimed_at,
    }


def _visits(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    return Visit.objects.filter(work_households_q(actor, "household__")).only(
        "pk", "household_id", "visited_at", "created_at", "visited_by_id"
    )


def _visit(actor: Any, v: Visit) -> dict[str, Any]:
    return {
        "household_id": v.household_id,
        "visited_at": v.visited_at,
        "mine": v.visited_by_id == actor.pk,
    }


def _teams(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    return Team.objects.filter(
        members__user=actor, members__removed_at__isnull=True
    ).prefetch_related("villages")


def _team(actor: Any, t: Team) -> dict[str, Any]:
    return {
        "name": t.name,
        "commune": t.commune_id,
        "villages": [{"id": v.pk, "name": v.name} for v in t.villages.all()],
    }


def _skills(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    return Skill.objects.filter(is_active=True).select_related("area")


def _skill(actor: Any, s: Skill) -> dict[str, Any]:
    return {"code": s.code, "name": s.name_vi, "area": s.area.code, "kind": s.kind}


def _classes(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    return ClassEvent.objects.filter(
        commune_id__in=field_communes(actor),
        starts_at__gte=timezone.now() - dt.timedelta(days=1),
    ).prefetch_related(
        "volunteers",
        "skills",
        Prefetch(
            "registrations",
            queryset=ClassRegistration.objects.select_related("person").only(
                "pk", "klass_id", "attended", "person__full_name", "person__erased_at"
            ),
        ),
    )


def _class(actor: Any, c: ClassEvent) -> dict[str, Any]:
    data = {"title": c.title, "starts_at": c.starts_at, "address": c.address,
            "village_id": c.village_id, "capacity": c.capacity}  # fmt: skip
    if can_work_class(actor, c):
        # Who works the class takes its attendance and marks its gains offline: the registered
        # people by name (nothing else of them) and the class's topic skills.
        data["works"] = True
        data["skills"] = sorted(s.code for s in c.skills.all())
        data["registrations"] = sorted(
            (
                {"person_id": r.person_id, "name": r.person.full_name, "attended": r.attended}
                for r in c.registrations.all()
                if r.person.erased_at is None
            ),
            key=lambda r: str(r["name"]),
        )
    return data


def _removals(actor: Any, cursor: Cursor) -> QuerySet[Any]:
    """Households and people that left a village of the work set and are not back in it."""
    in_set_h = Household.objects.filter(work_households_q(actor), pk=OuterRef("object_id"))
    in_set_p = Person.objects.filter(
        work_households_q(actor, "household__"), pk=OuterRef("object_id")
    )
    return (
        Removal.objects.alias(back_h=Exists(in_set_h), back_p=Exists(in_set_p))
        .filter(work_households_q(actor))
        .exclude(kind="household", back_h=True)
        .exclude(kind="person", back_p=True)
    )


PHASES: tuple[Phase, ...] = (
    Phase("team", _teams, _team, full_only=True),
    Phase("skill", _skills, _skill, stamp="pk", full_only=True),
    Phase("class", _classes, _class, full_only=True),
    Phase("household", _households, _household),
    Phase("person", _persons, _person, removed=lambda p: p.erased_at is not None),
    Phase("status", _statuses, _status),
    Phase("claim", _claims, _claim, removed=lambda c: c.released_at is not None),
    Phase("visit", _visits, _visit, stamp="created_at"),
    Phase(
        "removal",
        _removals,
        lambda actor, r: {},
        stamp="at",
        incremental_only=True,
        removed=lambda r: True,
    ),
)


@dataclass
class PullPage:
    changes: list[dict[str, Any]]
    cursor: str
    more: bool
    reset: bool


def _window(qs: QuerySet[Any], phase: Phase, cursor: Cursor) -> QuerySet[Any]:
    """The phase's rows changed in the pull's interval, after the page's last one, in order."""
    if phase.stamp == "pk":
        if cursor.after_id is not None:
            qs = qs.filter(pk__gt=cursor.after_id)
        return qs.order_by("pk")
    stamp = phase.stamp
    qs = qs.filter(**{f"{stamp}__lte": cursor.until})
    if cursor.since is not None:
        qs = qs.filter(**{f"{stamp}__gt": cursor.since})
    if cursor.after_at is not None:
        qs = qs.filter(
            Q(**{f"{stamp}__gt": cursor.after_at})
            | Q(**{stamp: cursor.after_at, "pk__gt": cursor.after_id})
        )
    return qs.order_by(stamp, "pk")


def pull_page(*, actor: Any, cursor_text: str | None, limit: int = PAGE) -> PullPage:
    """One page of the device's changes (module docstring). ``cursor_text``: the last page's
    cursor, or None for a first (full) pull; :class:`BadCursor` for one this server did not
    make."""
    limit = max(1, min(limit, PAGE))
    now = timezone.now()
    key = _key(actor)
    reset = False
    if cursor_text:
        cursor = Cursor.decode(cursor_text)
        if cursor.key != key:
            reset = True
            cursor = Cursor(since=None, until=now, key=key)
        elif cursor.phase >= len(PHASES):  # the end of the last pull: a new one from there
            cursor = Cursor(since=cursor.until - overlap(), until=now, key=key)
    else:
        cursor = Cursor(since=None, until=now, key=key)
    changes: list[dict[str, Any]] = []
    while cursor.phase < len(PHASES) and len(changes) < limit:
        phase = PHASES[cursor.phase]
        if (phase.full_only and cursor.since is not None) or (
            phase.incremental_only and cursor.since is None
        ):
            cursor = Cursor(cursor.since, cursor.until, cursor.phase + 1, key=key)
            continue
        want = limit - len(changes)
        rows = list(_window(phase.rows(actor, cursor), phase, cursor)[: want + 1])
        for row in rows[:want]:
            changes.append(_change(actor, phase, row))
        if len(rows) > want:  # the page is full inside this phase
            last = rows[want - 1]
            cursor = Cursor(
                cursor.since,
                cursor.until,
                cursor.phase,
                after_at=None if phase.stamp == "pk" else getattr(last, phase.stamp),
                after_id=str(last.pk),
                key=key,
            )
            break
        cursor = Cursor(cursor.since, cursor.until, cursor.phase + 1, key=key)
    more = cursor.phase < len(PHASES)
    return PullPage(changes=changes, cursor=cursor.encode(), more=more, reset=reset)


def _change(actor: Any, phase: Phase, row: Model) -> dict[str, Any]:
    if phase.kind == "removal":
        return {"kind": row.kind, "id": row.object_id, "op": "remove"}  # type: ignore[attr-defined]
    if phase.removed(row):
        return {"kind": phase.kind, "id": row.pk, "op": "remove"}
    return {"kind": phase.kind, "id": row.pk, "op": "upsert", "data": phase.data(actor, row)}


def kinds() -> Iterable[str]:
    return (p.kind for p in PHASES)
