"""Writes of the requests for help: asking (idempotent on the client's UUID v7), taking,
answering and closing, and the asker's withdrawing. Each step checks the access policy, locks
the row, moves the state one way (open → taken → answered → closed) and writes an audit row; the
same step sent again by the same user changes nothing (``replayed``).

Contact: "call me" needs the person's consent to be contacted by phone (the ``contact_phone``
purpose of :mod:`hocvuso.registry.purposes`) and a phone number on the record; a visit or the
desk needs nothing more than the request itself. A person whose processing is restricted, or who
objected to the tracking of their skills, cannot be put on a worklist.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.access.assistance import (
    can_ask_help,
    may_withdraw_help_request,
    may_work_help_request,
)
from hocvuso.assistance.errors import AssistanceError
from hocvuso.assistance.models import Contact, HelpRequest, Status
from hocvuso.core.actors import user_or_none
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import CoreError, DomainError, NotFound, ensure
from hocvuso.core.text import clean
from hocvuso.registry.models import Person
from hocvuso.registry.purposes import Purpose, permits, processing_check
from hocvuso.skills.models import Skill

#: At most this many requests of one person waiting or in hand at a time.
MAX_OPEN = 3
NEED_MAX = 1000
ANSWER_MAX = 2000


def _text(value: str, limit: int, field: str) -> str:
    text = clean(value or "")
    if len(text) > limit:
        raise DomainError(
            CoreError.INVALID,
            _("At most %(n)s characters, please.") % {"n": limit},
            field,
        )
    return text


@transaction.atomic
def help_request_ask(
    *,
    actor: Any,
    id: UUID,
    person: Person,
    contact: str,
    skill: Skill | None = None,
    need: str = "",
) -> HelpRequest:
    """A citizen asks for help for their own record. Idempotent on ``id``: the same request
    sent again returns the stored one (``replayed``); other content under the same id raises
    ``event_conflict``."""
    ensure(can_ask_help(actor, person))
    need = _text(need, NEED_MAX, "need")
    if skill is None and not need:
        raise DomainError(
            AssistanceError.NEED_REQUIRED,
            _("Choose a skill from the list or say in a few words what you need."),
            "need",
        )
    if contact not in Contact.values:
        raise DomainError(CoreError.INVALID, _("Choose how to be contacted."), "contact")
    # One person at a time: a replay racing its original waits, then finds it.
    person = (
        Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person.pk)
    )
    existing = HelpRequest.objects.filter(pk=id).first()
    if existing is not None:
        same = (
            existing.person_id == person.pk
            and existing.skill_id == (skill.pk if skill else None)
            and existing.need == need
            and existing.contact == contact
        )
        if not same:
            raise DomainError(
                CoreError.EVENT_CONFLICT,
                _("Another record with this identifier is already stored."),
                "id",
            )
        existing.replayed = True  # type: ignore[attr-defined]
        return existing
    processing_check(person, Purpose.SKILLS)
    if contact == Contact.PHONE:
        if not permits(person, Purpose.CONTACT_PHONE):
            raise DomainError(
                AssistanceError.CONTACT_NEEDS_CONSENT,
                _(
                    "To be called, first agree to be contacted by phone (on “My personal "
                    "data”), or choose another way."
                ),
                "contact",
            )
        if not person.phone:
            raise DomainError(
                AssistanceError.NO_PHONE,
                _("Your record has no phone number: choose another way to be contacted."),
                "contact",
            )
    waiting = HelpRequest.objects.filter(
        person=person, status__in=(Status.OPEN, Status.TAKEN)
    ).count()
    if waiting >= MAX_OPEN:
        raise DomainError(
            AssistanceError.TOO_MANY_OPEN,
            _("You already have %(n)s requests waiting: a helper will answer them first.")
            % {"n": waiting},
        )
    request = HelpRequest(
        id=id,
        person=person,
        commune_id=person.commune_id,
        village_id=person.household.village_id,
        skill=skill,
        need=need,
        contact=contact,
        asked_by=user_or_none(actor),
    )
    request.save(force_insert=True)
    audit_record(
        actor=actor,
        action=AuditAction.HELP_REQUEST_ASK,
        obj=request,
        # The need's words stay out of the trail (an erasure clears them from the request).
        changes={
            "person": str(person.pk),
            "skill": skill.code if skill else None,
            "contact": contact,
            "need_written": bool(need),
        },
    )
    request.replayed = False  # type: ignore[attr-defined]
    return request


def _locked(actor: Any, request: HelpRequest) -> HelpRequest:
    """The request, locked, if the actor may work it; not found otherwise."""
    if not may_work_help_request(actor, request):
        raise NotFound()
    return HelpRequest.objects.select_for_update().get(pk=request.pk)


def _wrong_state(r: HelpRequest) -> DomainError:
    if r.status == Status.CLOSED:
        message = _("This request is already closed.")
    else:
        message = _("Another helper has taken this request.")
    return DomainError(AssistanceError.WRONG_STATE, message, "status")


@transaction.atomic
def help_request_take(*, actor: Any, request: HelpRequest) -> HelpRequest:
    """A helper takes an open request (taking it again is a replay)."""
    r = _locked(actor, request)
    user = user_or_none(actor)
    if r.status == Status.TAKEN and r.taken_by_id == getattr(user, "pk", None):
        r.replayed = True  # type: ignore[attr-defined]
        return r
    if r.status != Status.OPEN:
        raise _wrong_state(r)
    r.status, r.taken_by, r.taken_at = Status.TAKEN, user, timezone.now()
    r.save(update_fields=["status", "taken_by", "taken_at"])
    audit_record(actor=actor, action=AuditAction.HELP_REQUEST_TAKE, obj=r, changes={})
    r.replayed = False  # type: ignore[attr-defined]
    return r


@transaction.atomic
def help_request_answer(*, actor: Any, request: HelpRequest, answer: str) -> HelpRequest:
    """Answer a request not yet closed: an open one is taken by answering it; one another
    helper has in hand may be answered too (a colleague at the desk steps in — the taker stays
    named); the same answer sent again is a replay. The citizen reads it on their home."""
    r = _locked(actor, request)
    user = user_or_none(actor)
    text = _text(answer, ANSWER_MAX, "answer")
    if not text:
        raise DomainError(
            AssistanceError.ANSWER_REQUIRED, _("Write what you did or advised."), "answer"
        )
    if r.status == Status.ANSWERED and r.answer == text:
        r.replayed = True  # type: ignore[attr-defined]
        return r
    if r.status == Status.CLOSED:
        raise _wrong_state(r)
    now = timezone.now()
    if r.taken_by_id is None:
        r.taken_by, r.taken_at = user, now
    r.status, r.answer, r.answered_by, r.answered_at = Status.ANSWERED, text, user, now
    r.save(update_fields=["status", "taken_by", "taken_at", "answer", "answered_by", "answered_at"])
    audit_record(actor=actor, action=AuditAction.HELP_REQUEST_ANSWER, obj=r, changes={})
    r.replayed = False  # type: ignore[attr-defined]
    return r


@transaction.atomic
def help_request_close(*, actor: Any, request: HelpRequest) -> HelpRequest:
    """Close an answered request (closing it again is a replay)."""
    r = _locked(actor, request)
    if r.status == Status.CLOSED:
        r.replayed = True  # type: ignore[attr-defined]
        return r
    if r.status != Status.ANSWERED:
        raise DomainError(
            AssistanceError.WRONG_STATE,
            _("Answer the request before closing it."),
            "answer",
        )
    r.status, r.closed_by, r.closed_at = Status.CLOSED, user_or_none(actor), timezone.now()
    r.save(update_fields=["status", "closed_by", "closed_at"])
    audit_record(actor=actor, action=AuditAction.HELP_REQUEST_CLOSE, obj=r, changes={})
    r.replayed = False  # type: ignore[attr-defined]
    return r


@transaction.atomic
def help_request_withdraw(*, actor: Any, request: HelpRequest) -> HelpRequest:
    """The asker withdraws a request nobody has answered yet (they managed, or no longer need
    it): it is closed in their name and leaves the worklists. Withdrawing again is a replay."""
    if not may_withdraw_help_request(actor, request):
        raise NotFound()
    r = HelpRequest.objects.select_for_update().get(pk=request.pk)
    user = user_or_none(actor)
    if r.status == Status.CLOSED and r.closed_by_id == getattr(user, "pk", None):
        r.replayed = True  # type: ignore[attr-defined]
        return r
    if r.status not in (Status.OPEN, Status.TAKEN):
        raise DomainError(
            AssistanceError.WRONG_STATE,
            _("This request has been answered already: it can no longer be withdrawn."),
            "status",
        )
    r.status, r.closed_by, r.closed_at = Status.CLOSED, user, timezone.now()
    r.save(update_fields=["status", "closed_by", "closed_at"])
    audit_record(actor=actor, action=AuditAction.HELP_REQUEST_WITHDRAW, obj=r, changes={})
    r.replayed = False  # type: ignore[attr-defined]
    return r
