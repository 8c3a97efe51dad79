"""What skills holds about a person: their derived status, their skill events and the
back-checks of them. Erasure keeps every event and status (the figures) and clears the notes."""

from __future__ import annotations

from typing import Any

from hocvuso.core.export import label, user_name, when
from hocvuso.core.personal_data import FreeText, Provider, move_rows, register
from hocvuso.skills.models import BackCheck, Channel, CheckOutcome, PersonSkillStatus, SkillEvent


def export(person: Any) -> dict[str, Any]:
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
                "last_event_on": when(status.last_event_on),
            },
            "events": [
                {
                    "id": str(e.pk),
                    "skill": e.skill.code,
                    "skill_name": e.skill.name,
                    "happened_on": when(e.happened_on),
                    "channel": e.channel,
                    "channel_label": label(Channel, e.channel),
                    "helped_by": user_name(e.helped_by),
                    "recorded_by": user_name(e.recorded_by),
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
                "skill_name": c.event.skill.name,
                "drawn_on": when(c.created_at),
                "outcome": c.outcome,
                "outcome_label": label(CheckOutcome, c.outcome),
                "checked_at": when(c.checked_at),
                "note": c.note,
            }
            for c in checks
        ],
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    """Notes go; the events (append-only, what the status and the figures come from) stay."""
    return {
        "skill_event_notes": SkillEvent.objects.filter(person=person)
        .exclude(note="")
        .update(note=""),
        "back_check_notes": BackCheck.objects.filter(event__person=person)
        .exclude(note="")
        .update(note=""),
    }


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """A merge: the events move (with them their back-checks); both statuses are derived
    again from the events each now holds."""
    from hocvuso.skills.facts import skill_sets
    from hocvuso.skills.status import status_refresh

    moved = move_rows("skills.skillevent", "person", source, target, rows)
    if moved:
        status_refresh([source.pk, target.pk], sets=skill_sets())
    return moved


register(
    Provider(
        app="skills",
        models=("skills.skillevent", "skills.personskillstatus", "skills.backcheck"),
        export=export,
        erase=erase,
        reassign=reassign,
        free_text=(
            FreeText("skills.skillevent", "note", "person__commune"),
            FreeText("skills.backcheck", "note", "event__person__commune"),
        ),
    )
)
