"""Reads about personal data protection, always through the actor's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hocvuso.access.privacy import can_read_audit, can_read_privacy
from hocvuso.access.registry import person_q
from hocvuso.access.units import is_officer
from hocvuso.accounts.models import PhoneVerification, RoleAssignment
from hocvuso.classes.models import ClassGain, ClassRegistration
from hocvuso.core.audit import AuditAction
from hocvuso.core.errors import NotFound, ensure
from hocvuso.core.models import AuditLog
from hocvuso.desk.models import DeskVisit
from hocvuso.desk.models import Outcome as DeskOutcome
from hocvuso.geo.models import Commune
from hocvuso.mentoring.models import Mentor, MentoringSession, Mentorship
from hocvuso.outreach.models import FamilyGuide
from hocvuso.privacy.models import Consent, DataRequest
from hocvuso.registry.cccd import masked
from hocvuso.registry.ethnicity import ETHNICITY_NAMES
from hocvuso.registry.models import Person
from hocvuso.registry.selectors import person_get
from hocvuso.skills.models import (
    BackCheck,
    Channel,
    CheckOutcome,
    PersonSkillStatus,
    SkillEvent,
)
from hocvuso.teams.models import VisitPerson

AUDIT_PAGE_SIZE = 50


def privacy_person_get(actor: Any, person_id: Any) -> Person:
    """The person, if the actor may see their consents, requests and data (officers of the
    commune and above, and the person themself); not-found otherwise."""
    person = person_get(actor, person_id)
    if not can_read_privacy(actor, person):
        raise NotFound()
    return person


def _in_scope(qs: QuerySet[Any], actor: Any) -> QuerySet[Any]:
    return qs.filter(person__in=Person.objects.filter(person_q(actor)).values("pk"))


def consent_get(actor: Any, consent_id: Any) -> Consent:
    try:
        consent = _in_scope(Consent.objects.select_related("person"), actor).get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError):
        raise NotFound() from None
    if not can_read_privacy(actor, consent.person):
        raise NotFound()
    return consent


def data_request_get(actor: Any, request_id: Any) -> DataRequest:
    qs = DataRequest.objects.select_related("person__household", "person__commune")
    try:
        request = _in_scope(qs, actor).get(pk=request_id)
    except (DataRequest.DoesNotExist, ValueError):
        raise NotFound() from None
    if not can_read_privacy(actor, request.person):
        raise NotFound()
    return request


def consent_list(*, actor: Any, person: Person) -> QuerySet[Consent]:
    """The person's whole consent history, newest first."""
    if not can_read_privacy(actor, person):
        raise NotFound()
    return person.consents.select_related("recorded_by", "withdrawn_by").order_by("-given_at")


def data_request_list(*, actor: Any, person: Person) -> QuerySet[DataRequest]:
    if not can_read_privacy(actor, person):
        raise NotFound()
    return person.data_requests.order_by("-received_at")


def commune_data_requests(
    *, actor: Any, commune: Commune, status: str = ""
) -> QuerySet[DataRequest]:
    """A commune's data-subject requests (officers of the commune and above), newest first;
    ``status="open"`` keeps those not completed yet."""
    if not is_officer(actor, commune.code):
        raise NotFound()
    qs = DataRequest.objects.filter(person__commune=commune).select_related(
        "person__household", "requested_by"
    )
    if status == "open":
        qs = qs.filter(completed_at__isnull=True)
    return qs.order_by("-received_at")


def _when(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601, times in Vietnam's time zone (what the person reads)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return value.isoformat() if value is not None else None


def _user(user: Any) -> str | None:
    return str(user) if user is not None else None


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


# The tables holding rows about a person that the export carries (each app's, beyond the
# registry and privacy's own): a test fails when a model about a person is added and not here.
EXPORTED = (
    "accounts.roleassignment",
    "classes.classgain",
    "classes.classregistration",
    "desk.deskvisit",
    "mentoring.mentor",
    "mentoring.mentoringsession",
    "mentoring.mentorship",
    "outreach.familyguide",
    "privacy.consent",
    "privacy.datarequest",
    "skills.backcheck",
    "skills.personskillstatus",
    "skills.skillevent",
    "teams.visitperson",
)


def _programme_data(person: Person) -> dict[str, Any]:
    """What every programme app holds about the person: their skills and the checks of them,
    desk visits, being a family guide, mentoring, home visits, classes, linked accounts. Other
    people appear only as the helper's account name, never by their personal data."""
    status = PersonSkillStatus.objects.filter(person=person).first()
    events = list(
        SkillEvent.objects.filter(person=person)
        .select_related("skill", "helped_by", "recorded_by")
        .order_by("happened_on", "id")
    )
    checks = list(
        BackCheck.objects.filter(event__person=person)
        .select_related("round", "event__skill")
        .order_by("created_at", "id")
    )
    visits = list(
        DeskVisit.objects.filter(person=person).select_related("staff").order_by("happened_at")
    )
    guides = list(
        FamilyGuide.objects.filter(person=person).select_related("household").order_by("created_at")
    )
    mentor = Mentor.objects.filter(person=person).select_related("user").first()
    ships = list(
        Mentorship.objects.filter(mentee=person)
        .select_related("mentor__user")
        .order_by("started_on")
    )
    sessions = list(
        MentoringSession.objects.filter(mentee=person)
        .select_related("mentor__user")
        .order_by("happened_on", "id")
    )
    home = list(
        VisitPerson.objects.filter(person=person)
        .select_related("visit__team", "visit__visited_by")
        .order_by("visit__visited_at")
    )
    registrations = list(
        ClassRegistration.objects.filter(person=person)
        .select_related("klass")
        .order_by("created_at")
    )
    gains = list(
        ClassGain.objects.filter(person=person)
        .select_related("klass", "skill")
        .order_by("created_at")
    )
    accounts = list(
        RoleAssignment.objects.filter(person=person).select_related("user").order_by("created_at")
    )
    return {
        "skills": {
            "status": None
            if status is None
            else {
                "skills": status.skills,
                "basic_complete": status.basic_complete,
                "vneid_level": status.vneid_level,
                "has_bank_account": status.has_bank_account,
                "t4": status.t4,
                "last_event_on": _when(status.last_event_on),
            },
            "events": [
                {
                    "id": str(e.pk),
                    "skill": e.skill.code,
                    "skill_name": e.skill.name,
                    "happened_on": _when(e.happened_on),
                    "channel": e.channel,
                    "channel_label": _label(Channel, e.channel),
                    "helped_by": _user(e.helped_by),
                    "recorded_by": _user(e.recorded_by),
                    "note": e.note,
                    "reverses": str(e.reverses_id) if e.reverses_id else None,
                }
                for e in events
            ],
        },
        "back_checks": [
            {
                "id": str(c.pk),
                "event": str(c.event_id),
                "skill": c.event.skill.code,
                "drawn_on": _when(c.created_at),
                "outcome": c.outcome,
                "outcome_label": _label(CheckOutcome, c.outcome),
                "checked_at": _when(c.checked_at),
                "note": c.note,
            }
            for c in checks
        ],
        "desk_visits": [
            {
                "id": str(v.pk),
                "procedure": v.procedure,
                "outcome": v.outcome,
                "outcome_label": _label(DeskOutcome, v.outcome),
                "can_do_alone": v.can_do_alone,
                "happened_at": _when(v.happened_at),
                "staff": _user(v.staff),
                "note": v.note,
            }
            for v in visits
        ],
        "family_guide": [
            {
                "household": g.household.code,
                "since": _when(g.created_at),
                "ended_at": _when(g.ended_at),
            }
            for g in guides
        ],
        "mentoring": {
            "as_mentor": None
            if mentor is None
            else {
                "account": _user(mentor.user),
                "capacity": mentor.capacity,
                "languages": mentor.languages,
                "active": mentor.active,
                "since": _when(mentor.created_at),
            },
            "mentorships": [
                {
                    "mentor": _user(m.mentor.user),
                    "started_on": _when(m.started_on),
                    "ended_on": _when(m.ended_on),
                    "status": m.status,
                }
                for m in ships
            ],
            "sessions": [
                {
                    "id": str(x.pk),
                    "mentor": _user(x.mentor.user),
                    "happened_on": _when(x.happened_on),
                    "practised": x.practised,
                    "gained": x.gained,
                    "note": x.note,
                }
                for x in sessions
            ],
        },
        "home_visits": [
            {
                "visited_at": _when(h.visit.visited_at),
                "team": h.visit.team.name,
                "visited_by": _user(h.visit.visited_by),
                "guided": h.guided,
                "gained": h.gained,
            }
            for h in home
        ],
        "classes": {
            "registrations": [
                {
                    "class": r.klass.title,
                    "starts_at": _when(r.klass.starts_at),
                    "attended": r.attended,
                }
                for r in registrations
            ],
            "gains": [{"class": g.klass.title, "skill": g.skill.code} for g in gains],
        },
        "accounts": [
            {
                "username": a.user.get_username(),
                "role": a.role,
                "since": _when(a.created_at),
                "revoked_at": _when(a.revoked_at),
            }
            for a in accounts
        ],
    }


def person_data(person: Person) -> dict[str, Any]:
    """Everything held about one person, as plain JSON-ready values (see services.person_export,
    which checks the actor and records the export)."""
    person = Person.objects.select_related("household__village", "commune__province").get(
        pk=person.pk
    )
    household = person.household
    consents = list(person.consents.select_related("recorded_by", "withdrawn_by"))
    requests = list(person.data_requests.select_related("requested_by"))
    about = Q(object_type=person._meta.label_lower, object_id=str(person.pk))
    if consents:
        about |= Q(
            object_type=Consent._meta.label_lower, object_id__in=[str(c.pk) for c in consents]
        )
    if requests:
        about |= Q(
            object_type=DataRequest._meta.label_lower,
            object_id__in=[str(r.pk) for r in requests],
        )
    audit = AuditLog.objects.filter(about).select_related("actor").order_by("id")
    return {
        **_programme_data(person),
        "exported_at": _when(timezone.now()),
        "person": {
            "id": str(person.pk),
            "full_name": person.full_name,
            "date_of_birth": _when(person.birth_date),
            "year_of_birth": person.birth_year,
            "sex": person.sex,
            "sex_label": str(person.get_sex_display()),
            "ethnicity": person.ethnicity,
            "ethnicity_label": ETHNICITY_NAMES.get(person.ethnicity, ""),
            "cccd": masked(person.cccd_last3),
            "phone": person.phone,
            "occupation": person.occupation,
            "occupation_label": str(person.get_occupation_display()),
            "relationship": person.relationship,
            "relationship_label": str(person.get_relationship_display()),
            "special_needs": person.special_needs,
            "commune": {"code": person.commune_id, "name": person.commune.name},
            "province": {
                "code": person.commune.province_id,
                "name": person.commune.province.name,
            },
            "created_at": _when(person.created_at),
            "updated_at": _when(person.updated_at),
            "erased_at": _when(person.erased_at),
        },
        "household": {
            "id": str(household.pk),
            "code": household.code,
            "address": household.address,
            "village": household.village.name if household.village else None,
            "is_head": household.head_id == person.pk,
        },
        "consents": [
            {
                "id": str(c.pk),
                "purpose": c.purpose,
                "purpose_label": str(c.get_purpose_display()),
                "method": c.method,
                "method_label": str(c.get_method_display()),
                "witness": c.witness,
                "given_at": _when(c.given_at),
                "recorded_by": _user(c.recorded_by),
                "withdrawn_at": _when(c.withdrawn_at),
                "withdrawn_by": _user(c.withdrawn_by),
            }
            for c in consents
        ],
        "requests": [
            {
                "id": str(r.pk),
                "kind": r.kind,
                "kind_label": str(r.get_kind_display()),
                "channel": r.channel,
                "received_at": _when(r.received_at),
                "acknowledge_by": _when(r.acknowledge_by),
                "acknowledged_at": _when(r.acknowledged_at),
                "completed_at": _when(r.completed_at),
                "notes": r.notes,
            }
            for r in requests
        ],
        "audit": [
            {
                "at": _when(a.at),
                "action": a.action,
                "action_label": _label(AuditAction, a.action),
                "by": _user(a.actor) or "system",
                "object_type": a.object_type,
                "changes": a.changes,
            }
            for a in audit
        ],
    }


# --- The auditor's view ---------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_search(
    *,
    actor: Any,
    username: str = "",
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditLog]:
    """Audit rows, newest first, for national administrators only.

    ``username`` is exact (``system`` for rows written by commands and jobs); ``action`` matches
    a prefix (``person.`` finds every person action); ``since``/``until`` are local days, both
    included.
    """
    ensure(can_read_audit(actor))
    qs = AuditLog.objects.select_related("actor")
    if username:
        qs = (
            qs.filter(actor__isnull=True)
            if username == "system"
            else qs.filter(actor__username=username)
        )
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action__startswith=action)
    if since is not None:
        qs = qs.filter(at__gte=_day_start(since))
    if until is not None:
        qs = qs.filter(at__lt=_day_start(until + dt.timedelta(days=1)))
    return qs.order_by("-id")


def linked_accounts(*, actor: Any, person: Person) -> list[str]:
    """Usernames of the citizen accounts linked to the person (keepers only; else empty)."""
    from hocvuso.access.units import can_edit_commune

    if not can_edit_commune(actor, person.commune_id):
        return []
    return list(
        RoleAssignment.objects.filter(
            person=person, role="citizen", revoked_at__isnull=True
        ).values_list("user__username", flat=True)
    )


@dataclass(frozen=True)
class SmsRate:
    """Verification text messages of the last hour and day (the national admin watches for
    SMS pumping): sent, not sent because the number already has an account, the busiest
    address's requests this hour — and the limits in force."""

    sent_hour: int
    sent_day: int
    registered_hour: int
    addresses_hour: int
    busiest_address_hour: int
    limit_per_number: int
    limit_per_address: int
    limit_in_all: int


def sms_rate(*, actor: Any) -> SmsRate:
    ensure(can_read_audit(actor))
    now = timezone.now()
    hour = PhoneVerification.objects.filter(created_at__gt=now - dt.timedelta(hours=1))
    day = PhoneVerification.objects.filter(created_at__gt=now - dt.timedelta(days=1))
    per_address = list(
        hour.exclude(client="")
        .values("client")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
    )
    return SmsRate(
        sent_hour=hour.filter(sent=True).count(),
        sent_day=day.filter(sent=True).count(),
        registered_hour=hour.filter(sent=False).count(),
        addresses_hour=len(per_address),
        busiest_address_hour=per_address[0] if per_address else 0,
        limit_per_number=int(settings.HOCVUSO_PHONE_CODES_PER_HOUR),
        limit_per_address=int(settings.HOCVUSO_SMS_PER_ADDRESS_PER_HOUR),
        limit_in_all=int(settings.HOCVUSO_SMS_PER_HOUR),
    )
