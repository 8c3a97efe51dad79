"""What classes hold about a person: registrations (attended or not) and what they gained."""

from __future__ import annotations

from typing import Any

from hocvuso.classes.models import ClassGain, ClassRegistration
from hocvuso.core.export import when
from hocvuso.core.personal_data import FreeText, Provider, register


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


register(
    Provider(
        app="classes",
        models=("classes.classregistration", "classes.classgain"),
        export=export,
        free_text=(
            FreeText("classes.classevent", "title", "commune"),
            FreeText("classes.classevent", "address", "commune"),
        ),
    )
)
