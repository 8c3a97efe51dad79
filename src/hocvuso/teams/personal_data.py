"""What the community tech teams hold about a person: the home visits they were present at
(who guided them, what they gained). The visit's notes are about the household and may name
its people: erasure scrubs the person's name and numbers from them and keeps every visit."""

from __future__ import annotations

from typing import Any

from hocvuso.core.export import user_name, when
from hocvuso.core.personal_data import FreeText, Provider, move_rows, register
from hocvuso.teams.models import VisitPerson


def export(person: Any) -> dict[str, Any]:
    present = (
        VisitPerson.objects.filter(person=person)
        .select_related("visit__team", "visit__visited_by")
        .order_by("visit__visited_at")
    )
    return {
        "home_visits": [
            {
                "visited_at": when(h.visit.visited_at),
                "team": h.visit.team.name,
                "visited_by": user_name(h.visit.visited_by),
                "guided": h.guided,
                "gained": h.gained,
            }
            for h in present
        ]
    }


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """Home visits the duplicate was present at (unless the survivor was at the same one)."""
    return move_rows("teams.visitperson", "person", source, target, rows, unique_with=("visit_id",))


register(
    Provider(
        app="teams",
        models=("teams.visitperson",),
        export=export,
        reassign=reassign,
        free_text=(
            FreeText("teams.visit", "note", "household__commune"),
            FreeText("teams.visit", "issues_note", "household__commune"),
        ),
    )
)
