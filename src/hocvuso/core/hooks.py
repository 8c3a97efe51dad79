"""In-transaction hooks: a lower layer announces what happened, a higher layer listens.

The domain apps sit below the consumers (``kpi`` keeps the dashboards' summary tables, and must
hear of every write that changes a figure), and must not import them. So a domain service
*announces* through one of the hooks below, and the consumer *connects* its handler in its
``AppConfig.ready()`` — the shape of Django's signals (and of Saleor's plugin manager), without
their senders and weak references. Receivers run synchronously, in the writer's transaction:
what they write commits or rolls back with the write that caused it, so a dashboard is never
a transaction behind its records.

- :data:`facts_change` — ``with facts_change(persons=…, households=…) as change:`` around a write
  that may change what these people or households count for (their commune, village, year of
  birth, occupation, household, …); ``change.add(persons=…, households=…)`` for rows the write
  creates. Receivers see the facts before and after.
- :data:`statuses_changed` — people's derived skill status changed: ``changes`` is a list of
  ``(person_id, before, after)`` with :class:`hocvuso.skills.facts.Flags`; ``known`` the facts
  of those people the writer already holds (so receivers need not read them again).
- :data:`network_changed` — the helpers' networks of these communes changed (mentors,
  mentorships, desk staff and visits, classes, attendance).
- :data:`communes_rewritten` — so much of these communes changed at once (a bulk import, a unit
  flag, a merger) that receivers should recount them whole; ``households``, when given: only
  these of their households changed what their lists show (the writer wrote the others' facts).
- :data:`areas_changed` — ``communes`` of these ``provinces`` were (un)marked remote /
  difficult or ethnic-minority, or ``villages`` were: figures broken down by area are added up
  again, and the households' priorities there worked out again.
- :data:`units_retired` — a newer official unit list retired communes: ``pairs`` of
  ``(retired code, successor code)``; the registry queues the job that moves their villages,
  households and people to the successor.
- :data:`persons_moved` — these ``persons`` now live in another commune (a move): whatever is
  derived from where a person lives (the province's basic skill set behind their status) is
  worked out again. Sent after the move's ``facts_change`` has closed.
- :data:`left_village` — households or people left a village (a household moved to another
  village, a person to a household of another village): ``rows`` of ``(kind, id, commune,
  village left)``; field devices that held the village drop them.
- :data:`role_revoked` — a role assignment ended (``actor``, ``assignment``): what it opened in
  a programme app (a team membership) ends with it.
- :data:`external_signed_in` — someone signed in through an identity provider (``user``,
  ``claims``): the roles app links a citizen's account to their registry person by the CCCD claim.
- :data:`citizen_linked` — an account was linked to its registry person (``actor``, ``user``,
  ``person``; a citizen role granted by an officer or by the VNeID sign-in): what the account
  did before (online learning) counts from now on where the person lives.
- :data:`skill_event_reversed` — a skill event was withdrawn (``actor``, ``event``, ``reversal``):
  what stands on it (a learning certificate) is revoked in the same transaction.
- :data:`invitation_accepted` — an invitation became an account and a role (``invitation``,
  ``user``, ``assignment``): the app the invitation was for (a team) makes its own record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from uuid import UUID


class Hook:
    """A point a service announces; receivers are called in the order they connected."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[..., None]] = []

    def connect(self, receiver: Callable[..., None]) -> Callable[..., None]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., None]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    def send(self, **kwargs: Any) -> None:
        for receiver in self._receivers:
            receiver(**kwargs)


class Tracker(Protocol):
    """What a receiver of :data:`facts_change` returns: it has read the facts before the write."""

    def add(self, *, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> None: ...

    def close(self) -> None: ...


class Change:
    """Handed to the writer inside ``with facts_change(...)``: rows the write creates are added."""

    def __init__(self, trackers: list[Tracker]) -> None:
        self._trackers = trackers
        self.void = False

    def nothing_changed(self) -> None:
        """The write turned out to change nothing (a replay): the trackers are not closed."""
        self.void = True

    def add(self, *, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()) -> None:
        persons, households = list(persons), list(households)
        for tracker in self._trackers:
            tracker.add(persons=persons, households=households)


class ChangeHook:
    """A hook around a write: each receiver ``(persons=…, households=…) -> Tracker`` reads what
    it needs before the write, and is closed after it (not after a write that raised: its
    transaction is rolled back anyway)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[..., Tracker]] = []

    def connect(self, receiver: Callable[..., Tracker]) -> Callable[..., Tracker]:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., Tracker]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @contextmanager
    def __call__(
        self, *, persons: Iterable[UUID] = (), households: Iterable[UUID] = ()
    ) -> Iterator[Change]:
        persons, households = list(persons), list(households)
        trackers = [r(persons=persons, households=households) for r in self._receivers]
        change = Change(trackers)
        yield change
        if not change.void:
            for tracker in trackers:
                tracker.close()


facts_change = ChangeHook("facts_change")
statuses_changed = Hook("statuses_changed")
network_changed = Hook("network_changed")
communes_rewritten = Hook("communes_rewritten")
areas_changed = Hook("areas_changed")
left_village = Hook("left_village")
persons_moved = Hook("persons_moved")
units_retired = Hook("units_retired")
role_revoked = Hook("role_revoked")
invitation_accepted = Hook("invitation_accepted")
skill_event_reversed = Hook("skill_event_reversed")
external_signed_in = Hook("external_signed_in")
citizen_linked = Hook("citizen_linked")
