"""What the support desk holds about a person: their visits. Erasure keeps each visit (the
desk's figures) and clears its note."""

from __future__ import annotations

from typing import Any

from hocvuso.core.export import label, user_name, when
from hocvuso.core.personal_data import FreeText, Provider, move_rows, register
from hocvuso.desk.models import DeskVisit, Outcome


def export(person: Any) -> dict[str, Any]:
    visits = DeskVisit.objects.filter(person=person).select_related("staff").order_by("happened_at")
    return {
        "desk_visits": [
            {
                "id": str(v.pk),
                "procedure": v.procedure,
                "outcome": v.outcome,
                "outcome_label": label(Outcome, v.outcome),
                "can_do_alone": v.can_do_alone,
                "happened_at": when(v.happened_at),
                "staff": user_name(v.staff),
                "note": v.note,
            }
            for v in visits
        ]
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    return {
        "desk_visit_notes": DeskVisit.objects.filter(person=person).exclude(note="").update(note="")
    }


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    return move_rows("desk.deskvisit", "person", source, target, rows)


register(
    Provider(
        app="desk",
        models=("desk.deskvisit",),
        export=export,
        erase=erase,
        reassign=reassign,
        free_text=(FreeText("desk.deskvisit", "note", "commune"),),
    )
)
