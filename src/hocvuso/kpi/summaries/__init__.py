"""Keeping the summary tables true.

Two ways in, one truth:

- the hot path — :func:`~.deltas.status_changed`: ``skills`` announces
  (``core.hooks.statuses_changed``) in the transaction that rewrites people's status rows each
  changed person's old and new flags; the deltas are added to the cohort, village, commune and
  month rows with one statement per table per batch, so the cost follows the batch, not the
  population;
- the rarer writes announce ``core.hooks.facts_change`` around themselves (registering, moving
  or editing people and households, erasure, home visits): :class:`~.deltas.Tracker` reads the
  counted facts before and after and applies the difference; the networks announce
  ``network_changed`` (:func:`~.write.touch_network` recounts those columns) and a bulk import
  ``communes_rewritten`` (:func:`~.write.refresh` recounts the commune whole).

``kpi.apps`` connects these handlers. :func:`~.periods.roll_forward` re-derives the age-based
columns when the year changes (and opens the month rows); :func:`~.check.rebuild` recounts
everything; :func:`~.check.check` recounts and reports each difference without writing;
:mod:`~.history` rebuilds past months from the dated records.

What a person and a household count for is defined once, in :mod:`hocvuso.skills.facts`; each
network figure once, in its app's ``figures`` module (:mod:`.network` lists them).
"""

from hocvuso.core.dates import month_end, month_of, previous_month
from hocvuso.kpi.summaries.check import (
    SET_BATCH,
    Difference,
    check,
    check_closed_months,
    rebuild,
    whole_table,
)
from hocvuso.kpi.summaries.deltas import (
    Tracker,
    households_facts,
    people_facts,
    status_changed,
    tracking,
)
from hocvuso.kpi.summaries.history import HISTORY_BATCH, backfill, backfill_all, history
from hocvuso.kpi.summaries.households import (
    differing_facts,
    households_rewritten,
    priorities_changed,
    recount_communes,
    recount_facts,
)
from hocvuso.kpi.summaries.periods import areas_changed, close_months, roll_forward
from hocvuso.kpi.summaries.recount import (
    Recount,
    recount,
    recount_households,
    recount_network,
    recount_people,
)
from hocvuso.kpi.summaries.write import refresh, snapshot_months, touch_network

__all__ = [
    "HISTORY_BATCH",
    "SET_BATCH",
    "Difference",
    "Recount",
    "Tracker",
    "areas_changed",
    "backfill",
    "backfill_all",
    "check",
    "check_closed_months",
    "close_months",
    "differing_facts",
    "history",
    "households_facts",
    "households_rewritten",
    "month_end",
    "month_of",
    "people_facts",
    "previous_month",
    "priorities_changed",
    "rebuild",
    "recount",
    "recount_communes",
    "recount_facts",
    "recount_households",
    "recount_network",
    "recount_people",
    "refresh",
    "roll_forward",
    "snapshot_months",
    "status_changed",
    "touch_network",
    "tracking",
    "whole_table",
]
