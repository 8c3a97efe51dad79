"""What mentoring holds about a person: being a digital ambassador (their languages), being
mentored and the sessions. Erasure keeps the mentorships and sessions (the network's figures)
and clears the session notes and the languages a mentor speaks (they tell an ethnicity)."""

from __future__ import annotations

from typing import Any

from hocvuso.core.export import user_name, when
from hocvuso.core.personal_data import FreeText, Provider, register
from hocvuso.mentoring.models import Mentor, MentoringSession, Mentorship


def export(person: Any) -> dict[str, Any]:
    mentor = Mentor.objects.filter(person=person).select_related("user").first()
    ships = Mentorship.objects.filter(mentee=person).select_related("mentor__user")
    sessions = MentoringSession.objects.filter(mentee=person).select_related("mentor__user")
    return {
        "mentoring": {
            "as_mentor": None
            if mentor is None
            else {
                "account": user_name(mentor.user),
                "capacity": mentor.capacity,
                "languages": mentor.languages,
                "active": mentor.active,
                "since": when(mentor.created_at),
            },
            "mentorships": [
                {
                    "mentor": user_name(m.mentor.user),
                    "started_on": when(m.started_on),
                    "ended_on": when(m.ended_on),
                    "status": m.status,
                }
                for m in ships.order_by("started_on")
            ],
            "sessions": [
                {
                    "id": str(x.pk),
                    "mentor": user_name(x.mentor.user),
                    "happened_on": when(x.happened_on),
                    "practised": x.practised,
                    "gained": x.gained,
                    "note": x.note,
                }
                for x in sessions.order_by("happened_on", "id")
            ],
        }
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    return {
        "session_notes": MentoringSession.objects.filter(mentee=person)
        .exclude(note="")
        .update(note=""),
        "mentor_languages": Mentor.objects.filter(person=person)
        .exclude(languages=[])
        .update(languages=[]),
    }


register(
    Provider(
        app="mentoring",
        models=("mentoring.mentor", "mentoring.mentorship", "mentoring.mentoringsession"),
        export=export,
        erase=erase,
        free_text=(FreeText("mentoring.mentoringsession", "note", "mentee__commune"),),
    )
)
