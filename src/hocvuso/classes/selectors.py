"""Reads of the youth-campaign classes, scoped by :mod:`hocvuso.classes.access`. List queries
are set-based (counts annotated, skills prefetched): their number does not grow with the list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from hocvuso.access.classes import ensure_classes, roster_q, volunteer_q
from hocvuso.access.registry import self_q
from hocvuso.classes.models import ClassEvent, ClassGain, ClassRegistration
from hocvuso.core.errors import NotFound
from hocvuso.core.fetch import as_uuid
from hocvuso.geo.models import Commune
from hocvuso.skills.checks import Frame
from hocvuso.skills.models import Skill

# How a back-check round drawn over a class's gains names its frame.
CHECK_SOURCE = "class:{id}"


def class_list_keys(*, actor: Any, commune: Commune) -> QuerySet[ClassEvent]:
    """The commune's classes, newest first, without their counts: the list a page is cut from
    (:func:`class_rows` counts for a page's classes only)."""
    ensure_classes(actor, commune.code)
    return (
        ClassEvent.objects.filter(commune=commune)
        .select_related("organiser", "village")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("code")))
        .order_by("-starts_at", "pk")
    )


def class_rows(ids: list[Any]) -> QuerySet[ClassEvent]:
    """The classes ``ids`` (a page of :func:`class_list_keys`) as listed."""
    return _with_counts(
        ClassEvent.objects.filter(pk__in=ids)
        .select_related("organiser", "village")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("code")))
    )


def _listed_counts() -> dict[str, Count]:
    """A class's registered, attended and volunteers, as its row shows them."""
    return {
        "registered": Count("registrations", distinct=True),
        "attended": Count("registrations", filter=Q(registrations__attended=True), distinct=True),
        "volunteer_count": Count("volunteers", distinct=True),
    }


def _with_counts(qs: QuerySet[ClassEvent]) -> QuerySet[ClassEvent]:
    """Each class's registered, attended, volunteers and gains: a GROUP BY over the product of
    its registrations, volunteers and gains, so run it on a page's classes, never the commune's."""
    return qs.annotate(**_listed_counts(), gain_count=Count("gains", distinct=True))


@dataclass(frozen=True, slots=True)
class ClassValues:
    """A class as the API lists it: its own columns, the organiser's name (as ``str`` of the
    user: the display name, else the username), its topic skills' codes (in code order) and its
    counts: named as the API's row (``classes.api.ClassOut``)."""

    id: Any
    commune: str
    title: str
    branch: str
    village_id: Any
    address: str
    starts_at: dt.datetime
    capacity: int
    organiser: str
    skills: list[str]
    registered: int
    attended: int
    volunteers: int

    @property
    def pk(self) -> Any:
        return self.id


def class_values(ids: list[Any]) -> list[ClassValues]:
    """The classes ``ids`` (a page of :func:`class_list_keys`) as the API lists them, in two
    queries of values (for ``core.web.paginate(..., rows=class_values)``): the rows with their
    counts (grouped over the page's classes alone, without the gains the list does not show),
    then the page's topic skills."""
    # The counts are annotated from a dict: their names are not seen by the type checker.
    counted: QuerySet[Any] = ClassEvent.objects.filter(pk__in=ids).annotate(**_listed_counts())
    rows = counted.values_list(
        "id",
        "commune_id",
        "title",
        "branch",
        "village_id",
        "address",
        "starts_at",
        "capacity",
        "organiser__display_name",
        "organiser__username",
        "registered",
        "attended",
        "volunteer_count",
    )
    codes: dict[Any, list[str]] = {i: [] for i in ids}
    out = []
    for *own, shown, username, registered, attended, volunteers in rows:
        pk, commune, title, branch, village, address, starts_at, capacity = own
        out.append(
            ClassValues(
                pk,
                commune,
                title,
                branch,
                village,
                address,
                starts_at,
                capacity,
                shown or username,  # as ``str(organiser)``
                codes[pk],
                registered,
                attended,
                volunteers,
            )
        )
    # From the page's classes to their skills, by the classes' keys as the rows (a third of the
    # time of the same join read from the link table by its class column); a class without a
    # skill comes as one row with no code.
    topics = (
        ClassEvent.objects.filter(pk__in=ids)
        .order_by("skills__code")
        .values_list("pk", "skills__code")
    )
    for klass, code in topics:
        if code is not None:
            codes[klass].append(code)
    return out


def class_list(*, actor: Any, commune: Commune) -> QuerySet[ClassEvent]:
    """:func:`class_list_keys` with each class's counts."""
    return _with_counts(class_list_keys(actor=actor, commune=commune))


def class_get(actor: Any, class_id: UUID) -> ClassEvent:
    klass = (
        ClassEvent.objects.select_related("commune", "organiser", "village")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("code")), "volunteers")
        .filter(pk=class_id)
        .first()
    )
    if klass is None:
        raise NotFound()
    ensure_classes(actor, klass.commune_id)
    return klass


def class_registrations(*, actor: Any, klass: ClassEvent) -> list[ClassRegistration]:
    """The class's registrations the actor may see (all of them for whoever works the class;
    for another reader, only the people they see elsewhere), each with ``gained`` (the skill
    codes marked) and ``gained_names`` (their names, for the reader)."""
    regs = list(
        ClassRegistration.objects.filter(roster_q(actor, klass), klass=klass)
        .select_related("person__household__village")
        .order_by("person__full_name", "pk")
    )
    gained: dict[Any, dict[str, str]] = {}
    for gain in ClassGain.objects.filter(klass=klass).select_related("skill"):
        gained.setdefault(gain.person_id, {})[gain.skill.code] = gain.skill.name
    for r in regs:
        mine = gained.get(r.person_id, {})
        r.gained = sorted(mine)  # type: ignore[attr-defined]
        r.gained_names = [mine[code] for code in r.gained]  # type: ignore[attr-defined]
    return regs


def open_classes(*, actor: Any) -> list[tuple[ClassEvent, Any]]:
    """Upcoming classes in the communes of the people the actor is (a citizen: themself), with
    the seats taken — never who took them — and the person to sign up as."""
    from django.utils import timezone

    from hocvuso.registry.models import Person

    people = {p.commune_id: p for p in Person.objects.filter(self_q(actor))}
    if not people:
        return []
    classes = (
        ClassEvent.objects.filter(commune_id__in=people, starts_at__gte=timezone.now())
        .select_related("village", "commune")
        .annotate(registered=Count("registrations", distinct=True))
        .order_by("starts_at", "pk")[:50]
    )
    return [(c, people[c.commune_id]) for c in classes]


def class_counts(klass: ClassEvent) -> tuple[int, int]:
    """Registered and attended, over every registration of the class (counts, not names: the
    same for every reader)."""
    got = ClassRegistration.objects.filter(klass=klass).aggregate(
        registered=Count("pk"), attended=Count("pk", filter=Q(attended=True))
    )
    return int(got["registered"]), int(got["attended"])


def open_class_get(actor: Any, class_id: Any) -> tuple[ClassEvent, Any]:
    """An upcoming class the actor may sign up for, and the person they sign up as."""
    pk = as_uuid(class_id)
    for klass, person in open_classes(actor=actor):
        if klass.pk == pk:
            return klass, person
    raise NotFound()


def volunteer_candidates(commune: Commune) -> QuerySet[Any]:
    """Who may be named a volunteer of the commune's classes
    (:func:`hocvuso.access.classes.volunteer_q`)."""
    return (
        get_user_model().objects.filter(volunteer_q(commune.code)).distinct().order_by("username")
    )


def check_frame(klass: ClassEvent) -> Frame:
    """The class's gains as the sample frame of a back-check round: their skill events' ids
    (:func:`hocvuso.classes.services.gain_uuid`), named after the class."""
    events = list(ClassGain.objects.filter(klass=klass).values_list("event_id", flat=True))
    return Frame(source=CHECK_SOURCE.format(id=klass.pk), label=klass.title, events=events)
