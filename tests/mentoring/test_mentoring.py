"""Mentoring: matching constraints, the cascade against a recount, idempotent sessions, the
mentor's scope, and list query counts independent of length."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hocvuso.access.scope import forget_scope
from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.mentoring import selectors, services
from hocvuso.mentoring.models import Mentor, MentoringSession, Mentorship
from hocvuso.registry.models import Person
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.skills.models import SkillEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)


def _people(commune, village, n, tag, ethnicity=""):  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        h = household_create(actor=SYSTEM, commune=commune, code=f"{tag}-{i}", village=village)
        out.append(
            person_register(
                actor=SYSTEM,
                household=h,
                full_name=f"Người {tag} {i}",
                sex="F" if i % 2 else "M",
                birth_year=1980 + i % 20,
                ethnicity=ethnicity,
            )
        )
    return out


def _mentor(person, capacity=5, languages=None):  # type: ignore[no-untyped-def]
    user = make_user(f"ds-{person.pk.hex}")
    return services.mentor_create(
        actor=SYSTEM, person=person, user=user, capacity=capacity, languages=languages
    )


def _synthetic(commune, seed):  # type: ignore[no-untyped-def]
    """A commune with villages of unequal supply: some with more mentors than needs, some none."""
    rng = random.Random(seed)
    villages = [
        village_create(actor=SYSTEM, commune=commune, name=f"Thôn S{seed}-{k}") for k in range(4)
    ]
    mentors = []
    for k, v in enumerate(villages):
        people = _people(
            commune, v, rng.randrange(3, 9), f"s{seed}v{k}", rng.choice(["", "08", "01"])
        )
        # Some villages have no mentor; the first always has one (the test needs a mentor).
        for p in people[: rng.randrange(1 if k == 0 else 0, 3)]:
            mentors.append(
                _mentor(p, capacity=rng.randrange(1, 4), languages=[rng.choice(["08", "01"])])
            )
    return villages, mentors


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matching_respects_capacity_scope_and_villages_first(commune, other_commune, seed):
    _villages, mentors = _synthetic(commune, seed)
    # Someone in another commune, with a free mentor there: never suggested here.
    ov = village_create(actor=SYSTEM, commune=other_commune, name="Thôn khác")
    _mentor(_people(other_commune, ov, 2, f"o{seed}")[0])
    assert mentors  # the synthetic commune always has mentors (never skip the checks below)
    # One mentor already has an active mentee.
    first = mentors[0]
    needy = selectors.needing_help(commune, TODAY).exclude(pk=first.person_id).first()
    services.mentorship_start(actor=SYSTEM, mentor=first, mentee=needy)
    suggestions = selectors.match_suggest(actor=SYSTEM, commune=commune, today=TODAY)
    again = selectors.match_suggest(actor=SYSTEM, commune=commune, today=TODAY)
    assert [(s.person.pk, s.mentor.pk) for s in suggestions] == [
        (s.person.pk, s.mentor.pk) for s in again
    ]  # deterministic
    people = [s.person.pk for s in suggestions]
    assert len(people) == len(set(people))  # nobody twice
    per_mentor = Counter(s.mentor.pk for s in suggestions)
    active = Counter(Mentorship.objects.filter(status="active").values_list("mentor_id", flat=True))
    by_id = {m.pk: m for m in Mentor.objects.all()}
    for mentor_id, n in per_mentor.items():
        assert n + active[mentor_id] <= by_id[mentor_id].capacity  # capacity
    mentor_persons = set(Mentor.objects.values_list("person_id", flat=True))
    for s in suggestions:
        assert s.person.commune_id == commune.code == s.mentor.commune_id  # scope
        assert s.person.pk != needy.pk
        assert s.person.pk not in mentor_persons
        if s.level == "village":
            assert s.person.household.village_id == s.mentor.person.household.village_id
        else:
            # Matched across villages only when no mentor of their village had a place left.
            village = s.person.household.village_id
            for m in by_id.values():
                if m.commune_id == commune.code and m.person.household.village_id == village:
                    assert per_mentor[m.pk] + active[m.pk] >= m.capacity
    # As many are suggested as there are free places, or everyone needing help when there are
    # more places than people: recounted from the mentors' capacities, not from the matcher.
    waiting = set(selectors.needing_help(commune, TODAY).values_list("pk", flat=True))
    places = sum(m.capacity - active[m.pk] for m in by_id.values() if m.commune_id == commune.code)
    assert set(people) <= waiting
    assert len(people) == min(len(waiting), places)


def test_matching_prefers_a_shared_language(commune, village):
    a, b, person = _people(commune, village, 3, "lang")
    person.ethnicity = "08"
    person.save(update_fields=["ethnicity"])
    _mentor(a, languages=["01"])
    m_b = _mentor(b, languages=["08"])
    (s,) = selectors.match_suggest(actor=SYSTEM, commune=commune, today=TODAY)
    assert (s.person.pk, s.mentor.pk, s.shared_language, s.level) == (
        person.pk,
        m_b.pk,
        True,
        "village",
    )


def test_bulk_accept_creates_audited_mentorships_and_rechecks(commune, village, officer):
    people = _people(commune, village, 5, "acc")
    m = _mentor(people[0], capacity=2)
    suggestions = selectors.match_suggest(actor=officer, commune=commune, today=TODAY)
    assert len(suggestions) == 2
    pairs = [(s.person.pk, s.mentor.pk) for s in suggestions] + [(people[4].pk, m.pk)]
    made = services.mentorships_accept(actor=officer, commune=commune, pairs=pairs)
    assert len(made) == 2  # the third exceeds capacity: skipped
    assert AuditLog.objects.filter(action="mentorship.start", actor=officer).count() == 2
    assert services.mentorships_accept(actor=officer, commune=commune, pairs=pairs) == []


def test_cascade_generations_and_reach_match_a_recount(commune, village):
    ps = _people(commune, village, 12, "cas")
    root = _mentor(ps[0], capacity=10)
    for p in ps[1:4]:
        services.mentorship_start(actor=SYSTEM, mentor=root, mentee=p)
    g2 = _mentor(ps[1])
    for p in ps[4:6]:
        services.mentorship_start(actor=SYSTEM, mentor=g2, mentee=p)
    g3 = _mentor(ps[4])
    ship = services.mentorship_start(actor=SYSTEM, mentor=g3, mentee=ps[6])
    services.mentorship_end(actor=SYSTEM, mentorship=ship)  # ended: still in the tree
    other_root = _mentor(ps[7])
    services.mentorship_start(actor=SYSTEM, mentor=other_root, mentee=ps[8])
    rows = selectors.cascade(actor=SYSTEM, commune=commune)
    # Recount by hand: root → 1,2,3; 1 → 4,5; 4 → 6.
    assert {
        m.pk: (rows[m.pk].generation, rows[m.pk].reached) for m in (root, g2, g3, other_root)
    } == {
        root.pk: (1, 6),
        g2.pk: (2, 3),
        g3.pk: (3, 1),
        other_root.pk: (1, 1),
    }
    # Recount by a naive per-node walk over the stored rows.
    edges = list(Mentorship.objects.values_list("mentor__person_id", "mentee_id"))
    for m in Mentor.objects.all():
        seen, todo = set(), [m.person_id]
        while todo:
            cur = todo.pop()
            for a, b in edges:
                if a == cur and b not in seen:
                    seen.add(b)
                    todo.append(b)
        assert rows[m.pk].reached == len(seen)


def _session_setup(commune, village):  # type: ignore[no-untyped-def]
    a, b, c = _people(commune, village, 3, "ses")
    mentor = _mentor(a)
    services.mentorship_start(actor=SYSTEM, mentor=mentor, mentee=b)
    forget_scope(mentor.user)
    return mentor, b, c


def test_session_replay_is_idempotent_and_records_skill_events(commune, village):
    mentor, mentee, _c = _session_setup(commune, village)
    sid = uuid7()
    kwargs = {
        "actor": mentor.user, "id": sid, "mentor": mentor, "mentee": mentee,
        "happened_on": TODAY, "practised": ["vneid.install"], "gained": ["vneid.install"],
    }  # fmt: skip
    first = services.session_record(**kwargs)
    assert not first.replayed
    again = services.session_record(**kwargs)
    assert again.replayed
    assert again.pk == sid
    assert MentoringSession.objects.count() == 1
    events = SkillEvent.objects.filter(person=mentee)
    assert [(e.id, e.channel, e.helped_by_id) for e in events] == [
        (services.session_event_id(sid, "vneid.install"), "mentoring", mentor.user.pk)
    ]
    assert Person.objects.get(pk=mentee.pk).skill_status.vneid_level == 1
    with pytest.raises(DomainError) as exc:
        services.session_record(**{**kwargs, "gained": []})
    assert exc.value.code == "session_conflict"


def _fingerprint() -> tuple[int, int, int, int]:
    return (
        MentoringSession.objects.count(),
        SkillEvent.objects.count(),
        Mentorship.objects.count(),
        AuditLog.objects.count(),
    )


def test_mentor_sees_only_their_mentees(client, commune, village):
    mentor, mentee, stranger = _session_setup(commune, village)
    client.force_login(mentor.user)
    assert client.get(reverse("ui:person", args=[mentee.pk])).status_code == 200
    assert client.get(reverse("ui:person", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("mentoring:mentors", args=[commune.code])).status_code == 404
    page = client.get(reverse("mentoring:mentor", args=[mentor.pk]))
    assert page.status_code == 200
    assert mentee.full_name in page.content.decode()
    before = _fingerprint()
    # A non-mentee: 404 from the page, the API, the skills page; nothing changed.
    r = client.post(
        reverse("mentoring:session", args=[mentor.pk]),
        {"id": str(uuid7()), "mentee": str(stranger.pk), "happened_on": "2026-01-05",
         "gained": ["vneid.install"]},
    )  # fmt: skip
    assert r.status_code == 404
    r = client.post(
        reverse("api:mentoring_session_record"),
        {"id": str(uuid7()), "mentee_id": str(stranger.pk), "happened_on": "2026-01-05",
         "gained": ["vneid.install"]},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 404
    with pytest.raises(NotFound):
        services.session_record(
            actor=mentor.user, id=uuid7(), mentor=mentor, mentee=stranger, happened_on=TODAY
        )
    assert _fingerprint() == before
    # The mentee: recorded through the API, 201 then 200 on replay.
    body = {"id": str(uuid7()), "mentee_id": str(mentee.pk), "happened_on": "2026-01-05",
            "gained": ["vneid.install"]}  # fmt: skip
    url = reverse("api:mentoring_session_record")
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert client.post(url, body, content_type="application/json").status_code == 200
    assert MentoringSession.objects.count() == before[0] + 1


def _count_queries(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_length(client, commune, village, officer):
    client.force_login(officer)
    ps = _people(commune, village, 16, "qc")
    m = _mentor(ps[0], capacity=10)
    _mentor(ps[15])
    services.mentorship_start(actor=SYSTEM, mentor=m, mentee=ps[1])
    urls = [
        reverse("mentoring:mentors", args=[commune.code]),
        reverse("mentoring:mentor", args=[m.pk]),
        reverse("mentoring:matching", args=[commune.code]),
        reverse("api:mentoring_mentors", args=[commune.code]),
        reverse("api:mentoring_mentor", args=[m.pk]),
        reverse("api:mentoring_suggestions", args=[commune.code]),
    ]
    small = [_count_queries(client, u) for u in urls]
    for p in ps[2:8]:
        services.mentorship_start(actor=SYSTEM, mentor=m, mentee=p)
    for p in ps[8:11]:
        _mentor(p)
    large = [_count_queries(client, u) for u in urls]
    # Absolute: one mentor with one mentee, then four mentors, one of them with seven. The
    # mentors' list (page and API): the count, the page's ids, then those mentors' rows; its
    # figures from the commune's summary row (one query, not three).
    assert small == large == [11, 10, 6, 11, 8, 6]


def test_demo_is_idempotent(commune, officer):
    from hocvuso.demo.mentoring import demo_mentoring
    from hocvuso.demo.registry import demo_skill_activity

    v = village_create(actor=SYSTEM, commune=commune, name="Thôn demo")
    _people(commune, v, 60, "demo")
    users = {k: officer for k in ("team_member", "desk_staff", "commune_officer")}
    users["team_member"] = make_user("to.demo", "team_member", villages=[v])
    users["desk_staff"] = make_user("motcua.demo", "desk_staff", commune=commune)
    demo_skill_activity(commune=commune, users=users, seed=7)
    first = demo_mentoring(commune=commune, officer=officer, seed=7)
    counts = _fingerprint()
    second = demo_mentoring(commune=commune, officer=officer, seed=7)
    assert first == second
    assert _fingerprint() == counts
    if first["mentors"]:
        rows = selectors.cascade(actor=SYSTEM, commune=commune)
        assert {r.generation for r in rows.values()} == {1, 2}
        assert Mentor.objects.count() == 8


def test_figures_beside_the_list_equal_a_recount(client, commune, village, officer):
    """The page and the API take their figures from the commune's summary row: after
    mentors made, mentorships started and ended and a mentor made inactive, they equal a count
    of the rows by hand."""
    client.force_login(officer)
    ps = _people(commune, village, 14, "rc")
    first, second, third = _mentor(ps[0], capacity=10), _mentor(ps[1]), _mentor(ps[2])
    ships = [services.mentorship_start(actor=SYSTEM, mentor=first, mentee=p) for p in ps[3:9]]
    services.mentorship_start(actor=SYSTEM, mentor=second, mentee=ps[9])
    services.mentorship_start(actor=SYSTEM, mentor=third, mentee=ps[10])
    services.mentorship_end(actor=SYSTEM, mentorship=ships[0])
    services.mentor_update(actor=SYSTEM, mentor=third, capacity=5, languages=[], active=False)
    active = Mentor.objects.filter(commune=commune, active=True)
    running = Mentorship.objects.filter(mentor__in=active, status="active")
    per_mentor = Counter(running.values_list("mentor_id", flat=True))
    by_hand = {
        "mentors": active.count(),
        "mentees": len(set(running.values_list("mentee_id", flat=True))),
        "at_goal": sum(1 for n in per_mentor.values() if n >= 5),
    }
    assert by_hand == {"mentors": 2, "mentees": 6, "at_goal": 1}
    from hocvuso.kpi.models import CommuneSummary

    # the figures are read from the commune's row (kept by the writes above), not counted
    assert CommuneSummary.objects.filter(commune_id=commune.code, mentors=2, mentees=6).exists()
    page = client.get(reverse("mentoring:mentors", args=[commune.code])).context["figures"]
    api = client.get(reverse("api:mentoring_mentors", args=[commune.code])).json()
    assert {k: getattr(page, k) for k in by_hand} == by_hand
    assert {k: api[k] for k in by_hand} == by_hand
    assert (api["count"], api["page"], api["pages"]) == (3, 1, 1)  # the inactive one listed
