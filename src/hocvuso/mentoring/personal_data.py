"""What mentoring holds about a person: being a digital ambassador (their languages), being
mentored and the sessions. Erasure keeps the mentorships and sessions (the network's figures)
and clears the session notes and the languages a mentor speaks (they tell an ethnicity)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.export import user_name, when
from hocvuso.core.personal_data import FreeText, Provider, register
from hocvuso.mentoring.errors import MentoringError
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


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """A mentor's profile and mentorships carry a role's scope (its mentees): a record that is
    in the network is not merged away — end the mentorship (or the profile) first."""
    if rows is None and (
        Mentor.objects.filter(person=source).exists()
        or Mentorship.objects.filter(Q(mentee=source)).exists()
    ):
        raise DomainError(
            MentoringError.IN_NETWORK,
            _(
                "This record is a digital ambassador or has a mentor: end that first, or keep "
                "this record and merge the other one into it."
            ),
        )
    return {}


register(
    Provider(
        app="mentoring",
        models=("mentoring.mentor", "mentoring.mentorship", "mentoring.mentoringsession"),
        export=export,
        erase=erase,
        reassign=reassign,
        free_text=(FreeText("mentoring.mentoringsession", "note", "mentee__commune"),),
    )
)
