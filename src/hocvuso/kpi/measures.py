"""The measures: what the summary tables count, and how the age-based ones are derived.

An indicator (a row of :class:`~hocvuso.kpi.models.Indicator`) is a numerator measure over a
denominator measure; every measure named here is a column of ``CommuneSummary`` (or, for
``communes`` and ``communes_with_desk``, derived from its rows when they are added up).

Age: the one rule of :mod:`hocvuso.registry.ages` (aged N+ in year Y when Y − year of birth ≥ N);
people of unknown year of birth count in ``persons`` but never in the age-based measures. What
one person and one household count for is :mod:`hocvuso.skills.facts`; the network columns are
each defined in their app's ``figures`` module (``summaries/network.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from hocvuso.registry.ages import ADULT_AGE, AGE_16, is_aged
from hocvuso.skills.facts import HOUSEHOLD_MEASURES, PERSON_MEASURES

# Columns of CohortSummary (people, by commune, village and year of birth).
PERSON_COLUMNS = PERSON_MEASURES
# Columns of VillageSummary (households, by commune and village).
HOUSEHOLD_COLUMNS = HOUSEHOLD_MEASURES
# Counted per commune from the helpers' networks.
NETWORK_COLUMNS = (
    "mentors",
    "mentees",
    "mentors_5",
    "desk_staff",
    "desk_helped",
    "classes",
    "class_participants",
    "class_volunteers",
    "learners",
    "courses_completed",
    "certificates_valid",
)
# Derived from cohorts for the year of the row.
AGE_COLUMNS = ("persons_16", "vneid2_16", "bank_16", "adults", "basic_adults")
# The person columns a commune row keeps as they are (not age-based).
PLAIN_PERSON_COLUMNS = ("persons", "guided", "traders", "t1", "t2", "t3", "t4", "t_all")
COMMUNE_COLUMNS = (
    *PLAIN_PERSON_COLUMNS,
    *AGE_COLUMNS,
    *HOUSEHOLD_COLUMNS,
    *NETWORK_COLUMNS,
)
# Derived when commune rows are added up.
UNIT_COLUMNS = ("communes", "communes_with_desk")
MEASURES = (*COMMUNE_COLUMNS, *UNIT_COLUMNS)

MEASURE_LABELS = {
    "persons": _("people"),
    "persons_16": _("people aged 16+"),
    "vneid2_16": _("people aged 16+ with VNeID level 2"),
    "bank_16": _("people aged 16+ with a digital bank account"),
    "adults": _("adults"),
    "basic_adults": _("adults with the basic skill set"),
    "guided": _("people guided at home"),
    "traders": _("traders and farmers"),
    "t1": _("traders/farmers with a digital shop profile"),
    "t2": _("traders/farmers selling online"),
    "t3": _("traders/farmers paying by QR"),
    "t4": _("traders/farmers saving digitally"),
    "t_all": _("traders/farmers with all four T"),
    "households": _("households"),
    "households_trained": _("households with a member who has the basic skill set"),
    "households_visited": _("households visited"),
    "mentors": _("active mentors"),
    "mentees": _("mentees"),
    "mentors_5": _("mentors guiding 5 or more"),
    "desk_staff": _("support-desk staff"),
    "desk_helped": _("citizens helped at the desk"),
    "classes": _("classes"),
    "class_participants": _("class participants"),
    "class_volunteers": _("class volunteers"),
    "learners": _("online learners"),
    "courses_completed": _("online courses completed"),
    "certificates_valid": _("valid certificates"),
    "communes": _("communes"),
    "communes_with_desk": _("communes with desk staff"),
}


# Every age :func:`age_counts` asks about: a year of birth counts for a year's row only through
# whether the person is aged each of these (the history groups years of birth by them).
AGE_LIMITS = (AGE_16, ADULT_AGE)


def age_counts(birth_year: int, counts: Sequence[int], year: int) -> tuple[int, ...]:
    """The age-based columns (AGE_COLUMNS order) one cohort row adds for ``year``; ``counts``
    in PERSON_COLUMNS order."""
    persons, vneid2, bank, basic = counts[0], counts[1], counts[2], counts[3]
    is16, adult = (is_aged(birth_year, year, age) for age in AGE_LIMITS)
    return (
        persons if is16 else 0,
        vneid2 if is16 else 0,
        bank if is16 else 0,
        persons if adult else 0,
        basic if adult else 0,
    )


def commune_counts(
    cohorts: Sequence[tuple[int, Sequence[int]]],
    households: Sequence[Sequence[int]],
    network: Sequence[int],
    year: int,
) -> tuple[int, ...]:
    """A commune row (COMMUNE_COLUMNS order) from its cohort rows ``(birth_year, counts)``, its
    village household rows and its network counts."""
    plain_index = [PERSON_COLUMNS.index(c) for c in PLAIN_PERSON_COLUMNS]
    plain = [0] * len(PLAIN_PERSON_COLUMNS)
    ages = [0] * len(AGE_COLUMNS)
    for birth_year, counts in cohorts:
        for i, j in enumerate(plain_index):
            plain[i] += counts[j]
        for i, v in enumerate(age_counts(birth_year, counts, year)):
            ages[i] += v
    house = [0] * len(HOUSEHOLD_COLUMNS)
    for row in households:
        for i, v in enumerate(row):
            house[i] += v
    return (*plain, *ages, *house, *network)
