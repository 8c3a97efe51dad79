"""The network columns and where each is defined: once, in its own app's ``figures`` module,
used alike by the live recount (``day=None``) and by the history rebuild (a month's last day),
and shown by that app's own pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from hocvuso.classes import figures as classes
from hocvuso.desk import figures as desk
from hocvuso.kpi.measures import NETWORK_COLUMNS
from hocvuso.learning import figures as learning
from hocvuso.mentoring import figures as mentoring

Figure = Callable[[Sequence[str], dt.date | None], dict[str, int]]

NETWORK: dict[str, Figure] = {
    "mentors": mentoring.mentors,
    "mentees": mentoring.mentees,
    "mentors_5": mentoring.mentors_at_goal,
    "desk_staff": desk.desk_staff,
    "desk_helped": desk.desk_helped,
    "classes": classes.classes,
    "class_participants": classes.participants,
    "class_volunteers": classes.volunteers,
    "learners": learning.learners,
    "courses_completed": learning.courses_completed,
    "certificates_valid": learning.certificates_valid,
}
assert tuple(NETWORK) == NETWORK_COLUMNS, "every network column has its one definition"


def network_counts(
    communes: Sequence[str], day: dt.date | None = None
) -> dict[str, tuple[int, ...]]:
    """Each commune's network columns (NETWORK_COLUMNS order), one grouped query per figure."""
    values = {name: figure(communes, day) for name, figure in NETWORK.items()}
    return {c: tuple(values[name].get(c, 0) for name in NETWORK_COLUMNS) for c in communes}
