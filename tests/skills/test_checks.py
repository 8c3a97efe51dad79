"""Back-checks (verification of reported skill events, every channel): seeded sampling, who a
check may go to, the "not confirmed" reversal in the name of whoever recorded it, confirmation
rates against a recount, scope refusals, pinned query counts, and the move of the tables from
the classes app with their rows."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.registry.services import person_register
from hocvuso.roles.services import role_revoke
from hocvuso.skills.checks import (
    Frame,
    check_assign,
    check_outcome_record,
    check_round_draw,
    checkers,
    confirmation_rates,
    sample_draw,
)
from hocvuso.skills.errors import SkillsError
from hocvuso.skills.models import (
    BackCheck,
    CheckOutcome,
    CheckRound,
    PersonSkillStatus,
    SkillEvent,
)
from tests.factories import db_fingerprint, login, make_user, record

pytestmark = pytest.mark.django_db

FROM = dt.date(2025, 1, 1)


def _people(household, officer, n):  # type: ignore[no-untyped-def]
    return [
        person_register(
            actor=officer, household=household, full_name=f"Người {i}", sex="F", birth_year=1980
        )
        for i in range(n)
    ]


def _reports(household, officer, helper, n, code="vneid.install"):  # type: ignore[no-untyped-def]
    """``n`` people of the household, each with one skill the ``helper`` helped with."""
    people = _people(household, officer, n)
    return [record(helper, p, code, helped_by=helper, channel="support_desk") for p in people]


def _draw(actor, commune, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("period_from", FROM)
    kw.setdefault("period_to", timezone.localdate())
    kw.setdefault("percent", Decimal(100))
    kw.setdefault("seed", 5)
    return check_round_draw(actor=actor, commune=commune, **kw)


def test_sampling_is_reproducible_and_sized(commune, household, officer, desk):
    events = _reports(household, officer, desk, 40)
    ids = [e.pk for e in events]
    # The documented rule, written out: ceil(40 × 10 %) = 4 of the ids in order, seed 1234.
    want = sorted(random.Random(1234).sample(sorted(ids), math.ceil(40 * 10 / 100)))
    assert sample_draw(list(reversed(ids)), percent=Decimal(10), seed=1234) == want
    assert len(sample_draw(ids, percent=Decimal(5), seed=42)) == 2  # ceil(40 × 5 %)
    assert len(sample_draw(ids, percent=Decimal("0.01"), seed=42)) == 1  # at least one
    r1 = _draw(officer, commune, percent=Decimal(10), seed=1234)
    r2 = _draw(officer, commune, percent=Decimal(10), seed=1234)
    picked = sorted(r1.checks.values_list("event_id", flat=True))
    assert picked == want == sorted(r2.checks.values_list("event_id", flat=True))
    assert (r1.population, r1.size, r1.source, r1.label) == (40, 4, "", "")
    assert set(r1.checks.values_list("channel", "helper_id", "source")) == {
        ("support_desk", desk.pk, "")
    }
    audit = AuditLog.objects.get(action="check_round.draw", object_id=str(r1.pk))
    assert (audit.actor_id, audit.changes["seed"], audit.changes["population"]) == (
        officer.pk, 1234, 40,
    )  # fmt: skip


def test_a_frame_limits_the_population_and_names_the_checks(commune, household, officer, desk):
    events = _reports(household, officer, desk, 6)
    frame = Frame(source="class:abc", label="Lớp VNeID", events=[e.pk for e in events[:3]])
    rnd = _draw(officer, commune, frame=frame)
    assert (rnd.population, rnd.size, rnd.source, rnd.label) == (3, 3, "class:abc", "Lớp VNeID")
    assert sorted(rnd.checks.values_list("event_id", flat=True)) == sorted(e.pk for e in events[:3])
    assert set(rnd.checks.values_list("source", "label")) == {("class:abc", "Lớp VNeID")}
    with pytest.raises(DomainError) as exc:
        _draw(officer, commune, frame=Frame(source="", label="x", events=[events[0].pk]))
    assert exc.value.code == "invalid"
    with pytest.raises(DomainError) as exc:
        _draw(officer, commune, frame=Frame(source="class:none", label="x", events=[]))
    assert exc.value.code == SkillsError.EMPTY_SAMPLE


def test_not_confirmed_reverses_in_the_checkers_name_and_rates_match_recount(
    commune, household, officer, desk
):
    events = _reports(household, officer, desk, 6)
    checker = make_user("tinhnguyen", "youth_volunteer", commune=commune)
    rnd = _draw(officer, commune)
    checks = list(rnd.checks.order_by("event_id"))
    assert check_assign(actor=officer, round=rnd, checks=[c.pk for c in checks], user=checker) == 6
    outcomes = ["confirmed", "confirmed", "not_confirmed", "unreachable", "confirmed", "pending"]
    for c, o in zip(checks, outcomes, strict=True):
        if o != "pending":
            check_outcome_record(actor=checker, check=c, outcome=o, note="gọi điện")
    bad = BackCheck.objects.select_related("reversal").get(outcome=CheckOutcome.NOT_CONFIRMED)
    # Withdrawn in the name of the volunteer who recorded the outcome (never the system).
    assert (bad.reversal.reverses_id, bad.reversal.recorded_by_id) == (bad.event_id, checker.pk)
    assert (
        AuditLog.objects.get(action="skill_event.reverse", object_id=str(bad.reversal_id)).actor_id
        == checker.pk
    )
    assert PersonSkillStatus.objects.get(person=bad.event.person).vneid_level == 0
    with pytest.raises(DomainError) as exc:
        check_outcome_record(actor=officer, check=bad, outcome="confirmed")
    assert exc.value.code == SkillsError.CHECK_CLOSED

    [rate] = confirmation_rates(actor=officer, commune=commune)
    assert (rate.channel, rate.helper_id, rate.drawn) == ("support_desk", desk.pk, 6)
    assert (rate.confirmed, rate.not_confirmed, rate.unreachable) == (
        outcomes.count("confirmed"), outcomes.count("not_confirmed"),
        outcomes.count("unreachable"),
    )  # fmt: skip
    assert rate.rate == 3 / 4
    assert len(events) == 6
    # The rates table names the channel in Vietnamese, never by its code.
    page = login(officer).get(reverse("skills:check_rounds", args=[commune.code])).content.decode()
    assert 'data-label="Hình thức">Bộ phận một cửa</th>' in page
    assert "support_desk" not in page.split('class="figures stack"')[1].split("</table>")[0]


def test_checkers_are_the_communes_helpers_never_a_citizen_nor_the_rounds_helper(
    commune, other_commune, household, village, officer, desk, head, province_officer
):
    from hocvuso.roles.services.grants import citizen_link

    _reports(household, officer, desk, 2)
    make_user("doanvien", "youth_volunteer", commune=commune)
    make_user("daisu", "mentor", commune=commune)
    make_user("toviec", "team_member", villages=[village])
    make_user("motcua.khac", "desk_staff", commune=other_commune)
    gone = make_user("motcua.cu", "desk_staff", commune=commune)
    role_revoke(actor=officer, assignment=gone.role_assignments.get())
    make_user("dan.po")
    citizen_link(actor=officer, person=head, login="dan.po")
    wide = _draw(officer, commune)
    assert [u.username for u in checkers(wide)] == [
        "canbo", "daisu", "doanvien", "motcua", "toviec",
    ]  # fmt: skip
    narrow = _draw(officer, commune, helper=desk)
    assert [u.username for u in checkers(narrow)] == ["canbo", "daisu", "doanvien", "toviec"]
    # The page offers exactly that list, and assigning to anyone else is refused.
    client = login(officer)
    page = client.get(reverse("skills:check_round", args=[narrow.pk])).content.decode()
    assert "dan.po" not in page
    assert "motcua.khac" not in page
    check = narrow.checks.first()
    for user in ("dan.po", "motcua.cu", "canbo.tinh"):
        from django.contrib.auth import get_user_model

        target = get_user_model().objects.get(username=user)
        before = db_fingerprint()
        with pytest.raises(DomainError) as exc:
            check_assign(actor=officer, round=narrow, checks=[check.pk], user=target)
        assert exc.value.code == SkillsError.NOT_A_CHECKER
        response = client.post(
            reverse("skills:check_assign", args=[narrow.pk]),
            {"user": target.username, "check": [str(check.pk)]},
        )
        assert response.status_code == 302
        assert db_fingerprint() == before, user


def test_nobody_checks_their_own_report(commune, household, officer, desk):
    helped = _reports(household, officer, desk, 1)[0]
    other = make_user("doanvien", "youth_volunteer", commune=commune)
    recorded = record(other, _people(household, officer, 1)[0], "bank.account")  # no helper
    rnd = _draw(officer, commune)
    by_event = {c.event_id: c for c in rnd.checks.all()}
    for user, event in ((desk, helped), (other, recorded)):
        before = db_fingerprint()
        with pytest.raises(DomainError) as exc:
            check_assign(actor=officer, round=rnd, checks=[by_event[event.pk].pk], user=user)
        assert exc.value.code == SkillsError.NOT_A_CHECKER
        assert db_fingerprint() == before
    # Each may check the other's report.
    assert check_assign(actor=officer, round=rnd, checks=[by_event[helped.pk].pk], user=other) == 1
    assert check_assign(actor=officer, round=rnd, checks=[by_event[recorded.pk].pk], user=desk) == 1


def test_an_assignee_whose_role_ended_no_longer_records(commune, household, officer, desk):
    _reports(household, officer, desk, 1)
    checker = make_user("tinhnguyen", "youth_volunteer", commune=commune)
    rnd = _draw(officer, commune)
    check = rnd.checks.get()
    check_assign(actor=officer, round=rnd, checks=[check.pk], user=checker)
    client = login(checker)
    url = reverse("skills:check_outcome", args=[check.pk])
    assert client.post(url, {"outcome": "confirmed"}).status_code == 302
    assert BackCheck.objects.get(pk=check.pk).outcome == "confirmed"
    role_revoke(actor=officer, assignment=checker.role_assignments.get())
    client = login(checker)
    before = db_fingerprint()
    assert client.post(url, {"outcome": "not_confirmed"}).status_code == 404
    assert db_fingerprint() == before
    with pytest.raises(NotFound):
        check_outcome_record(actor=checker, check=check, outcome="not_confirmed")


def test_other_commune_officer_is_refused(client, commune, household, officer, desk, other_officer):
    _reports(household, officer, desk, 2)
    rnd = _draw(officer, commune)
    check = rnd.checks.first()
    client.force_login(other_officer)
    before = db_fingerprint()
    assert client.get(reverse("skills:check_rounds", args=[commune.code])).status_code == 404
    assert client.get(reverse("skills:check_round", args=[rnd.pk])).status_code == 404
    r = client.post(reverse("skills:check_outcome", args=[check.pk]), {"outcome": "not_confirmed"})
    assert r.status_code == 404
    r = client.post(reverse("skills:check_draw", args=[commune.code]), {"percent": "100"})
    assert r.status_code == 404
    r = client.post(
        reverse("skills:check_assign", args=[rnd.pk]),
        {"user": desk.username, "check": [str(check.pk)]},
    )
    assert r.status_code == 404
    assert db_fingerprint() == before
    with pytest.raises(DomainError):
        check_outcome_record(actor=other_officer, check=check, outcome="not_confirmed")
    assert not SkillEvent.objects.filter(reverses__isnull=False).exists()


def test_api_draw_round_and_outcome(commune, household, officer, desk):
    from hocvuso.core.ids import uuid7

    events = _reports(household, officer, desk, 3)
    client = login(officer)
    body = {
        "id": str(uuid7()), "commune": commune.code, "period_from": "2025-01-01",
        "period_to": timezone.localdate().isoformat(), "percent": "100", "seed": 3,
        "helper_id": desk.pk,
    }  # fmt: skip
    r = client.post(reverse("api:checks_draw"), body, content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["population"], data["size"], data["helper_id"], data["source"]) == (
        3, 3, desk.pk, "",
    )  # fmt: skip
    assert sorted(c["event_id"] for c in data["checks"]) == sorted(str(e.pk) for e in events)
    check_id = data["checks"][0]["id"]
    url = reverse("api:checks_outcome", args=[check_id])
    r = client.post(url, {"outcome": "not_confirmed"}, content_type="application/json")
    assert (r.status_code, r.json()["outcome"]) == (200, "not_confirmed")
    r = client.post(url, {"outcome": "confirmed"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "check_closed")
    # A helper who is not one of the commune's: not found.
    stranger = make_user("ai.do")
    r = client.post(
        reverse("api:checks_draw"),
        {**body, "id": str(uuid7()), "helper_id": stranger.pk},
        content_type="application/json",
    )
    assert r.status_code == 404


def _count(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_check_pages_query_counts_are_pinned(commune, household, officer, desk):
    """The same absolute number of queries with one round of two checks and with four rounds of
    many more."""
    client = login(officer)
    _reports(household, officer, desk, 2)
    first = _draw(officer, commune)
    urls = [
        reverse("skills:check_rounds", args=[commune.code]),
        reverse("skills:check_round", args=[first.pk]),
        reverse("api:checks_rounds", args=[commune.code]),
        reverse("api:checks_round", args=[first.pk]),
    ]
    small = [_count(client, u) for u in urls]
    for seed in range(3):
        _reports(household, officer, desk, 3, code="bank.account" if seed else "vneid.level2")
        _draw(SYSTEM, commune, percent=Decimal(50), seed=seed)
    check_assign(
        actor=officer, round=first, checks=list(first.checks.values_list("pk", flat=True)),
        user=make_user("doanvien", "youth_volunteer", commune=commune),
    )  # fmt: skip
    large = [_count(client, u) for u in urls]
    # Session and user, the scope, the commune, then: rounds page — the count, the page's
    # round ids, those rounds with their counts, the rates (the form asks for a helper's
    # username: no list of helpers); round page — the round, its checks; the API's rounds —
    # the newest ids, then their rows.
    assert small == large == [8, 5, 7, 5]


@pytest.mark.django_db(transaction=True)
def test_the_move_from_classes_keeps_every_row(units):
    """Back to the schema before the move, a class round with a check and a commune-wide round
    written there; forward again: the same rows, their class now a frame source and label."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("classes", "0001_classes_and_backchecks"), ("skills", "0003_status_t4_mask")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    # The models as the migrations still applied make them (apps whose migrations depend on
    # later ones of classes or skills were unapplied with them).
    old = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
    commune = old.get_model("geo", "Commune").objects.get(code="00715")
    user = old.get_model("accounts", "User").objects.create(username="cu")
    household = old.get_model("registry", "Household").objects.create(commune=commune, code="C1")
    person = old.get_model("registry", "Person").objects.create(
        commune=commune, household=household, full_name="Lò Văn Cũ", sex="M"
    )
    skill = old.get_model("skills", "Skill").objects.get(code="vneid.install")
    event = old.get_model("skills", "SkillEvent").objects.create(
        person=person, skill=skill, happened_on=FROM, channel="class", helped_by=user
    )
    klass = old.get_model("classes", "ClassEvent").objects.create(
        commune=commune, title="Lớp cũ", starts_at=timezone.now(), capacity=5, organiser=user
    )
    Round = old.get_model("classes", "CheckRound")
    common = {"commune": commune, "period_from": FROM, "period_to": FROM, "percent": 100}
    for_class = Round.objects.create(klass=klass, seed=1, population=1, size=1, **common)
    wide = Round.objects.create(seed=2, population=1, size=1, **common)
    Check = old.get_model("classes", "BackCheck")
    c1 = Check.objects.create(
        round=for_class, event=event, channel="class", helper=user, klass=klass, outcome="confirmed"
    )
    c2 = Check.objects.create(round=wide, event=event, channel="class", helper=user)

    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    rounds = {r.pk: r for r in CheckRound.objects.all()}
    assert (rounds[for_class.pk].source, rounds[for_class.pk].label, rounds[for_class.pk].seed) == (
        f"class:{klass.pk}", "Lớp cũ", 1,
    )  # fmt: skip
    assert (rounds[wide.pk].source, rounds[wide.pk].label) == ("", "")
    checks = {c.pk: c for c in BackCheck.objects.all()}
    assert (checks[c1.pk].source, checks[c1.pk].label, checks[c1.pk].outcome) == (
        f"class:{klass.pk}", "Lớp cũ", "confirmed",
    )  # fmt: skip
    assert (checks[c2.pk].source, checks[c2.pk].round_id, checks[c2.pk].event_id) == (
        "", wide.pk, event.pk,
    )  # fmt: skip


def test_the_withdrawal_reason_is_stored_in_vietnamese_whatever_the_page_language(
    commune, household, officer, desk
):
    from django.utils import translation

    _reports(household, officer, desk, 1)
    (check,) = _draw(officer, commune).checks.all()
    with translation.override("en"):
        check_outcome_record(actor=officer, check=check, outcome="not_confirmed", note="sai")
    check.refresh_from_db()
    assert check.reversal.note == "Không được xác nhận khi kiểm tra lại: sai"


def _draw_post(**extra):  # type: ignore[no-untyped-def]
    from hocvuso.core.ids import uuid7

    return {
        "id": str(uuid7()), "period_from": FROM.isoformat(),
        "period_to": timezone.localdate().isoformat(), "percent": "100", "seed": "3", **extra,
    }  # fmt: skip


def test_the_pages_ask_for_a_helper_by_username_not_a_list_of_them(
    commune, household, officer, desk
):
    """A commune's helpers run to thousands: the draw form and the assignment ask for a
    username. A draw over one helper's reports by their username; an unknown one refused with
    the reason on the field and nothing drawn; the page the same size with 1 helper or 30."""
    _reports(household, officer, desk, 2)
    other = make_user("doanvien.mot", "youth_volunteer", commune=commune)
    record(other, _people(household, officer, 1)[0], "bank.account", helped_by=other)
    client = login(officer)
    url = reverse("skills:check_rounds", args=[commune.code])
    first = len(client.get(url).content)
    for i in range(30):
        make_user(f"doanvien.{i:02d}", "youth_volunteer", commune=commune)
    assert len(client.get(url).content) == first  # no option per helper
    before = db_fingerprint()
    draw = reverse("skills:check_draw", args=[commune.code])
    refused = client.post(draw, _draw_post(helper="khong.co.ai"))
    assert refused.status_code == 400
    assert refused.context["form"].errors["helper"] == [
        "Không có người hướng dẫn nào của xã/phường có tên đăng nhập này."
    ]
    assert db_fingerprint() == before
    drawn = client.post(draw, _draw_post(helper=desk.username))
    assert drawn.status_code == 302
    rnd = CheckRound.objects.get()
    assert rnd.helper_id == desk.pk
    assert {c.event.helped_by_id for c in rnd.checks.select_related("event")} == {desk.pk}
    # the ticked checks go to a checker named by username
    assign = reverse("skills:check_assign", args=[rnd.pk])
    ids = [str(c.pk) for c in rnd.checks.all()]
    client.post(assign, {"user": "khong.co.ai", "check": ids})
    assert not rnd.checks.filter(assigned_to__isnull=False).exists()
    client.post(assign, {"user": other.username, "check": ids})
    assert set(rnd.checks.values_list("assigned_to_id", flat=True)) == {other.pk}


def test_the_groups_to_look_into_first():
    """Lowest confirmation rate first, the most drawn first among equals, groups nobody was
    reached in yet last; a page shows the first ones (the rule written out by hand)."""
    from hocvuso.skills.checks import GroupRate, worst_rates

    def g(label: str, drawn: int, confirmed: int, not_confirmed: int) -> GroupRate:
        return GroupRate("class", "", None, "", label, drawn, confirmed, not_confirmed, 0)

    rates = [
        g("a", 4, 4, 0),  # 100 %
        g("b", 3, 0, 0),  # nobody reached yet
        g("c", 10, 5, 5),  # 50 %, 10 drawn
        g("d", 2, 1, 1),  # 50 %, 2 drawn
        g("e", 5, 0, 5),  # 0 %
    ]
    assert [x.label for x in worst_rates(rates)] == ["e", "c", "d", "a", "b"]
    assert [x.label for x in worst_rates(rates, limit=2)] == ["e", "c"]


def test_the_rounds_page_shows_the_worst_groups_and_how_many(
    commune, household, officer, desk, monkeypatch
):
    from hocvuso.skills import checks

    _reports(household, officer, desk, 2)
    other = make_user("doanvien.hai", "youth_volunteer", commune=commune)
    record(other, _people(household, officer, 1)[0], "bank.account", helped_by=other)
    _draw(officer, commune)
    monkeypatch.setattr(checks, "RATES_SHOWN", 1)
    monkeypatch.setattr(checks.worst_rates, "__defaults__", (1,))
    page = login(officer).get(reverse("skills:check_rounds", args=[commune.code]))
    assert len(page.context["rates"]) == 1
    assert page.context["rates_total"] == 2
    assert "1 nhóm có tỷ lệ xác nhận thấp nhất, trong tổng số 2 nhóm." in page.content.decode()
