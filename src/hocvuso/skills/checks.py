"""Back-checks of reported results (chống bệnh hình thức): services and selectors.

Verification of skill events belongs with the skill events: a commune officer draws a **seeded
random sample** of the events reported in a period (optionally one channel or one helper),
assigns the checks, and records what the citizen says: confirmed, not confirmed (the event is
reversed through :func:`hocvuso.skills.services.skill_event_reverse`, in the name of whoever
recorded the outcome, under :func:`hocvuso.access.checks.may_reverse_at_check`) or unreachable.

A programme app may draw a round over its own events: it passes a :class:`Frame` — the ids of
the events, a ``source`` ("class:<id>") and a ``label`` (the class's title) — and the round and
its checks keep that text. The skills app never refers to a programme app's rows.

The draw is reproducible: the population is the matching events ordered by id, and
:func:`sample_draw` takes ``ceil(population × percent / 100)`` of them (at least one) with
``random.Random(seed)``; the seed is stored on the round, so the same seed over the same events
gives the same sample. Every draw, assignment and outcome writes an audit row.

Groups (what a confirmation rate is shown for): the event's channel, its helper (``helped_by``)
and the frame the check was drawn from. The **confirmation rate** of a group is confirmed /
(confirmed + not confirmed); unreachable checks are counted but not in the rate (nobody was
asked).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hocvuso.access.checks import (
    can_be_checker,
    can_draw_checks,
    can_record_outcome,
    checker_q,
    ensure_checks,
    may_reverse_at_check,
)
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.fetch import as_uuid
from hocvuso.core.ids import uuid7
from hocvuso.core.text import clean
from hocvuso.geo.models import Commune
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import BackCheck, Channel, CheckOutcome, CheckRound, SkillEvent
from hocvuso.skills.services import skill_event_reverse

# Reports that are not someone's claim to have helped: nothing to back-check.
NOT_CHECKED = (Channel.VERIFIED_AT_CHECK,)


@dataclass(frozen=True)
class Frame:
    """The events a programme app offers as a round's sample frame, and how the round and its
    checks name it (``source``: a stable key such as ``"class:<id>"``; ``label``: for people)."""

    source: str
    label: str
    events: Sequence[UUID] = field(default_factory=tuple)


def sample_draw(ids: Sequence[UUID], *, percent: Decimal, seed: int) -> list[UUID]:
    """The sample: same ids (in any order), percent and seed → the same ids, sorted."""
    population = sorted(ids)
    if not population:
        return []
    size = min(len(population), max(1, math.ceil(len(population) * percent / 100)))
    return sorted(random.Random(seed).sample(population, size))  # noqa: S311 (not secret)


def _population(
    *,
    commune: Commune,
    period_from: dt.date,
    period_to: dt.date,
    channel: str = "",
    helper: Any = None,
    frame: Frame | None = None,
) -> QuerySet[SkillEvent]:
    qs = SkillEvent.objects.filter(
        person__commune=commune,
        happened_on__gte=period_from,
        happened_on__lte=period_to,
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).exclude(channel__in=NOT_CHECKED)
    if channel:
        qs = qs.filter(channel=channel)
    if helper is not None:
        qs = qs.filter(helped_by=helper)
    if frame is not None:
        qs = qs.filter(pk__in=list(frame.events))
    return qs


def _frame_text(frame: Frame | None) -> tuple[str, str]:
    if frame is None:
        return "", ""
    source = clean(frame.source)
    if not source or len(source) > 64:
        raise DomainError(CoreError.INVALID, _("The sample frame has no valid name."), "source")
    return source, clean(frame.label)[:200]


@transaction.atomic
def check_round_draw(
    *,
    actor: Any,
    commune: Commune,
    period_from: dt.date,
    period_to: dt.date,
    percent: Decimal,
    seed: int | None = None,
    channel: str = "",
    helper: Any = None,
    frame: Frame | None = None,
    id: UUID | None = None,
) -> CheckRound:
    """Draw a round. ``seed`` empty: a fresh random one (stored). ``frame``: only these events
    (a programme app's), named by the frame. Idempotent on ``id``."""
    if not can_draw_checks(actor, commune.code):
        raise NotFound()
    if id is not None:
        existing = CheckRound.objects.filter(pk=id).first()
        if existing is not None:
            if existing.commune_id != commune.code:
                raise NotFound()
            return existing
    if period_from > period_to:
        raise DomainError(CoreError.INVALID, _("The period ends before it starts."), "period_to")
    if not (Decimal(0) < percent <= Decimal(100)):
        raise DomainError(CoreError.INVALID, _("Choose between 0 and 100 %."), "percent")
    if channel and channel not in Channel.values:
        raise DomainError(CoreError.INVALID, _("Choose how the skill was gained."), "channel")
    source, label = _frame_text(frame)
    if seed is None:
        seed = secrets.randbits(62)
    events = _population(
        commune=commune,
        period_from=period_from,
        period_to=period_to,
        channel=channel,
        helper=helper,
        frame=frame,
    )
    ids = list(events.values_list("pk", flat=True))
    chosen = sample_draw(ids, percent=percent, seed=seed)
    if not chosen:
        raise DomainError(SkillsError.EMPTY_SAMPLE, _("Nothing was reported in this period."))
    rnd = CheckRound(
        commune=commune,
        drawn_by=user_or_none(actor),
        period_from=period_from,
        period_to=period_to,
        channel=channel,
        helper=helper,
        source=source,
        label=label,
        percent=percent,
        seed=seed,
        population=len(ids),
        size=len(chosen),
    )
    if id is not None:
        rnd.id = id
    rnd.save(force_insert=True)
    rows = SkillEvent.objects.filter(pk__in=chosen).values_list("pk", "channel", "helped_by_id")
    BackCheck.objects.bulk_create(
        [
            BackCheck(
                id=uuid7(),
                round=rnd,
                event_id=pk,
                channel=ch,
                helper_id=hp,
                source=source,
                label=label,
            )
            for pk, ch, hp in sorted(rows)
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHECK_ROUND_DRAW,
        obj=rnd,
        changes={
            "period": [period_from.isoformat(), period_to.isoformat()],
            "channel": channel,
            "helper": str(helper.pk) if helper is not None else None,
            "source": source,
            "percent": str(percent),
            "seed": seed,
            "population": len(ids),
            "events": [str(x) for x in chosen],
        },
    )
    return rnd


def commune_helpers(commune: Commune) -> QuerySet[Any]:
    """The users who help citizens in the commune (:data:`hocvuso.access.checks.CHECKER_ROLES`):
    whose reports a round may be drawn over, and to whom checks may go."""
    return get_user_model().objects.filter(checker_q(commune.code)).distinct().order_by("username")


def checkers(rnd: CheckRound) -> QuerySet[Any]:
    """Who the round's checks may go to: the commune's helpers, but not the helper the round
    was drawn over (each check is also refused to its own helper and recorder when assigned)."""
    qs = commune_helpers(rnd.commune)
    if rnd.helper_id is not None:
        qs = qs.exclude(pk=rnd.helper_id)
    return qs


def checker_get(rnd: CheckRound, username: Any) -> Any:
    """The user named ``username`` if the round's checks may go to them; not-found for anyone
    else. (The page asks for the username: a commune's helpers are counted in thousands, too
    many to list on a phone.)"""
    user = checkers(rnd).filter(username=str(username or "").strip()).first()
    if user is None:
        raise NotFound()
    return user


def helper_named(commune: Commune, username: str) -> Any:
    """The commune's helper named ``username`` (to draw a round over their reports), or
    ``None``: what the draw form asks for rather than listing every helper."""
    return commune_helpers(commune).filter(username=username.strip()).first()


def helper_get(commune: Commune, user_id: Any) -> Any:
    """One of the commune's helpers (to draw a round over their reports); not-found otherwise."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    user = commune_helpers(commune).filter(pk=pk).first()
    if user is None:
        raise NotFound()
    return user


@transaction.atomic
def check_assign(*, actor: Any, round: CheckRound, checks: Sequence[UUID], user: Any) -> int:
    """Assign ``checks`` of the round to ``user``. Returns how many changed. Refused
    (``not_a_checker``) for someone who may not check in the commune, or when one of the checks
    is of their own report."""
    if not can_draw_checks(actor, round.commune_id):
        raise NotFound()
    if not checkers(round).filter(pk=user.pk).exists():
        raise DomainError(
            SkillsError.NOT_A_CHECKER, _("Checks go to someone working in the commune."), "user"
        )
    items = list(BackCheck.objects.filter(round=round, pk__in=list(checks)).select_related("event"))
    if any(not can_be_checker(user.pk, c) for c in items):
        raise DomainError(
            SkillsError.NOT_A_CHECKER, _("Nobody checks a report of their own."), "user"
        )
    n = (
        BackCheck.objects.filter(pk__in=[c.pk for c in items])
        .exclude(assigned_to=user)
        .update(assigned_to=user, updated_at=timezone.now())
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHECK_ASSIGN,
        obj=round,
        changes={"user": str(user.pk), "checks": sorted(str(c) for c in checks), "changed": n},
    )
    return n


@transaction.atomic
def check_outcome_record(
    *, actor: Any, check: BackCheck, outcome: str, note: str = ""
) -> BackCheck:
    """Record what the citizen said. "Not confirmed" reverses the event (final: the check is
    closed); a confirmed or unreachable check may be recorded again (called back later)."""
    # The stored row, locked: who may record is decided on it (an assignment may have moved).
    check = BackCheck.objects.select_for_update().select_related("round", "event").get(pk=check.pk)
    if not can_record_outcome(actor, check):
        raise NotFound()
    if outcome not in CheckOutcome.values or outcome == CheckOutcome.PENDING:
        raise DomainError(CoreError.INVALID, _("Choose the outcome."), "outcome")
    if check.outcome == CheckOutcome.NOT_CONFIRMED:
        if outcome == CheckOutcome.NOT_CONFIRMED:
            return check
        raise DomainError(SkillsError.CHECK_CLOSED, _("This record was found wrong and withdrawn."))
    note = clean(note)
    before = check.outcome
    if outcome == CheckOutcome.NOT_CONFIRMED:
        event = SkillEvent.objects.select_related("person__household", "skill").get(
            pk=check.event_id
        )
        # Stored text: in the platform's language, whatever the language of the page that
        # recorded the outcome (a reader of the record would otherwise see English).
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Not confirmed at a back-check") + (f": {note}" if note else "")
        check.reversal = skill_event_reverse(
            actor=actor,
            event=event,
            reason=reason,
            id=uuid7(),
            allowed=lambda who, _person: may_reverse_at_check(who, check),
        )
    check.outcome = outcome
    check.note = note
    check.checked_by = user_or_none(actor)
    check.checked_at = timezone.now()
    check.save(
        update_fields=["outcome", "note", "checked_by", "checked_at", "reversal", "updated_at"]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHECK_OUTCOME,
        obj=check,
        changes={"outcome": [before, outcome], "event": str(check.event_id)},
    )
    return check


# --- Selectors ----------------------------------------------------------------------------


def round_list(*, actor: Any, commune: Commune) -> QuerySet[CheckRound]:
    """The commune's rounds, newest first, without their counts: the list a page is cut from
    (:func:`round_rows` counts for a page's rounds only)."""
    ensure_checks(actor, commune.code)
    return CheckRound.objects.filter(commune=commune).order_by("-created_at", "-pk")


def round_rows(ids: list[Any]) -> QuerySet[CheckRound]:
    """The rounds ``ids`` (a page of :func:`round_list`) with how many of their checks are done
    and not confirmed: a GROUP BY over the page's rounds' checks alone."""
    return (
        CheckRound.objects.filter(pk__in=ids)
        .select_related("drawn_by", "helper")
        .annotate(
            done=Count("checks", filter=~Q(checks__outcome=CheckOutcome.PENDING)),
            not_confirmed=Count("checks", filter=Q(checks__outcome=CheckOutcome.NOT_CONFIRMED)),
        )
    )


def round_get(actor: Any, round_id: Any) -> CheckRound:
    rnd = (
        CheckRound.objects.select_related("commune", "drawn_by", "helper")
        .filter(pk=as_uuid(round_id))
        .first()
    )
    if rnd is None:
        raise NotFound()
    ensure_checks(actor, rnd.commune_id)
    return rnd


def round_checks(rnd: CheckRound) -> QuerySet[BackCheck]:
    return (
        BackCheck.objects.filter(round=rnd)
        .select_related("event__person__household", "event__skill", "helper", "assigned_to")
        .order_by("event_id")
    )


def round_check(rnd: CheckRound, check_id: Any) -> BackCheck:
    """One check of the round, loaded as :func:`round_checks` loads them."""
    check = round_checks(rnd).filter(pk=as_uuid(check_id)).first()
    if check is None:
        raise NotFound()
    return check


def check_get(actor: Any, check_id: Any) -> BackCheck:
    check = BackCheck.objects.select_related("round", "event").filter(pk=as_uuid(check_id)).first()
    if check is None or not (
        can_record_outcome(actor, check) or can_draw_checks(actor, check.round.commune_id)
    ):
        raise NotFound()
    return check


@dataclass(frozen=True)
class GroupRate:
    channel: str
    helper: str  # display name, "" when nobody
    helper_id: Any
    source: str  # the frame drawn from ("class:<id>"), "" for a commune-wide round
    label: str  # its name (a class's title)
    drawn: int
    confirmed: int
    not_confirmed: int
    unreachable: int

    @property
    def channel_name(self) -> str:
        """The channel for people (never its code on a page)."""
        return str(Channel(self.channel).label) if self.channel in Channel.values else self.channel

    @property
    def rate(self) -> float | None:
        asked = self.confirmed + self.not_confirmed
        return None if asked == 0 else self.confirmed / asked

    @property
    def percent(self) -> int | None:
        r = self.rate
        return None if r is None else round(r * 100)


RATES_SHOWN = 25  # the groups a page shows: those to look into first


def worst_rates(rates: Sequence[GroupRate], limit: int = RATES_SHOWN) -> list[GroupRate]:
    """The ``limit`` groups an officer should look into first: the lowest confirmation rate
    first (among equal rates, the most checks drawn), groups with nobody reached yet last. A
    commune's groups grow with its classes and helpers (thousands): a page shows these."""
    ranked = sorted(
        rates,
        key=lambda g: (g.rate is None, g.rate if g.rate is not None else 0.0, -g.drawn),
    )
    return ranked[:limit]


def confirmation_rates(*, actor: Any, commune: Commune) -> list[GroupRate]:
    """Each group's figures over every round of the commune (one query)."""
    ensure_checks(actor, commune.code)
    rows = (
        BackCheck.objects.filter(round__commune=commune)
        .values(
            "channel", "helper_id", "helper__display_name", "helper__username", "source", "label"
        )
        .annotate(
            drawn=Count("pk"),
            confirmed=Count("pk", filter=Q(outcome=CheckOutcome.CONFIRMED)),
            not_confirmed=Count("pk", filter=Q(outcome=CheckOutcome.NOT_CONFIRMED)),
            unreachable=Count("pk", filter=Q(outcome=CheckOutcome.UNREACHABLE)),
        )
        .order_by("channel", "label", "source", "helper__username")
    )
    return [
        GroupRate(
            channel=r["channel"],
            helper=r["helper__display_name"] or r["helper__username"] or "",
            helper_id=r["helper_id"],
            source=r["source"],
            label=r["label"],
            drawn=r["drawn"],
            confirmed=r["confirmed"],
            not_confirmed=r["not_confirmed"],
            unreachable=r["unreachable"],
        )
        for r in rows
    ]
