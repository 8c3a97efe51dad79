"""Back-checks of reported results (chống bệnh hình thức): services and selectors.

A commune officer draws a **seeded random sample** of the skill events reported in a period
(optionally only one channel, one helper or one class), assigns the checks, and records what the
citizen says: confirmed, not confirmed (the event is reversed through
:func:`hocvuso.skills.services.skill_event_reverse`) or unreachable.

The draw is reproducible: the population is the matching gains ordered by id, and
:func:`sample_draw` takes ``ceil(population × percent / 100)`` of them (at least one) with
``random.Random(seed)``; the seed is stored on the round, so the same seed over the same events
gives the same sample. Every draw, assignment and outcome writes an audit row.

Groups (what a confirmation rate is shown for): the event's channel, its helper (``helped_by``)
and, for class events, the class (from :class:`~hocvuso.classes.models.ClassGain`). Teams'
visits and mentors' sessions are told apart by channel and helper, without importing those apps.
The **confirmation rate** of a group is confirmed / (confirmed + not confirmed); unreachable
checks are counted but not in the rate (nobody was asked).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.checks import (
    can_draw_checks,
    can_record_outcome,
    ensure_checks,
    may_reverse_at_check,
)
from hocvuso.classes.models import BackCheck, CheckRound, ClassEvent, Outcome
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.text import clean
from hocvuso.geo.models import Commune
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import Channel, SkillEvent
from hocvuso.skills.services import skill_event_reverse

# Reports that are not someone's claim to have helped: nothing to back-check.
NOT_CHECKED = (Channel.VERIFIED_AT_CHECK,)


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
    klass: ClassEvent | None = None,
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
    if klass is not None:
        qs = qs.filter(class_gain__klass=klass)
    return qs


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
    klass: ClassEvent | None = None,
    id: UUID | None = None,
) -> CheckRound:
    """Draw a round. ``seed`` empty: a fresh random one (stored)."""
    if not can_draw_checks(actor, commune.code):
        raise NotFound()
    if id is not None:
        existing = CheckRound.objects.filter(pk=id).first()
        if existing is not None:
            if existing.commune_id != commune.code:
                raise NotFound()
            return existing
    if klass is not None and klass.commune_id != commune.code:
        raise NotFound()
    if period_from > period_to:
        raise DomainError(CoreError.INVALID, _("The period ends before it starts."), "period_to")
    if not (Decimal(0) < percent <= Decimal(100)):
        raise DomainError(CoreError.INVALID, _("Choose between 0 and 100 %."), "percent")
    if channel and channel not in Channel.values:
        raise DomainError(CoreError.INVALID, _("Choose how the skill was gained."), "channel")
    if seed is None:
        seed = secrets.randbits(62)
    events = _population(
        commune=commune,
        period_from=period_from,
        period_to=period_to,
        channel=channel,
        helper=helper,
        klass=klass,
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
        klass=klass,
        percent=percent,
        seed=seed,
        population=len(ids),
        size=len(chosen),
    )
    if id is not None:
        rnd.id = id
    rnd.save(force_insert=True)
    rows = SkillEvent.objects.filter(pk__in=chosen).values_list(
        "pk", "channel", "helped_by_id", "class_gain__klass_id"
    )
    BackCheck.objects.bulk_create(
        [
            BackCheck(id=uuid7(), round=rnd, event_id=pk, channel=ch, helper_id=hp, klass_id=kl)
            for pk, ch, hp, kl in sorted(rows)
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
            "class": str(klass.pk) if klass is not None else None,
            "percent": str(percent),
            "seed": seed,
            "population": len(ids),
            "events": [str(x) for x in chosen],
        },
    )
    return rnd


def checkers(commune: Commune) -> QuerySet[Any]:
    """Users a check may go to: anyone with an active role in the commune (officers, desk
    staff, volunteers, mentors…)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__commune=commune,
            role_assignments__revoked_at__isnull=True,
        )
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def check_assign(*, actor: Any, round: CheckRound, checks: Sequence[UUID], user: Any) -> int:
    """Assign ``checks`` of the round to ``user``. Returns how many changed."""
    if not can_draw_checks(actor, round.commune_id):
        raise NotFound()
    if not checkers(round.commune).filter(pk=user.pk).exists():
        raise DomainError(
            SkillsError.NOT_A_CHECKER, _("Checks go to someone working in the commune."), "user"
        )
    n = (
        BackCheck.objects.filter(round=round, pk__in=list(checks))
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
    if not can_record_outcome(actor, check):
        raise NotFound()
    if outcome not in Outcome.values or outcome == Outcome.PENDING:
        raise DomainError(CoreError.INVALID, _("Choose the outcome."), "outcome")
    check = BackCheck.objects.select_for_update().select_related("event").get(pk=check.pk)
    if check.outcome == Outcome.NOT_CONFIRMED:
        if outcome == Outcome.NOT_CONFIRMED:
            return check
        raise DomainError(SkillsError.CHECK_CLOSED, _("This record was found wrong and withdrawn."))
    note = clean(note)
    before = check.outcome
    if outcome == Outcome.NOT_CONFIRMED:
        event = SkillEvent.objects.select_related("person__household", "skill").get(
            pk=check.event_id
        )
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
    ensure_checks(actor, commune.code)
    return (
        CheckRound.objects.filter(commune=commune)
        .select_related("drawn_by", "helper", "klass")
        .annotate(
            done=Count("checks", filter=~Q(checks__outcome=Outcome.PENDING)),
            not_confirmed=Count("checks", filter=Q(checks__outcome=Outcome.NOT_CONFIRMED)),
        )
        .order_by("-created_at")
    )


def round_get(actor: Any, round_id: UUID) -> CheckRound:
    rnd = (
        CheckRound.objects.select_related("commune", "drawn_by", "helper", "klass")
        .filter(pk=round_id)
        .first()
    )
    if rnd is None:
        raise NotFound()
    ensure_checks(actor, rnd.commune_id)
    return rnd


def round_checks(rnd: CheckRound) -> QuerySet[BackCheck]:
    return (
        BackCheck.objects.filter(round=rnd)
        .select_related(
            "event__person__household", "event__skill", "helper", "klass", "assigned_to"
        )
        .order_by("event_id")
    )


def check_get(actor: Any, check_id: UUID) -> BackCheck:
    check = BackCheck.objects.select_related("round").filter(pk=check_id).first()
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
    klass: str  # class title, "" when not a class
    klass_id: Any
    drawn: int
    confirmed: int
    not_confirmed: int
    unreachable: int

    @property
    def rate(self) -> float | None:
        asked = self.confirmed + self.not_confirmed
        return None if asked == 0 else self.confirmed / asked

    @property
    def percent(self) -> int | None:
        r = self.rate
        return None if r is None else round(r * 100)


def confirmation_rates(*, actor: Any, commune: Commune) -> list[GroupRate]:
    """Each group's figures over every round of the commune (one query)."""
    ensure_checks(actor, commune.code)
    rows = (
        BackCheck.objects.filter(round__commune=commune)
        .values(
            "channel",
            "helper_id",
            "helper__display_name",
            "helper__username",
            "klass_id",
            "klass__title",
        )
        .annotate(
            drawn=Count("pk"),
            confirmed=Count("pk", filter=Q(outcome=Outcome.CONFIRMED)),
            not_confirmed=Count("pk", filter=Q(outcome=Outcome.NOT_CONFIRMED)),
            unreachable=Count("pk", filter=Q(outcome=Outcome.UNREACHABLE)),
        )
        .order_by("channel", "klass__title", "helper__username")
    )
    return [
        GroupRate(
            channel=r["channel"],
            helper=r["helper__display_name"] or r["helper__username"] or "",
            helper_id=r["helper_id"],
            klass=r["klass__title"] or "",
            klass_id=r["klass_id"],
            drawn=r["drawn"],
            confirmed=r["confirmed"],
            not_confirmed=r["not_confirmed"],
            unreachable=r["unreachable"],
        )
        for r in rows
    ]
