"""What classes hold about a person: registrations (attended or not) and what they gained."""

from __future__ import annotations

from typing import Any

from hocvuso.classes.models import ClassGain, ClassRegistration
from hocvuso.core.export import when
from hocvuso.core.personal_data import FreeText, Provider, move_rows, register


def export(person: Any) -> dict[str, Any]:
    registrations = ClassRegistration.objects.filter(person=person).select_related("klass")
    gains = ClassGain.objects.filter(person=person).select_related("klass", "skill")
    return {
        "classes": {
            "registrations": [
                {
                    "class": r.klass.title,
                    "starts_at": when(r.klass.starts_at),
                    "attended": r.attended,
                }
                for r in registrations.order_by("created_at")
            ],
            "gains": [
                {"class": g.klass.title, "skill": g.skill.code}
                for g in gains.order_by("created_at")
            ],
        }
    }


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """Registrations and gains move, except where the survivor has the same one (registered
    for the same class twice): that one stays on the duplicate's record."""
    return {
        **move_rows(
            "classes.classregistration", "person", source, target, rows, unique_with=("klass_id",)
        ),
        **move_rows(
            "classes.classgain",
            "person",
            source,
            target,
            rows,
            unique_with=("klass_id", "skill_id"),
        ),
    }


register(
    Provider(
        app="classes",
        models=("classes.classregistration", "classes.classgain"),
        export=export,
        reassign=reassign,
        free_text=(
            FreeText("classes.classevent", "title", "commune"),
            FreeText("classes.classevent", "address", "commune"),
        ),
    )
)
