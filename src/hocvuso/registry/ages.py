"""Ages: the one rule for "16+", "adult" and "elderly", on worklists and dashboards alike.

**The rule: a person is aged N+ in year Y when Y − year of birth ≥ N** — the age they reach
during the calendar year. It is chosen deliberately over "by the birthday":

- many people are registered with a year of birth only ("năm sinh"), and for them no other
  rule can be true;
- the dashboards count people per year of birth (the summary tables keep a row per commune,
  village and year of birth), so they can be current at every write and roll forward once a year
  — a birthday rule would change a figure every day without any write;
- the worklists then show exactly the people the dashboard counts (a village's "16+ without
  VNeID level 2" list has as many rows as that village's dashboard numerator, tested), and list a
  young person from January of the year they turn 16, so a helper can reach them in that year.

The law counts "từ đủ 16 tuổi" by the birthday; where a procedure needs the exact age (a CCCD
or VNeID application), the helper checks it with the person's papers, not with this figure.
People of unknown year of birth are never counted in an age-based figure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, IntegerField, Q, Value
from django.db.models.functions import Cast, Coalesce, ExtractYear

AGE_16 = 16  # "every citizen aged 16+ has a digital identity" (Mỗi công dân – Một danh tính số)
ADULT_AGE = 18  # "adults with the basic digital skill set" (the movement's overall aim)
ELDERLY_AGE = 60  # elderly-only households come first on the Digital Family worklist


def age_in(year: int, birth_year: int | None) -> int | None:
    """The age reached during ``year``; ``None`` when the year of birth is unknown (0 or None)."""
    if not birth_year:
        return None
    return year - birth_year


def is_aged(birth_year: int | None, year: int, age: int) -> bool:
    """Aged ``age`` or more in ``year`` (never, when the year of birth is unknown)."""
    reached = age_in(year, birth_year)
    return reached is not None and reached >= age


def latest_birth_year(age: int, year: int) -> int:
    """The last year of birth of people aged ``age`` or more in ``year``."""
    return year - age


def aged_q(age: int, year: int, prefix: str = "") -> Q:
    """People aged ``age`` or more in ``year`` (``prefix``: the path to the person): the rule of
    :func:`birth_year_expr`, written so that an index on the year of birth serves it."""
    last = latest_birth_year(age, year)
    return Q(**{f"{prefix}birth_year__lte": last}) | Q(
        **{f"{prefix}birth_year__isnull": True, f"{prefix}birth_date__lt": dt.date(last + 1, 1, 1)}
    )


def birth_year_expr(prefix: str = "") -> Any:
    """The year of birth as the figures count it: the year, else the date's year, else 0."""
    # The date's year cast to an integer: PostgreSQL's EXTRACT is numeric, which would make the
    # whole expression numeric — slower to group a national recount by (hashing, comparing).
    return Coalesce(
        F(f"{prefix}birth_year"),
        Cast(ExtractYear(f"{prefix}birth_date"), IntegerField()),
        Value(0),
        output_field=IntegerField(),
    )


def birth_year_of(birth_year: int | None, birth_date: dt.date | None) -> int:
    """The same rule in Python: the year, else the date's year, else 0 (unknown)."""
    return birth_year or (birth_date.year if birth_date else 0)
