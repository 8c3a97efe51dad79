"""Classes (capacity, attendance → skill events once, a back-check round over a class's gains,
scope refusals, pinned query counts). The back-checks themselves: tests/skills/test_checks.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.classes.errors import ClassError
from hocvuso.classes.models import ClassGain, ClassRegistration
from hocvuso.classes.services import (
    NewPerson,
    class_attendance_set,
    class_create,
    class_gains_record,
    class_register,
    gain_uuid,
)
from hocvuso.core.errors import DomainError
from hocvuso.core.ids import uuid7
from hocvuso.skills.models import (
    BackCheck,
    CheckOutcome,
    CheckRound,
    PersonSkillStatus,
    Skill,
    SkillEvent,
)
from tests.factories import db_fingerprint as _db_fingerprint
from tests.factories import make_user, record

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2025, 6, 1, 8, tzinfo=dt.UTC)


@pytest.fixture
def volunteer(commune):  # type: ignore[no-untyped-def]
    return make_user("doanvien", "youth_volunteer", commune=commune)


@pytest.fixture
def topic(db):  # type: ignore[no-untyped-def]
    return list(Skill.objects.filter(code__in=["vneid.install", "bank.account"]).order_by("code"))


def _class(commune, volunteer, topic, capacity=30):  # type: ignore[no-untyped-def]
    return class_create(
        actor=volunteer, commune=commune, title="Lớp VNeID", starts_at=WHEN, capacity=capacity,
        skills=topic, branch="Chi đoàn thôn Thèn Pả",
    )  # fmt: skip


def _walk_in(klass, actor, name):  # type: ignore[no-untyped-def]
    return class_register(
        actor=actor, id=uuid7(), klass=klass,
        new_person=NewPerson(full_name=name, sex="F", birth_year=1990, confirmed_new=True),
    )  # fmt: skip


def test_capacity_is_respected(commune, volunteer, topic):
    klass = _class(commune, volunteer, topic, capacity=2)
    _walk_in(klass, volunteer, "Lò Thị A")
    _walk_in(klass, volunteer, "Lò Thị B")
    with pytest.raises(DomainError) as exc:
        _walk_in(klass, volunteer, "Lò Thị C")
    assert exc.value.code == ClassError.CLASS_FULL
    assert ClassRegistration.objects.filter(klass=klass).count() == 2


def test_registration_replay_and_api_full_code(client, commune, volunteer, topic):
    klass = _class(commune, volunteer, topic, capacity=1)
    client.force_login(volunteer)
    url = reverse("api:classes_register", args=[klass.pk])
    body = {"id": str(uuid7()), "new_person": {"full_name": "Vàng Thị D", "sex": "F"}}
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert client.post(url, body, content_type="application/json").status_code == 201  # replay
    assert ClassRegistration.objects.filter(klass=klass).count() == 1
    body2 = {"id": str(uuid7()), "new_person": {"full_name": "Vàng Thị E", "sex": "F"}}
    r = client.post(url, body2, content_type="application/json")
    assert r.status_code == 409  # class full: a conflict with what is stored
    assert r.json()["code"] == "class_full"


def test_attendance_and_gains_record_events_once(commune, volunteer, topic, officer):
    klass = _class(commune, volunteer, topic)
    a = _walk_in(klass, volunteer, "Lò Thị A").person
    b = _walk_in(klass, volunteer, "Lò Thị B").person
    assert class_attendance_set(actor=volunteer, klass=klass, present=[a.pk]) == 1
    with pytest.raises(DomainError) as exc:
        class_gains_record(actor=volunteer, klass=klass, gains=[(b.pk, "vneid.install")])
    assert exc.value.code == ClassError.NOT_ATTENDED
    gains = [(a.pk, "vneid.install"), (a.pk, "bank.account")]
    class_gains_record(actor=volunteer, klass=klass, gains=gains)
    class_gains_record(actor=volunteer, klass=klass, gains=gains)  # replay
    events = SkillEvent.objects.filter(person=a).order_by("skill__code")
    assert [(e.skill.code, e.channel, e.helped_by_id, e.happened_on) for e in events] == [
        ("bank.account", "class", volunteer.pk, dt.date(2025, 6, 1)),
        ("vneid.install", "class", volunteer.pk, dt.date(2025, 6, 1)),
    ]
    assert {e.pk for e in events} == {
        gain_uuid(klass.pk, a.pk, c) for c in ("vneid.install", "bank.account")
    }
    assert ClassGain.objects.filter(klass=klass).count() == 2
    assert PersonSkillStatus.objects.get(person=a).has_bank_account is True
    with pytest.raises(DomainError) as exc:
        class_gains_record(actor=volunteer, klass=klass, gains=[(a.pk, "ai.use")])
    assert exc.value.code == ClassError.SKILL_NOT_TOPIC


def _events(commune, volunteer, topic, n):  # type: ignore[no-untyped-def]
    klass = _class(commune, volunteer, topic, capacity=n)
    people = [_walk_in(klass, volunteer, f"Người {i}").person for i in range(n)]
    class_attendance_set(actor=volunteer, klass=klass, present=[p.pk for p in people])
    class_gains_record(
        actor=volunteer, klass=klass, gains=[(p.pk, "vneid.install") for p in people]
    )
    return klass, people


def test_a_round_for_a_class_samples_only_its_gains(client, commune, volunteer, topic, officer):
    """Drawn from the class page, the round's frame is the class's gain events (their ids are
    :func:`gain_uuid`), named after the class; the skills app keeps the round."""
    klass, people = _events(commune, volunteer, topic, 5)
    other_event = record(officer, people[0], "bank.account", channel="home_visit")
    client.force_login(officer)
    page = client.get(reverse("classes:detail", args=[klass.pk])).content.decode()
    assert reverse("classes:check_draw", args=[klass.pk]) in page
    round_id = uuid7()
    r = client.post(
        reverse("classes:check_draw", args=[klass.pk]),
        {"id": str(round_id), "percent": "100", "seed": "4"},
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("skills:check_round", args=[round_id])
    rnd = CheckRound.objects.get(pk=round_id)
    day = timezone.localtime(klass.starts_at).date()
    assert (rnd.source, rnd.label, rnd.population, rnd.period_from, rnd.period_to) == (
        f"class:{klass.pk}", "Lớp VNeID", 5, day, day,
    )  # fmt: skip
    picked = set(rnd.checks.values_list("event_id", flat=True))
    assert picked == {gain_uuid(klass.pk, p.pk, "vneid.install") for p in people}
    assert other_event.pk not in picked
    assert set(rnd.checks.values_list("label", flat=True)) == {"Lớp VNeID"}
    # The API draws the same way and answers the round as the skills API does.
    body = {"id": str(uuid7()), "percent": "40", "seed": 4}
    r = client.post(
        reverse("api:classes_check_draw", args=[klass.pk]), body, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["source"], data["label"], data["population"], data["size"]) == (
        f"class:{klass.pk}", "Lớp VNeID", 5, 2,
    )  # fmt: skip
    assert {c["event_id"] for c in data["checks"]} <= {str(x) for x in picked}


def test_a_volunteer_may_not_draw_a_round_for_their_class(client, commune, volunteer, topic):
    klass, _people = _events(commune, volunteer, topic, 2)
    client.force_login(volunteer)
    assert (
        reverse("classes:check_draw", args=[klass.pk])
        not in client.get(reverse("classes:detail", args=[klass.pk])).content.decode()
    )
    before = _db_fingerprint()
    r = client.post(
        reverse("classes:check_draw", args=[klass.pk]), {"id": str(uuid7()), "percent": "100"}
    )
    assert r.status_code == 404
    assert _db_fingerprint() == before


def test_volunteers_offered_are_the_communes_helpers(client, commune, officer, head, volunteer):
    from hocvuso.roles.services.grants import citizen_link

    make_user("dan.po")
    citizen_link(actor=officer, person=head, login="dan.po")
    client.force_login(officer)
    page = client.get(reverse("classes:create", args=[commune.code])).content.decode()
    assert "doanvien" in page
    assert "dan.po" not in page  # a citizen's own account never works a class


def test_other_commune_officer_is_refused(client, commune, volunteer, topic, other_officer):
    klass, _people = _events(commune, volunteer, topic, 2)
    client.force_login(other_officer)
    before = _db_fingerprint()
    assert client.get(reverse("classes:detail", args=[klass.pk])).status_code == 404
    r = client.post(reverse("classes:attendance", args=[klass.pk]), {"present": []})
    assert r.status_code == 404
    r = client.post(
        reverse("classes:check_draw", args=[klass.pk]), {"id": str(uuid7()), "percent": "100"}
    )
    assert r.status_code == 404
    assert _db_fingerprint() == before


def _count(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _fill(klass, volunteer, n):  # type: ignore[no-untyped-def]
    """``n`` more people at the class, all present, each gaining the class's first topic."""
    people = [_walk_in(klass, volunteer, f"Khách {uuid7().hex[-6:]}").person for _ in range(n)]
    present = ClassRegistration.objects.filter(klass=klass).values_list("person_id", flat=True)
    class_attendance_set(actor=volunteer, klass=klass, present=list(present))
    class_gains_record(actor=volunteer, klass=klass, gains=[(p.pk, "bank.account") for p in people])


def test_list_and_detail_query_counts_are_pinned(client, commune, volunteer, topic, officer):
    """The same absolute number at two sizes: one class of two people, then four classes and
    eleven people more (the list: its count, its page's ids, then the page's rows with their
    counts, and their skills)."""
    client.force_login(officer)
    klass = _class(commune, volunteer, topic, capacity=20)
    _fill(klass, volunteer, 2)
    urls = [
        reverse("classes:list", args=[commune.code]),
        reverse("classes:detail", args=[klass.pk]),
        reverse("api:classes_list", args=[commune.code]),
        reverse("api:classes_detail", args=[klass.pk]),
    ]
    small = [_count(client, u) for u in urls]
    for _ in range(3):
        _events(commune, volunteer, topic, 2)
    _fill(klass, volunteer, 5)
    large = [_count(client, u) for u in urls]
    assert small == large == [8, 9, 8, 9]


def test_demo_is_idempotent(commune, officer, volunteer, head):
    from hocvuso.demo.classes import demo_classes

    first = demo_classes(commune=commune, organiser=volunteer, officer=officer, seed=3)
    before = _db_fingerprint()
    assert demo_classes(commune=commune, organiser=volunteer, officer=officer, seed=3) == first
    assert _db_fingerprint() == before
    assert first["classes"] == 3
    assert BackCheck.objects.exclude(outcome=CheckOutcome.PENDING).exists()


def test_citizen_signs_up_for_an_upcoming_class_of_their_commune(officer, commune, head, client):
    import datetime as dt

    from django.urls import reverse

    from hocvuso.classes.models import ClassRegistration
    from hocvuso.classes.services import class_create
    from hocvuso.core.actors import SYSTEM
    from hocvuso.core.ids import uuid7
    from hocvuso.roles.services.grants import citizen_link
    from tests.factories import make_user

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    klass = class_create(
        actor=SYSTEM, commune=commune, title="VNeID mức 2", capacity=1, skills=[],
        starts_at=soon, organiser=officer,
    )  # fmt: skip
    past = class_create(
        actor=SYSTEM, commune=commune, title="Đã học", capacity=5, skills=[],
        starts_at=soon - dt.timedelta(days=30), organiser=officer,
    )  # fmt: skip
    user = make_user("dan.po")
    citizen_link(actor=officer, person=head, login="dan.po")
    client.force_login(user)
    page = client.get(reverse("classes:open")).content.decode()
    assert "VNeID mức 2" in page
    assert "Đã học" not in page  # only upcoming classes
    reg_id = str(uuid7())
    for _ in range(2):  # a double tap signs up once
        response = client.post(reverse("classes:sign_up", args=[klass.pk]), {"id": reg_id})
        assert response.status_code == 302
    assert ClassRegistration.objects.filter(klass=klass, person=head).count() == 1
    # A past class, or a class elsewhere, is not open to them: 404, nothing written.
    assert client.post(reverse("classes:sign_up", args=[past.pk])).status_code == 404
    assert not ClassRegistration.objects.filter(klass=past).exists()
