"""Classes (capacity, attendance → skill events once) and back-checks (seeded sampling,
reversal of "not confirmed", confirmation rates vs a recount, scope refusals, query counts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.classes.checks import (
    check_outcome_record,
    check_round_draw,
    confirmation_rates,
    sample_draw,
)
from hocvuso.classes.errors import ClassError
from hocvuso.classes.models import BackCheck, ClassGain, ClassRegistration, Outcome
from hocvuso.classes.services import (
    NewPerson,
    class_attendance_set,
    class_create,
    class_gains_record,
    class_register,
    gain_uuid,
)
from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import DomainError
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import PersonSkillStatus, Skill, SkillEvent
from tests.factories import db_fingerprint as _db_fingerprint
from tests.factories import make_user

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
        new_person=NewPerson(full_name=name, sex="F", birth_year=1990),
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


def test_sampling_is_reproducible_and_sized(commune, volunteer, topic, officer):
    klass, _people = _events(commune, volunteer, topic, 40)
    ids = list(SkillEvent.objects.filter(channel="class").values_list("pk", flat=True))
    assert sample_draw(ids, percent=Decimal(5), seed=42) == sample_draw(
        list(reversed(ids)), percent=Decimal(5), seed=42
    )
    assert len(sample_draw(ids, percent=Decimal(5), seed=42)) == 2  # ceil(40 × 5 %)
    kw = {
        "commune": commune, "period_from": dt.date(2025, 1, 1),
        "period_to": timezone.localdate(), "percent": Decimal(10), "seed": 1234,
    }  # fmt: skip
    r1 = check_round_draw(actor=officer, **kw)
    r2 = check_round_draw(actor=officer, **kw)
    picked1 = sorted(r1.checks.values_list("event_id", flat=True))
    assert picked1 == sorted(r2.checks.values_list("event_id", flat=True))
    assert (r1.population, r1.size, len(picked1)) == (40, 4, 4)
    assert set(r1.checks.values_list("klass_id", flat=True)) == {klass.pk}
    assert AuditLog.objects.filter(action="check_round.draw", object_id=str(r1.pk)).exists()


def test_not_confirmed_reverses_and_rates_match_recount(commune, volunteer, topic, officer):
    _klass, _people = _events(commune, volunteer, topic, 6)
    rnd = check_round_draw(
        actor=officer, commune=commune, period_from=dt.date(2025, 1, 1),
        period_to=timezone.localdate(), percent=Decimal(100), seed=5,
    )  # fmt: skip
    checks = list(rnd.checks.order_by("event_id"))
    outcomes = ["confirmed", "confirmed", "not_confirmed", "unreachable", "confirmed", "pending"]
    for c, o in zip(checks, outcomes, strict=True):
        if o != "pending":
            check_outcome_record(actor=officer, check=c, outcome=o, note="gọi điện")
    bad = BackCheck.objects.get(outcome=Outcome.NOT_CONFIRMED)
    assert SkillEvent.objects.filter(reverses=bad.event_id).count() == 1
    assert bad.reversal_id is not None
    assert PersonSkillStatus.objects.get(person=bad.event.person).vneid_level == 0
    with pytest.raises(DomainError) as exc:
        check_outcome_record(actor=officer, check=bad, outcome="confirmed")
    assert exc.value.code == SkillsError.CHECK_CLOSED
    [rate] = confirmation_rates(actor=officer, commune=commune)
    recount = {o: outcomes.count(o) for o in set(outcomes)}
    assert (rate.channel, rate.helper_id, rate.drawn) == ("class", volunteer.pk, 6)
    assert (rate.confirmed, rate.not_confirmed, rate.unreachable) == (
        recount["confirmed"], recount["not_confirmed"], recount["unreachable"],
    )  # fmt: skip
    assert rate.rate == 3 / 4


def test_other_commune_officer_is_refused(
    client, commune, volunteer, topic, officer, other_officer
):
    klass, _people = _events(commune, volunteer, topic, 2)
    rnd = check_round_draw(
        actor=officer, commune=commune, period_from=dt.date(2025, 1, 1),
        period_to=timezone.localdate(), percent=Decimal(100), seed=5,
    )  # fmt: skip
    check = rnd.checks.first()
    client.force_login(other_officer)
    before = _db_fingerprint()
    assert client.get(reverse("classes:detail", args=[klass.pk])).status_code == 404
    assert client.get(reverse("classes:check_round", args=[rnd.pk])).status_code == 404
    r = client.post(reverse("classes:check_outcome", args=[check.pk]), {"outcome": "not_confirmed"})
    assert r.status_code == 404
    r = client.post(reverse("classes:check_draw", args=[commune.code]), {"percent": "100"})
    assert r.status_code == 404
    r = client.post(reverse("classes:attendance", args=[klass.pk]), {"present": []})
    assert r.status_code == 404
    assert _db_fingerprint() == before
    with pytest.raises(DomainError):
        check_outcome_record(actor=other_officer, check=check, outcome="not_confirmed")
    assert not SkillEvent.objects.filter(reverses__isnull=False).exists()


def _count(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(client, commune, volunteer, topic, officer):
    client.force_login(officer)
    _events(commune, volunteer, topic, 2)
    check_round_draw(
        actor=officer, commune=commune, period_from=dt.date(2025, 1, 1),
        period_to=timezone.localdate(), percent=Decimal(100), seed=5,
    )  # fmt: skip
    urls = [
        reverse("classes:list", args=[commune.code]),
        reverse("classes:check_rounds", args=[commune.code]),
        reverse("api:classes_list", args=[commune.code]),
    ]
    small = [_count(client, u) for u in urls]
    for _ in range(3):
        _events(commune, volunteer, topic, 3)
        check_round_draw(
            actor=SYSTEM, commune=commune, period_from=dt.date(2025, 1, 1),
            period_to=timezone.localdate(), percent=Decimal(50), seed=9,
        )  # fmt: skip
    assert [_count(client, u) for u in urls] == small


def test_demo_is_idempotent(commune, officer, volunteer, head):
    from hocvuso.demo.classes import demo_classes

    first = demo_classes(commune=commune, organiser=volunteer, officer=officer, seed=3)
    before = _db_fingerprint()
    assert demo_classes(commune=commune, organiser=volunteer, officer=officer, seed=3) == first
    assert _db_fingerprint() == before
    assert first["classes"] == 3
    assert BackCheck.objects.exclude(outcome=Outcome.PENDING).exists()


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
