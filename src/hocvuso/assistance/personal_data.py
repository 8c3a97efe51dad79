"""What the requests for help hold about a person: their requests. Erasure keeps each request
(its state and times) and clears the words of the need and of the answer; a merge moves them to
the surviving record."""

from __future__ import annotations

from typing import Any

from hocvuso.assistance.models import Contact, HelpRequest, Status
from hocvuso.core.export import label, user_name, when
from hocvuso.core.personal_data import FreeText, Provider, move_rows, register


def export(person: Any) -> dict[str, Any]:
    rows = (
        HelpRequest.objects.filter(person=person)
        .select_related("skill", "taken_by", "answered_by")
        .order_by("created_at")
    )
    return {
        "help_requests": [
            {
                "id": str(r.pk),
                "skill": r.skill.code if r.skill else None,
                "need": r.need,
                "contact": r.contact,
                "contact_label": label(Contact, r.contact),
                "status": r.status,
                "status_label": label(Status, r.status),
                "asked_at": when(r.created_at),
                "taken_by": user_name(r.taken_by),
                "answer": r.answer,
                "answered_by": user_name(r.answered_by),
                "closed_at": when(r.closed_at),
            }
            for r in rows
        ]
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    rows = HelpRequest.objects.filter(person=person)
    return {
        "help_request_needs": rows.exclude(need="").update(need=""),
        "help_request_answers": rows.exclude(answer="").update(answer=""),
    }


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """A merge moves the duplicate's requests to the survivor (a split moves them back)."""
    return move_rows("assistance.helprequest", "person", source, target, rows)


register(
    Provider(
        app="assistance",
        models=("assistance.helprequest",),
        export=export,
        erase=erase,
        reassign=reassign,
        free_text=(
            FreeText("assistance.helprequest", "need", "commune"),
            FreeText("assistance.helprequest", "answer", "commune"),
        ),
    )
)
