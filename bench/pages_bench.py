"""Paged lists benchmark: what a page of a list costs as one commune grows (issue 15).

    python bench/pages_bench.py [--sizes 1000 10000 50000] [--db sqlite|postgres|both]
        [--before REV] [--after REV] [--rounds 3] [--repeat 10]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]

For each database:

1. a fresh database of its own — PostgreSQL: ``hocvuso_pages_<pid>_<random>``, created and at the
   end dropped by the script (only that one); SQLite: a file in a temporary directory —,
   ``migrate``, ``load_units``, ``load_courses`` (the shipped courses) and one commune officer
   (with a passed second factor: they read every list below, no other role needed);
2. one commune grown to each size in turn with the synthetic population of ``hocvuso synth``
   (``registry.synthetic``: realistic households of ~3.5 persons in 8 villages, imported through
   ``registry_import`` as a user's import would be), nobody trained in the worklists' skills:
   everyone is on every worklist (the lists at their longest). Then the other lists' entries,
   in proportion to the persons imported — each size adds what is missing to reach the
   proportion (the commune grows 1,000 → 10,000 → … in the same database), set-based
   (``bulk_create`` in batches, no service call per row), shaped as the services make them:

   - one team covering all the commune's villages, with one leader (its plan lists the
     commune's households);
   - a desk visit for every 3 persons (an adult, a procedure of the desk's list, helped or not
     done, over the last year, logged by the officer; none "can do it alone", so no skill
     event);
   - a citizen account for every 20 persons (an adult's, linked by a citizen role), each
     enrolled in the shipped course ``dien-thoai-an-toan`` (started, no step done) and each
     with one open request for help (a catalogue skill or a need in words, a visit or the desk:
     the worklist shows the open ones by default);
   - a class for every 40 persons (a topic skill outside the worklists' sets, over the last
     year, organised by the officer) with 4–6 registered adults, all but one attended, each
     attendee's gain recorded as a class skill event (through
     ``skills.services.skill_events_record_batch``, which keeps the status rows and the
     dashboards' summaries true); and one back-check round a class, drawn as the class page
     draws it (its gains the sample frame, 60 %), the checks confirmed, unreachable or still
     to do;
   - a mentor for every 40 persons (an adult with an account and the mentor role, reaching
     their mentees) with 2–3 active mentees who have no mentor;
   - a data-subject request for every 40 persons (access or correction, some acknowledged,
     some completed).

   The rows written in bulk carry no audit entries (no list reads them; the skill events,
   the team and its leader go through their services and are audited). The dashboards'
   network columns are recounted once at the end (``core.hooks.network_changed``, as every
   service that adds mentors, desk visits, classes or enrolments announces). Then ``ANALYZE``
   (fresh planner statistics, as autovacuum gathers them after a big import on PostgreSQL);
3. at each size, **paired rounds**: two worker processes serve the same database, one running
   the code of ``--before`` (a revision exported with ``git archive``, default the commit before
   the paged-list work), one the code of ``--after`` (default ``HEAD``, exported the same way:
   editing the working tree during a run changes nothing); each round runs both, alternating
   which goes first, and each worker requests every list at page 1 and page 50 with
   ``django.test.Client`` (2 warm-ups, then ``--repeat`` timed requests: the whole request,
   template and middleware included). The machine's 1-minute load is recorded at every round.

Lists (``LISTS``): the pages ``ui:commune`` (its household list), ``outreach:families``,
``outreach:identity`` (VNeID), ``outreach:t4``, ``teams:plan`` (the team's door-to-door plan),
``desk:visits`` (the desk log), ``classes:list``, ``skills:check_rounds`` (back-check rounds),
``assistance:worklist`` (requests for help), ``mentoring:mentors``, ``learning:commune`` (the
commune's online enrolments) and ``privacy:commune_requests`` (data-subject requests); the API
lists ``api:outreach_families``, ``api:outreach_identity``, ``api:outreach_t4``,
``api:desk_visits``, ``api:classes_list``, ``api:assistance_requests``,
``api:mentoring_mentors`` and ``api:teams_plan``.
A list whose url name a revision does not have is recorded as missing for that revision only
(and an error page as its status), the others are measured. Below 1,250 entries page 50 is past
the end and the list answers its last page (the paging rule of every list), so at 1,000 persons
"page 50" is the last page.

It prints, per database and size, how long the growth took and what it made; then for each list
and page its entries (counted from the tables at the end of the growth, with a note when the
list's own paginator shows another count or the list is not paged), the status and the queries
of one request for both codes, the p50 / p95 of both, the median of the per-round ratios
(after / before p50) with their range, and the load; it ends with one line of JSON. Timing never
fails anything: the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The main branch the paged-list work of issue 15 was rebased on (its "before").
DEFAULT_BEFORE = "111f326"
OFFICER = "bench.canbo"
TEAM = "Tổ công nghệ số cộng đồng (bench)"
TEAM_LEADER = "bench.totruong"
COURSE = "dien-thoai-an-toan"
# Each list: its key, url name, the url's argument ("commune": the commune's code, "team": the
# team's id), and the entries it pages through (an API list pages the same as its page).
LISTS: tuple[tuple[str, str, str, str], ...] = (
    ("commune", "ui:commune", "commune", "households"),
    ("families", "outreach:families", "commune", "families"),
    ("identity", "outreach:identity", "commune", "identity"),
    ("t4", "outreach:t4", "commune", "t4"),
    ("plan", "teams:plan", "team", "plan"),
    ("desk", "desk:visits", "commune", "desk"),
    ("classes", "classes:list", "commune", "classes"),
    ("checks", "skills:check_rounds", "commune", "checks"),
    ("help", "assistance:worklist", "commune", "help"),
    ("mentors", "mentoring:mentors", "commune", "mentors"),
    ("learning", "learning:commune", "commune", "learning"),
    ("privacy", "privacy:commune_requests", "commune", "privacy"),
    ("api_families", "api:outreach_families", "commune", "families"),
    ("api_identity", "api:outreach_identity", "commune", "identity"),
    ("api_t4", "api:outreach_t4", "commune", "t4"),
    ("api_desk", "api:desk_visits", "commune", "desk"),
    ("api_classes", "api:classes_list", "commune", "classes"),
    ("api_help", "api:assistance_requests", "commune", "help"),
    ("api_mentors", "api:mentoring_mentors", "commune", "mentors"),
    ("api_plan", "api:teams_plan", "team", "plan"),
)
PAGES = (1, 50)
PERSONS_PER_HOUSEHOLD = 3.5
# The entries grown for the lists: one for every so many persons of the commune.
PERSONS_PER = {
    "desk": 3,  # desk visits
    "citizens": 20,  # citizen accounts: one enrolment and one open request for help each
    "classes": 40,  # classes, one back-check round each
    "mentors": 40,  # mentors, 2–3 active mentees each
    "privacy": 40,  # data-subject requests
}
REGISTERED = (4, 6)  # registrations of a class (all but one attend)
MENTEES = (2, 3)
CHECK_PERCENT = 60  # of a class's gains drawn for its back-check round
BATCH = 2000  # rows a bulk_create statement
DAYS_BACK = 365  # the generated visits, classes and requests happened over the last year
GIT = shutil.which("git") or "/usr/bin/git"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


def load() -> float:
    return round(os.getloadavg()[0], 2)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo), 1)


# --- In a child: set up and grow ----------------------------------------------------------------


def _django() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def child_setup() -> dict[str, Any]:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from hocvuso.accounts.models import Role
    from hocvuso.core.actors import SYSTEM
    from hocvuso.geo.models import Commune
    from hocvuso.roles.services import role_grant

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0, stdout=io.StringIO())
    call_command("load_courses", verbosity=0, stdout=io.StringIO())
    commune = Commune.objects.filter(code="00715").first() or Commune.objects.order_by("code")[0]
    user = get_user_model().objects.create_user(
        username=OFFICER, password=None, display_name="Bench officer"
    )
    role_grant(actor=SYSTEM, user=user, role=Role.COMMUNE_OFFICER, commune=commune)
    return {"commune": commune.code}


def child_grow(code: str, persons: int) -> dict[str, Any]:
    """Import synthetic households into ``code`` until it holds about ``persons`` people, then
    grow the other lists' entries in proportion (:func:`_grow_lists`)."""
    _django()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from hocvuso.core.actors import SYSTEM
    from hocvuso.geo.models import Commune
    from hocvuso.registry.importing.service import registry_import
    from hocvuso.registry.models import Household, Person
    from hocvuso.registry.synthetic import VILLAGE_NAMES, clean_csv, population_for

    commune = Commune.objects.get(code=code)
    t0 = time.perf_counter()
    batch = 0
    while (have := Person.objects.filter(commune=commune).count()) < persons * 0.98:
        batch += 1
        count = max(1, round((persons - have) / PERSONS_PER_HOUSEHOLD))
        population = population_for(commune.province_id, seed=persons * 100 + batch)
        households = list(
            population.households(count, VILLAGE_NAMES[:8], prefix=f"B{persons}x{batch}")
        )
        registry_import(
            actor=SYSTEM,
            commune=commune,
            data=clean_csv(households),
            filename="synthetic.csv",
            create_villages=True,
        )
    t1 = time.perf_counter()
    officer = get_user_model().objects.get(username=OFFICER)
    with transaction.atomic():
        team, made = _grow_lists(commune, officer, seed=persons)
    t2 = time.perf_counter()
    # Fresh statistics, as PostgreSQL's autovacuum would gather after a big import: without
    # them the planner takes a commune of 10,000 for 2 households and nests loops (a 10k-person
    # identity list measured 1.2 s instead of 17 ms). SQLite is given the same (ANALYZE).
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and os.environ.get("PAGES_BENCH_VACUUM") == "1":
            # --vacuum: the visibility map set too, as autovacuum leaves a table some minutes
            # after a big insert (PostgreSQL 13+ vacuums after inserts, not only after updates)
            # — index-only scans and counts then skip the table's pages.
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")
    return {
        "persons": Person.objects.filter(commune=commune).count(),
        "households": Household.objects.filter(commune=commune).count(),
        "team": str(team.pk),
        "entries": _entries(commune, officer, team),
        "made": made,
        "import_s": round(t1 - t0, 1),
        "lists_s": round(t2 - t1, 1),
        "grow_s": round(time.perf_counter() - t0, 1),
    }


def _want(persons: int, kind: str) -> int:
    return max(1, round(persons / PERSONS_PER[kind]))


def _ago(rng: Any, now: Any) -> Any:
    """A time over the last :data:`DAYS_BACK` days (whole seconds)."""
    import datetime as dt

    return (now - dt.timedelta(seconds=rng.randrange(60, DAYS_BACK * 86400))).replace(microsecond=0)


def _users(prefix: str, start: int, names: list[str]) -> list[Any]:
    """New accounts ``<prefix>.<n>`` (no password: nobody signs in as them here), their ids."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    rows = []
    for i, name in enumerate(names, start=start + 1):
        user = model(username=f"{prefix}.{i:06d}", display_name=name)
        user.set_unusable_password()
        rows.append(user)
    model.objects.bulk_create(rows, batch_size=BATCH)
    ids = dict(
        model.objects.filter(username__in=[u.username for u in rows]).values_list("username", "pk")
    )
    return [ids[u.username] for u in rows]


def _grow_lists(commune: Any, officer: Any, *, seed: int) -> tuple[Any, dict[str, int]]:
    """What is missing of each list's proportion (:data:`PERSONS_PER`) at the commune's size;
    the team, and the rows made of each kind."""
    import random

    from django.utils import timezone

    from hocvuso.core import hooks
    from hocvuso.registry.models import Person

    rng = random.Random(f"{commune.code}-{seed}")
    now = timezone.now()
    n = Person.objects.filter(commune=commune).count()
    # (id, household, village, full name) of the adults the entries are about, in a stable order.
    adults = list(
        Person.objects.filter(
            commune=commune,
            erased_at__isnull=True,
            restricted_at__isnull=True,
            birth_year__lte=timezone.localdate().year - 16,
        )
        .order_by("pk")
        .values_list("pk", "household_id", "household__village_id", "full_name")
    )
    made: dict[str, int] = {}
    team = _grow_team(commune, officer)
    made["desk"] = _grow_desk(commune, officer, adults, _want(n, "desk"), rng, now)
    made.update(_grow_citizens(commune, officer, adults, _want(n, "citizens"), rng, now))
    made.update(_grow_classes(commune, officer, adults, _want(n, "classes"), rng, now))
    made.update(_grow_mentors(commune, officer, adults, _want(n, "mentors"), rng, now))
    made["privacy"] = _grow_privacy(commune, officer, adults, _want(n, "privacy"), rng, now)
    # The dashboards' network columns (mentors, desk, classes, learners) recounted, as each of
    # these services announces after its write.
    hooks.network_changed.send(communes=[commune.code])
    return team, made


def _grow_team(commune: Any, officer: Any) -> Any:
    """The team covering every village of the commune (made once, with a leader; its villages
    follow the commune's)."""
    from django.contrib.auth import get_user_model

    from hocvuso.geo.models import Village
    from hocvuso.teams.models import MemberRole, Team
    from hocvuso.teams.services import team_create, team_member_add, team_update

    villages = list(Village.objects.filter(commune=commune).order_by("name", "pk"))
    team = Team.objects.filter(commune=commune, name=TEAM).first()
    if team is None:
        team = team_create(actor=officer, commune=commune, name=TEAM, villages=villages)
        leader = get_user_model().objects.create_user(
            username=TEAM_LEADER, password=None, display_name="Tổ trưởng (bench)"
        )
        team_member_add(actor=officer, team=team, user=leader, role=MemberRole.LEADER)
    elif set(team.villages.values_list("pk", flat=True)) != {v.pk for v in villages}:
        team_update(actor=officer, team=team, name=TEAM, villages=villages)
    return team


def _grow_desk(commune: Any, officer: Any, adults: list[Any], want: int, rng: Any, now: Any) -> int:
    from hocvuso.core.ids import uuid7
    from hocvuso.desk.models import DeskVisit, Outcome
    from hocvuso.desk.procedures import PROCEDURES

    missing = want - DeskVisit.objects.filter(commune=commune).count()
    outcomes = [Outcome.DONE_WITH_HELP] * 4 + [Outcome.NOT_DONE]
    rows = [
        DeskVisit(
            id=uuid7(),
            commune=commune,
            person_id=rng.choice(adults)[0],
            procedure=rng.choice(PROCEDURES).code,
            outcome=rng.choice(outcomes),
            happened_at=_ago(rng, now),
            staff=officer,
        )
        for _ in range(max(0, missing))
    ]
    DeskVisit.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _grow_citizens(
    commune: Any, officer: Any, adults: list[Any], want: int, rng: Any, now: Any
) -> dict[str, int]:
    """Citizen accounts (a citizen role linking each to an adult), each enrolled in the shipped
    course and with one open request for help."""
    from hocvuso.accounts.models import Role, RoleAssignment
    from hocvuso.assistance.models import Contact, HelpRequest
    from hocvuso.core.ids import uuid7
    from hocvuso.learning.models import Course, Enrollment, EventKind, LearningEvent
    from hocvuso.skills.models import Skill

    linked = dict(
        RoleAssignment.objects.filter(
            role=Role.CITIZEN, commune=commune, person__isnull=False, revoked_at__isnull=True
        ).values_list("person_id", "user_id")
    )
    pool = [a for a in adults if a[0] not in linked]
    chosen = rng.sample(pool, min(len(pool), max(0, want - len(linked))))
    users = _users(f"dan.{commune.code}", len(linked), [a[3] for a in chosen])
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user_id=u, role=Role.CITIZEN, commune=commune, person_id=a[0], granted_by=officer
            )
            for a, u in zip(chosen, users, strict=True)
        ],
        batch_size=BATCH,
    )
    linked.update({a[0]: u for a, u in zip(chosen, users, strict=True)})
    village = {a[0]: a[2] for a in adults}
    course = (
        Course.objects.filter(code=COURSE).first()
        or Course.objects.filter(current__isnull=False).order_by("order", "code").first()
    )
    if course is None or course.current_id is None:
        raise RuntimeError("load_courses published no course")
    enrolled = set(
        Enrollment.objects.filter(course=course, commune=commune).values_list("user_id", flat=True)
    )
    enrolments = [
        Enrollment(
            user_id=u, person_id=p, commune=commune, course=course, version_id=course.current_id
        )
        for p, u in linked.items()
        if u not in enrolled
    ]
    Enrollment.objects.bulk_create(enrolments, batch_size=BATCH)
    LearningEvent.objects.bulk_create(
        [
            LearningEvent(id=uuid7(), enrollment=e, kind=EventKind.STARTED, by_id=e.user_id, at=now)
            for e in enrolments
        ],
        batch_size=BATCH,
    )
    asked = set(HelpRequest.objects.filter(commune=commune).values_list("person_id", flat=True))
    skills = list(Skill.objects.filter(is_active=True).order_by("code"))
    needs = [
        "Tôi muốn gia hạn bảo hiểm y tế trên điện thoại",
        "Cài đặt VNeID cho cả nhà",
        "Chuyển tiền cho con đang đi học xa",
    ]
    requests = []
    for p, u in linked.items():
        if p in asked:
            continue
        with_skill = rng.random() < 0.5
        requests.append(
            HelpRequest(
                id=uuid7(),
                person_id=p,
                commune=commune,
                village_id=village.get(p),
                skill=rng.choice(skills) if with_skill else None,
                need="" if with_skill else rng.choice(needs),
                contact=rng.choice((Contact.VISIT, Contact.DESK)),
                asked_by_id=u,
            )
        )
    HelpRequest.objects.bulk_create(requests, batch_size=BATCH)
    return {"citizens": len(users), "learning": len(enrolments), "help": len(requests)}


def _grow_classes(
    commune: Any, officer: Any, adults: list[Any], want: int, rng: Any, now: Any
) -> dict[str, int]:
    """Classes with their registrations and attendees' gains (skill events through the batch
    service), and a back-check round each over its gains."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from hocvuso.classes.models import ClassEvent, ClassGain, ClassRegistration
    from hocvuso.classes.services import gain_uuid
    from hocvuso.core.ids import uuid7
    from hocvuso.skills.checks import sample_draw
    from hocvuso.skills.models import BackCheck, Channel, CheckOutcome, CheckRound, Skill
    from hocvuso.skills.services import EventInput, person_refs, skill_events_record_batch

    # Topics that change nobody's place on a worklist: competences of no named set.
    topics = list(
        Skill.objects.filter(is_active=True, kind="competence", sets__isnull=True).order_by("code")
    )
    missing = max(0, want - ClassEvent.objects.filter(commune=commune).count())
    classes: list[Any] = []
    topic_rows: list[Any] = []
    regs: list[Any] = []
    gains: list[tuple[Any, Any, Any, Any]] = []
    through = ClassEvent.skills.through
    for _ in range(missing):
        skill = rng.choice(topics)
        held = now - dt.timedelta(days=rng.randrange(1, DAYS_BACK))
        starts = timezone.localtime(held).replace(hour=8, minute=0, second=0, microsecond=0)
        klass = ClassEvent(
            id=uuid7(),
            commune=commune,
            title=f"Lớp kỹ năng số: {skill.name_vi}",
            branch="Chi đoàn thôn",
            address="Nhà văn hóa thôn",
            starts_at=starts,
            capacity=30,
            organiser=officer,
        )
        classes.append(klass)
        topic_rows.append(through(classevent_id=klass.id, skill_id=skill.pk))
        people = rng.sample(adults, rng.randint(*REGISTERED))
        for k, a in enumerate(people):
            attended = k < len(people) - 1
            regs.append(
                ClassRegistration(
                    klass=klass, person_id=a[0], registered_by=officer, attended=attended
                )
            )
            if attended:
                gains.append((klass, a[0], skill, starts.date()))
    ClassEvent.objects.bulk_create(classes, batch_size=BATCH)
    through.objects.bulk_create(topic_rows, batch_size=BATCH)
    ClassRegistration.objects.bulk_create(regs, batch_size=BATCH)
    refs = person_refs({p for _k, p, _s, _d in gains})
    for i in range(0, len(gains), BATCH):
        skill_events_record_batch(
            actor=officer,
            events=[
                EventInput(
                    id=gain_uuid(k.id, p, s.code),
                    person=refs[p],
                    skill=s,
                    happened_on=day,
                    channel=Channel.CLASS,
                    helped_by=officer,
                )
                for k, p, s, day in gains[i : i + BATCH]
            ],
            returning=False,
        )
    ClassGain.objects.bulk_create(
        [
            ClassGain(
                id=gain_uuid(k.id, p, s.code),
                klass=k,
                person_id=p,
                skill=s,
                event_id=gain_uuid(k.id, p, s.code),
                marked_by=officer,
            )
            for k, p, s, _day in gains
        ],
        batch_size=BATCH,
    )
    # A round a class, drawn as the class page draws it (its gains the frame, its day the
    # period); the checks: mostly confirmed, some unreachable, one in four still to do.
    of_class: dict[Any, list[Any]] = {}
    for k, p, s, _day in gains:
        of_class.setdefault(k.id, []).append(gain_uuid(k.id, p, s.code))
    rounds: list[Any] = []
    checks: list[Any] = []
    outcomes = [CheckOutcome.CONFIRMED] * 4 + [CheckOutcome.UNREACHABLE]
    for klass in classes:
        events = of_class.get(klass.id, [])
        if not events:
            continue
        seed = rng.getrandbits(62)
        chosen = sample_draw(events, percent=Decimal(CHECK_PERCENT), seed=seed)
        day = klass.starts_at.date()
        rnd = CheckRound(
            id=uuid7(),
            commune=commune,
            drawn_by=officer,
            period_from=day,
            period_to=day,
            source=f"class:{klass.id}",
            label=klass.title,
            percent=Decimal(CHECK_PERCENT),
            seed=seed,
            population=len(events),
            size=len(chosen),
        )
        rounds.append(rnd)
        for j, event in enumerate(chosen):
            done = j % 4 != 3
            checks.append(
                BackCheck(
                    round=rnd,
                    event_id=event,
                    channel=Channel.CLASS,
                    helper=officer,
                    source=rnd.source,
                    label=rnd.label,
                    outcome=rng.choice(outcomes) if done else CheckOutcome.PENDING,
                    checked_by=officer if done else None,
                    checked_at=now if done else None,
                )
            )
    CheckRound.objects.bulk_create(rounds, batch_size=BATCH)
    BackCheck.objects.bulk_create(checks, batch_size=BATCH)
    return {
        "classes": len(classes),
        "registrations": len(regs),
        "gains": len(gains),
        "checks": len(rounds),
        "back_checks": len(checks),
    }


def _grow_mentors(
    commune: Any, officer: Any, adults: list[Any], want: int, rng: Any, now: Any
) -> dict[str, int]:
    """Mentors (an account with the mentor role reaching their mentees) and their active
    mentorships, with people who are neither a mentor nor anyone's active mentee."""
    import datetime as dt

    from hocvuso.accounts.models import Role, RoleAssignment
    from hocvuso.mentoring.models import Mentor, Mentorship, MentorshipStatus

    have = Mentor.objects.filter(commune=commune).count()
    taken = set(Mentor.objects.filter(commune=commune).values_list("person_id", flat=True))
    taken |= set(
        Mentorship.objects.filter(
            mentor__commune=commune, status=MentorshipStatus.ACTIVE
        ).values_list("mentee_id", flat=True)
    )
    free = [a for a in adults if a[0] not in taken]
    rng.shuffle(free)
    picked: list[tuple[Any, list[Any]]] = []
    for _ in range(max(0, want - have)):
        count = rng.randint(*MENTEES)
        if len(free) < count + 1:
            break
        picked.append((free.pop(), [free.pop() for _ in range(count)]))
    users = _users(f"daisu.{commune.code}", have, [m[3] for m, _mentees in picked])
    mentors: list[Any] = []
    ships: list[Any] = []
    grants: list[Any] = []
    reach: list[Any] = []
    through = RoleAssignment.mentees.through
    today = now.date()
    for (m, mentees), user in zip(picked, users, strict=True):
        mentor = Mentor(
            person_id=m[0], user_id=user, commune=commune, capacity=5, created_by=officer
        )
        mentors.append(mentor)
        grant = RoleAssignment(user_id=user, role=Role.MENTOR, commune=commune, granted_by=officer)
        grants.append(grant)
        for e in mentees:
            ships.append(
                Mentorship(
                    mentor=mentor,
                    mentee_id=e[0],
                    started_on=today - dt.timedelta(days=rng.randrange(1, DAYS_BACK)),
                    status=MentorshipStatus.ACTIVE,
                    created_by=officer,
                )
            )
            reach.append(through(roleassignment_id=grant.id, person_id=e[0]))
    Mentor.objects.bulk_create(mentors, batch_size=BATCH)
    Mentorship.objects.bulk_create(ships, batch_size=BATCH)
    RoleAssignment.objects.bulk_create(grants, batch_size=BATCH)
    through.objects.bulk_create(reach, batch_size=BATCH)
    return {"mentors": len(mentors), "mentorships": len(ships)}


def _grow_privacy(
    commune: Any, officer: Any, adults: list[Any], want: int, rng: Any, now: Any
) -> int:
    """Requests to see or correct one's data (the kinds whose completion changes nothing else),
    received over the last year; two in three acknowledged, one in two completed."""
    import datetime as dt

    from hocvuso.privacy.models import DataRequest, RequestChannel, RequestKind

    missing = want - DataRequest.objects.filter(person__commune=commune).count()
    rows = []
    for _ in range(max(0, missing)):
        received = _ago(rng, now)
        acknowledged = received + dt.timedelta(hours=rng.randrange(1, 72))
        acked = rng.random() < 2 / 3 and acknowledged < now
        done = acked and rng.random() < 3 / 4 and acknowledged + dt.timedelta(days=7) < now
        rows.append(
            DataRequest(
                person_id=rng.choice(adults)[0],
                kind=rng.choice((RequestKind.ACCESS, RequestKind.CORRECTION)),
                channel=rng.choice((RequestChannel.OFFICE, RequestChannel.PHONE)),
                received_at=received,
                requested_by=officer,
                acknowledged_at=acknowledged if acked else None,
                acknowledged_by=officer if acked else None,
                completed_at=acknowledged + dt.timedelta(days=7) if done else None,
                completed_by=officer if done else None,
            )
        )
    DataRequest.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _entries(commune: Any, officer: Any, team: Any) -> dict[str, int]:
    """The entries each list pages through, counted from the tables (the worklists and the plan
    with their own filters: the officer's, nobody kept off yet)."""
    from django.utils import timezone

    from hocvuso.assistance.models import ACTIVE, HelpRequest
    from hocvuso.classes.models import ClassEvent
    from hocvuso.desk.models import DeskVisit
    from hocvuso.learning.models import Enrollment
    from hocvuso.mentoring.models import Mentor
    from hocvuso.outreach import selectors as outreach
    from hocvuso.privacy.models import DataRequest
    from hocvuso.registry.models import Household
    from hocvuso.skills.models import CheckRound
    from hocvuso.teams.selectors import team_plan_keys

    today = timezone.localdate()
    return {
        "households": Household.objects.filter(commune=commune).count(),
        "families": outreach.family_worklist(actor=officer, commune=commune).count(),
        "identity": outreach.identity_worklist(
            actor=officer, commune=commune, need="vneid", today=today
        ).count(),
        "t4": outreach.t4_worklist(actor=officer, commune=commune).count(),
        "plan": team_plan_keys(actor=officer, team=team).count(),
        "desk": DeskVisit.objects.filter(commune=commune).count(),
        "classes": ClassEvent.objects.filter(commune=commune).count(),
        "checks": CheckRound.objects.filter(commune=commune).count(),
        "help": HelpRequest.objects.filter(
            commune=commune, status__in=ACTIVE, person__restricted_at__isnull=True
        ).count(),
        "mentors": Mentor.objects.filter(commune=commune).count(),
        "learning": Enrollment.objects.filter(commune=commune).count(),
        "privacy": DataRequest.objects.filter(person__commune=commune).count(),
    }


# --- In a worker: serve timing requests ----------------------------------------------------------


def worker() -> None:
    """Reads one JSON command a line on stdin (the commune's code, the team's id, the repeat),
    answers one JSON line on stdout: each list and page's times, queries, status and the count
    its paginator shows; ``missing`` for a url name this revision does not have."""
    _django()
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django_otp import DEVICE_ID_SESSION_KEY

    from hocvuso.accounts.models import Authenticator, new_authenticator_key

    user = get_user_model().objects.get(username=OFFICER)
    client = Client()
    client.force_login(user)
    device = Authenticator.objects.create(
        user=user, name="bench", confirmed=True, key=new_authenticator_key()
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    # The count the list's paginator shows (its summary's, where it reads one): kept from the
    # first warm-up of each list and page, to check against the entries grown.
    shown: list[int] = []
    plain_page = Paginator.page

    def counted_page(self: Paginator, number: Any) -> Any:
        page = plain_page(self, number)
        shown.append(self.count)
        return page

    Paginator.page = counted_page  # type: ignore[method-assign]

    def get(url: str, page: int) -> tuple[int | None, str]:
        try:
            return client.get(url, {"page": page}).status_code, ""
        except Exception as exc:  # an error page of one revision: recorded, not raised
            return None, f"{type(exc).__name__}: {exc}"[:200]

    import hocvuso

    print(json.dumps({"ready": str(Path(hocvuso.__file__).parent)}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        repeat = int(cmd["repeat"])
        out: dict[str, Any] = {}
        for key, name, arg, _entries in LISTS:
            try:
                url = reverse(name, args=[cmd[arg]])
            except NoReverseMatch:
                for page in PAGES:
                    out[f"{key}@{page}"] = {"missing": name}
                continue
            for page in PAGES:
                shown.clear()
                status, error = get(url, page)
                count = shown[-1] if shown else None
                if status == 200:
                    status, error = get(url, page)
                if status != 200:
                    out[f"{key}@{page}"] = {"status": status, "error": error}
                    continue
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    client.get(url, {"page": page})
                    times.append((time.perf_counter() - t0) * 1000)
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url, {"page": page})
                out[f"{key}@{page}"] = {
                    "ms": times,
                    "queries": len(ctx.captured_queries),
                    "status": status,
                    "shown": count,
                }
        print(json.dumps(out), flush=True)


# --- The parent ----------------------------------------------------------------------------------


def short(rev: str) -> str:
    return subprocess.run(
        [GIT, "-C", str(ROOT), "rev-parse", "--short", rev],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.strip()


def export_tree(rev: str, into: Path) -> Path:
    """The ``src`` tree of ``rev``, exported (no change to the repository or its worktrees)."""
    data = subprocess.run(
        [GIT, "-C", str(ROOT), "archive", "--format=tar", rev, "src"],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def run_child(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, stdout=subprocess.PIPE, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed (exit {out.returncode})")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


class Worker:
    def __init__(self, env: dict[str, str], src: Path) -> None:
        env = dict(env, PYTHONPATH=str(src))
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        loaded = json.loads(self.ask(None))["ready"]
        if not loaded.startswith(str(src)):  # the exported code, not the installed one
            raise RuntimeError(f"worker loaded {loaded}, not {src}")

    def ask(self, cmd: dict[str, Any] | None) -> str:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        if cmd is not None:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("worker ended")
        return line

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def bench_database(target: str, args: argparse.Namespace, srcs: dict[str, Path]) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="hocvuso-pages-bench-")
    env = dict(os.environ, HOCVUSO_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="hocvuso.config.settings")
    if args.vacuum:
        env["PAGES_BENCH_VACUUM"] = "1"
    for name in ("HOCVUSO_DEBUG", "HOCVUSO_ALLOWED_HOSTS", "HOCVUSO_ENV", "PYTHONPATH"):
        env.pop(name, None)
    db_name = f"hocvuso_pages_{os.getpid()}_{secrets.token_hex(3)}"
    created = False
    workers: list[Worker] = []
    result: dict[str, Any] = {"database": target, "sizes": []}
    try:
        if target == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {db_name}")
            created = True
            url = urlparse(args.postgres_url)._replace(path=f"/{db_name}")
            env["DATABASE_URL"] = urlunparse(url)
            result["db_name"] = db_name
        log(f"=== {target}: setup ===")
        code = run_child(env, "--setup")["commune"]
        for persons in args.sizes:
            grown = run_child(env, "--grow", code, str(persons))
            log(
                f"{target}: commune {code} grown to {grown['persons']:,} persons in "
                f"{grown['grow_s']} s (import {grown['import_s']} s, lists {grown['lists_s']} s)"
            )
            if not workers:  # started once the data exists (the worker signs in)
                workers = [Worker(env, srcs["before"]), Worker(env, srcs["after"])]
            size: dict[str, Any] = {**grown, "target": persons, "rounds": []}
            runs: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
            for r in range(args.rounds):
                order = ("before", "after") if r % 2 == 0 else ("after", "before")
                rnd: dict[str, Any] = {"load_1m": load(), "first": order[0]}
                for variant in order:
                    w = workers[0] if variant == "before" else workers[1]
                    cmd = {"commune": code, "team": grown["team"], "repeat": args.repeat}
                    got = json.loads(w.ask(cmd))
                    rnd[variant] = {}
                    for key, v in got.items():
                        if "ms" not in v:  # missing in this revision, or an error page
                            rnd[variant][key] = v
                            continue
                        runs[variant].setdefault(key, []).extend(v["ms"])
                        rnd[variant][key] = {
                            "p50": pct(v["ms"], 0.5),
                            "queries": v["queries"],
                            "status": v["status"],
                            "shown": v["shown"],
                        }
                rnd["load_1m_end"] = load()
                size["rounds"].append(rnd)
                log(f"{target} {persons:,}: round {r + 1} (load {rnd['load_1m']})")
            size["lists"] = summarise(runs, size["rounds"], grown["entries"])
            result["sizes"].append(size)
            print_size(target, size)
        return result
    finally:
        for w in workers:
            w.close()
        if created:
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


def summarise(
    runs: dict[str, dict[str, list[float]]], rounds: list[dict[str, Any]], entries: dict[str, int]
) -> Any:
    """Each list and page, in :data:`LISTS` order: its entries, and for each code its p50 / p95,
    queries, status and the count it shows (or why it was not timed: ``missing``, ``status``);
    the per-round ratios when both were timed."""
    out: dict[str, Any] = {}
    for key, _name, _arg, counted in LISTS:
        for page in PAGES:
            k = f"{key}@{page}"
            row: dict[str, Any] = {"entries": entries.get(counted)}
            for variant in ("before", "after"):
                got = [rnd[variant].get(k, {"missing": "?"}) for rnd in rounds]
                failed = [g for g in got if "p50" not in g]
                if failed:
                    row[variant] = failed[0]
                    continue
                row[variant] = {
                    "p50": pct(runs[variant][k], 0.5),
                    "p95": pct(runs[variant][k], 0.95),
                    "queries": got[-1]["queries"],
                    "status": got[-1]["status"],
                    "shown": got[-1]["shown"],
                }
            row["queries"] = {v: row[v].get("queries") for v in ("before", "after")}
            if "p50" in row["before"] and "p50" in row["after"]:
                ratios = [rnd["after"][k]["p50"] / rnd["before"][k]["p50"] for rnd in rounds]
                row["ratio_median"] = round(statistics.median(ratios), 3)
                row["ratio_range"] = [round(min(ratios), 3), round(max(ratios), 3)]
            out[k] = row
    return out


def _cell(v: dict[str, Any], what: str) -> str:
    """A code's ``ms`` (p50/p95), ``status`` or ``queries`` for a list: "missing" (no such url
    name in that revision), or the status of its error page in place of the figures."""
    if what == "status":
        return "—" if "missing" in v else str(v.get("status") or "error")
    if "missing" in v:
        return "missing" if what == "ms" else "—"
    if "p50" not in v:
        return f"status {v.get('status') or 'error'}" if what == "ms" else "—"
    return f"{v['p50']}/{v['p95']}" if what == "ms" else str(v[what])


def print_size(target: str, size: dict[str, Any]) -> None:
    loads = [r["load_1m"] for r in size["rounds"]] + [r["load_1m_end"] for r in size["rounds"]]
    made = ", ".join(f"{k} {v:,}" for k, v in size["made"].items())
    print(
        f"\n{target}: {size['persons']:,} persons, {size['households']:,} households "
        f"(load 1m {min(loads)}–{max(loads)}); grown in {size['grow_s']} s (import "
        f"{size['import_s']} s, the other lists {size['lists_s']} s: {made})"
    )
    print(
        f"{'list@page':<16}{'entries':>9}{'status b/a':>18}{'queries b/a':>13}"
        f"{'before p50/p95 ms':>20}{'after p50/p95 ms':>20}{'ratio':>8}  range"
    )
    notes: dict[str, list[str]] = {}  # a note → the codes it is about
    for key, v in size["lists"].items():
        b, a = v["before"], v["after"]
        entries = v["entries"]
        for variant in ("before", "after"):
            shown = v[variant].get("shown", 0)
            if shown is None:  # answered with no paginator: every entry on one page
                note = f"{key.split('@')[0]} is not paged (all its {entries:,} entries listed)"
            elif "p50" in v[variant] and shown != entries:
                note = f"{key} shows {shown:,} entries, {entries:,} grown"
            else:
                continue
            if variant not in notes.setdefault(note, []):
                notes[note].append(variant)
        ratio, span = "", ""
        if "ratio_median" in v:
            lo, hi = v["ratio_range"]
            ratio, span = str(v["ratio_median"]), f"{lo}–{hi}"
        status = f"{_cell(b, 'status')}/{_cell(a, 'status')}"
        queries = f"{_cell(b, 'queries')}/{_cell(a, 'queries')}"
        print(
            f"{key:<16}{entries:>9,}{status:>18}{queries:>13}"
            f"{_cell(b, 'ms'):>20}{_cell(a, 'ms'):>20}{ratio:>8}  {span}"
        )
    for note, variants in notes.items():
        print(f"  note ({', '.join(variants)}): {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--before", default=DEFAULT_BEFORE)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="PostgreSQL: VACUUM (ANALYZE) after each growth (the visibility map set, as "
        "autovacuum leaves it), not only ANALYZE",
    )
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grow", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(child_setup()))
        return
    if args.grow:
        print(json.dumps(child_grow(args.grow[0], int(args.grow[1]))))
        return
    if args.worker:
        worker()
        return
    tmp = Path(tempfile.mkdtemp(prefix="hocvuso-pages-before-"))
    try:
        srcs = {
            "before": export_tree(args.before, tmp / "before"),
            "after": export_tree(args.after, tmp / "after"),
        }
        out: dict[str, Any] = {
            "bench": "pages",
            "before": short(args.before),
            "after": short(args.after),
            "cpus": os.cpu_count(),
            "load_1m_start": load(),
            "rounds": args.rounds,
            "repeat": args.repeat,
            "results": [],
        }
        targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        for target in targets:
            out["results"].append(bench_database(target, args, srcs))
        out["load_1m_end"] = load()
        print(json.dumps(out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
