"""What outreach holds about a person: being (or having been) their household's family
guide. Nothing in it identifies the person beyond the link, so erasure keeps it as it is."""

from __future__ import annotations

from typing import Any

from hocvuso.core.export import when
from hocvuso.core.personal_data import Provider, register
from hocvuso.outreach.models import FamilyGuide


def export(person: Any) -> dict[str, Any]:
    guides = FamilyGuide.objects.filter(person=person).select_related("household")
    return {
        "family_guide": [
            {
                "household": g.household.code,
                "since": when(g.created_at),
                "ended_at": when(g.ended_at),
            }
            for g in guides.order_by("created_at")
        ]
    }


register(Provider(app="outreach", models=("outreach.familyguide",), export=export))
