"""The audit trail: every service that changes data calls :func:`audit_record`; a bulk change
(an import) writes one entry and an :class:`~hocvuso.core.models.AuditItem` per object it
touched, which :func:`items_about` reads back as that object's lines."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hocvuso.core.actors import user_or_none
from hocvuso.core.context import current_request_id
from hocvuso.core.models import AuditItem, AuditLog

MASK = "***"


class AuditAction(models.TextChoices):
    """Every action the audit trail records (the value stored; the label shown to people)."""

    ACCOUNT_REGISTER = "account.register", _("Account registered by phone")
    ADMIN_CHANGE = "admin.change", _("Changed in the back office")
    AUDIT_EXPORT = "audit.export", _("Audit trail downloaded")
    BREACH_CLOSE = "breach.close", _("Breach closed")
    BREACH_NOTIFY_AUTHORITY = "breach.notify_authority", _("Breach reported to the authority")
    BREACH_NOTIFY_PERSONS = "breach.notify_persons", _("Persons told of a breach")
    BREACH_RECORD = "breach.record", _("Breach recorded")
    BREACH_UPDATE = "breach.update", _("Breach changed")
    AUTH_2FA_DISABLE = "auth.2fa_disable", _("Second factor removed")
    AUTH_2FA_ENROL = "auth.2fa_enrol", _("Second factor set up")
    AUTH_LOCKED_OUT = "auth.locked_out", _("Sign-in locked")
    AUTH_LOGIN = "auth.login", _("Signed in")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    AUTH_LOGOUT = "auth.logout", _("Signed out")
    AUTH_OTP_FAILED = "auth.otp_failed", _("Wrong second-factor code")
    AUTH_RECOVERY_CODE_USED = "auth.recovery_code_used", _("Recovery code used")
    AUTH_RECOVERY_CODES = "auth.recovery_codes", _("Recovery codes made")
    CHECK_ASSIGN = "check.assign", _("Back-checks assigned")
    CHECK_OUTCOME = "check.outcome", _("Back-check outcome recorded")
    CHECK_ROUND_DRAW = "check_round.draw", _("Back-check round drawn")
    CERTIFICATE_ISSUE = "certificate.issue", _("Certificate issued")
    CERTIFICATE_REVOKE = "certificate.revoke", _("Certificate revoked")
    CLASS_ATTENDANCE = "class.attendance", _("Class attendance taken")
    CLASS_CREATE = "class.create", _("Class created")
    CLASS_GAINS = "class.gains", _("Skills gained at a class")
    CLASS_REGISTER = "class.register", _("Registered for a class")
    CONSENT_RECORD = "consent.record", _("Consent recorded")
    COURSE_LOAD = "course.load", _("Course version loaded")
    COURSE_PUBLISH = "course.publish", _("Course version published")
    CONSENT_WITHDRAW = "consent.withdraw", _("Consent withdrawn")
    DESK_VISIT_RECORD = "desk_visit.record", _("Desk visit logged")
    FAMILY_GUIDE_SET = "family_guide.set", _("Family guide named")
    HELP_REQUEST_ANSWER = "help_request.answer", _("Request for help answered")
    HELP_REQUEST_ASK = "help_request.ask", _("Help asked for")
    HELP_REQUEST_CLOSE = "help_request.close", _("Request for help closed")
    HELP_REQUEST_TAKE = "help_request.take", _("Request for help taken")
    HELP_REQUEST_WITHDRAW = "help_request.withdraw", _("Request for help withdrawn")
    HOUSEHOLD_CREATE = "household.create", _("Household added")
    HOUSEHOLD_UPDATE = "household.update", _("Household changed")
    ID_KEY_ROTATE = "id_key.rotate", _("ID numbers re-protected with the current key")
    IMPORT_CONFIRM_VILLAGES = "import.confirm_villages", _("Import villages confirmed")
    IMPORT_CREATE = "import.create", _("Import started")
    IMPORT_DOWNLOAD_REJECTS = "import.download_rejects", _("Rejected rows downloaded")
    IMPORT_PERSON = "import.person", _("Person written by an import")
    INVITATION_ACCEPT = "invitation.accept", _("Invitation accepted")
    INVITATION_CREATE = "invitation.create", _("Invitation made")
    INVITATION_REVOKE = "invitation.revoke", _("Invitation withdrawn")
    MENTOR_ACTIVATE = "mentor.activate", _("Mentor resumed")
    MENTOR_CREATE = "mentor.create", _("Mentor appointed")
    MENTOR_UPDATE = "mentor.update", _("Mentor changed")
    MENTORING_SESSION_RECORD = "mentoring_session.record", _("Mentoring session recorded")
    MENTORSHIP_END = "mentorship.end", _("Mentorship ended")
    MENTORSHIP_START = "mentorship.start", _("Mentorship started")
    PERSON_ERASE = "person.erase", _("Personal data erased")
    PERSON_MERGE = "person.merge", _("Two records of one person merged")
    UNIT_RETIRE = "unit.retire", _("Unit retired by a newer official list")
    UNIT_TRANSFER = "unit.transfer", _("Registry of a retired unit moved to its successor")
    PERSON_SPLIT = "person.split", _("A merge of records undone")
    PERSON_NOT_DUPLICATE = "person.not_duplicate", _("Two records found to be two people")
    PERSON_MOVE = "person.move", _("Person moved to another commune")
    HOUSEHOLD_MOVE = "household.move", _("Household moved to another commune")
    PERSON_RESTRICT = "person.restrict", _("Processing restricted")
    PERSON_UNRESTRICT = "person.unrestrict", _("Restriction lifted")
    PERSON_OBJECT = "person.object", _("Objection to processing applied")
    PERSON_REGISTER = "person.register", _("Person registered")
    PERSON_REVEAL_CCCD = "person.reveal_cccd", _("Full CCCD shown")
    PERSON_UPDATE = "person.update", _("Person changed")
    PRIVACY_EXPORT = "privacy.export", _("Personal data exported")
    PRIVACY_REQUEST = "privacy.request", _("Data-subject request received")
    PRIVACY_REQUEST_ACKNOWLEDGE = "privacy.request_acknowledge", _("Request acknowledged")
    PRIVACY_REQUEST_COMPLETE = "privacy.request_complete", _("Request completed")
    REGISTRY_IMPORT = "registry.import", _("Resident list imported")
    ADMIN_ADD = "admin.add", _("Added in the back office")
    ADMIN_DELETE = "admin.delete", _("Deleted in the back office")
    PERSON_IMPORT_CREATE = "person.import_create", _("Person added by an import")
    PERSON_IMPORT_UPDATE = "person.import_update", _("Person changed by an import")
    ROLE_GRANT = "role.grant", _("Role given")
    ROLE_REVOKE = "role.revoke", _("Role revoked")
    ROLE_UPDATE = "role.update", _("Role's villages changed")
    SKILL_UPDATE = "skill.update", _("Skill changed")
    SKILL_EVENT_RECORD = "skill_event.record", _("Skill recorded")
    SKILL_EVENT_REVERSE = "skill_event.reverse", _("Skill record withdrawn")
    SKILL_SET_UPDATE = "skill_set.update", _("Skill set changed")
    SYNC_CONFLICT_RESOLVE = "sync_conflict.resolve", _("Field app conflict decided")
    TARGET_CLEAR = "target.clear", _("Target cleared")
    TARGET_SET = "target.set", _("Target set")
    TEAM_CLAIM_RELEASE = "team.claim_release", _("Household released")
    TEAM_CLAIM_TAKE = "team.claim_take", _("Household taken")
    TEAM_CREATE = "team.create", _("Team created")
    TEAM_MEMBER_ADD = "team.member_add", _("Team member added")
    TEAM_MEMBER_REMOVE = "team.member_remove", _("Team member removed")
    TEAM_UPDATE = "team.update", _("Team changed")
    TEAM_VISIT_RECORD = "team.visit_record", _("Home visit recorded")
    TOKEN_CREATE = "token.create", _("Device token made")
    TOKEN_REVOKE = "token.revoke", _("Device token revoked")
    UNIT_FLAGS = "unit.flags", _("Area flags changed")
    VILLAGE_CREATE = "village.create", _("Village added")
    VILLAGE_UPDATE = "village.update", _("Village changed")


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys by id), ready to diff and store as JSON."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(instance, attname))
    return out


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], *, masked: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """Field → [old, new] for the fields that changed; ``masked`` fields show only that they did."""
    hidden = set(masked)
    changes: dict[str, list[Any]] = {}
    for key in after:
        old, new = before.get(key), after[key]
        if old != new:
            changes[key] = [MASK, MASK] if key in hidden else [old, new]
    return changes


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row. ``changes`` must already be masked (see :func:`diff`)."""
    return AuditLog.objects.create(
        actor=user_or_none(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=dict(changes or {}),
        request_id=current_request_id() or "",
    )


def _object_key(object_id: Any) -> uuid.UUID | None:
    """The UUID of an object named by id or text (items are about UUID-keyed objects only)."""
    try:
        return uuid.UUID(str(object_id))
    except ValueError:
        return None


def item_entries(object_id: Any) -> QuerySet[AuditItem, Any] | None:
    """The ids of the bulk changes' entries that touched one object, as a subquery
    (``id__in=``); ``None`` when the id cannot be an item's."""
    key = _object_key(object_id)
    if key is None:
        return None
    return AuditItem.objects.filter(object_id=key).values("entry_id")


def items_about(object_id: Any) -> list[tuple[AuditItem, AuditLog | None]]:
    """The bulk changes' lines about one object (by its UUID), oldest first, each with its
    entry (who, when, from which request); ``None`` for an entry whose month was archived.
    Two queries whatever the number of lines."""
    key = _object_key(object_id)
    if key is None:
        return []
    items = list(AuditItem.objects.filter(object_id=key).order_by("entry_id"))
    if not items:
        return []
    entries = AuditLog.objects.select_related("actor").in_bulk({i.entry_id for i in items})
    return [(i, entries.get(i.entry_id)) for i in items]
