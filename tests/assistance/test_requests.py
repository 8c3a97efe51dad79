"""Requests for help: a citizen asks from their home; the request lands on the commune desk's
worklist and on the worklist of the team serving their village (not on another village's); a
helper takes, answers and closes it, each step audited; the citizen sees its state. Denied
asks and steps change nothing; the need's words follow the person's export and erasure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.assistance import selectors, services
from hocvuso.assistance.models import HelpRequest, Status
from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.privacy.services import consent_record
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.roles.services import role_grant
from hocvuso.skills.models import Skill
from tests.factories import client_for, db_fingerprint, make_user

pytestmark = pytest.mark.django_db

NEED = "Tôi muốn trả tiền điện trên điện thoại"


@pytest.fixture
def asker(head):  # type: ignore[no-untyped-def]
    """Giàng Mí Pó's own citizen account."""
    user = make_user("gmp.help")
    role_grant(actor=SYSTEM, user=user, role="citizen", person=head)
    return user


@pytest.fixture
def helpers(commune, village, desk, officer):  # type: ignore[no-untyped-def]
    """The village's team member, and a member of another village's team of the commune."""
    elsewhere = village_create(actor=officer, commune=commune, name="Thôn Khác")
    return {
        "team": make_user("to.help", "team_member", villages=[village]),
        "other_team": make_user("to.khac", "team_member", villages=[elsewhere]),
        "desk": desk,
    }


def _ask(asker, head, **kw):  # type: ignore[no-untyped-def]
    values = {"id": uuid7(), "contact": "visit", "need": NEED, **kw}
    return services.help_request_ask(actor=asker, person=head, **values)


def test_a_request_goes_from_the_citizen_to_the_desk_and_the_village_team_and_back(
    asker, head, helpers, commune, village
):
    skill = Skill.objects.get(code="pay.qr")
    r = _ask(asker, head, skill=skill)
    assert (r.status, r.commune_id, r.village_id) == ("open", commune.code, village.pk)
    # On the desk's worklist and the village team's, not on another village team's.
    for who in ("desk", "team"):
        listed = selectors.help_request_list(actor=helpers[who], commune=commune)
        assert [x.pk for x in listed] == [r.pk], who
    other = selectors.help_request_list(actor=helpers["other_team"], commune=commune)
    assert list(other) == []
    with pytest.raises(NotFound):
        services.help_request_take(actor=helpers["other_team"], request=r)
    # Taken, answered and closed by the team member; every step audited under their name.
    team = helpers["team"]
    services.help_request_take(actor=team, request=r)
    with pytest.raises(DomainError) as taken:
        services.help_request_take(actor=helpers["desk"], request=r)
    assert taken.value.code == "wrong_state"
    with pytest.raises(DomainError) as early:
        services.help_request_close(actor=team, request=r)
    assert early.value.code == "wrong_state"
    services.help_request_answer(actor=team, request=r, answer="Đã hướng dẫn quét mã QR")
    services.help_request_close(actor=team, request=r)
    r.refresh_from_db()
    assert (r.status, r.taken_by, r.answered_by, r.closed_by) == ("closed", team, team, team)
    trail = list(
        AuditLog.objects.filter(object_id=str(r.pk)).order_by("pk").values_list("action", "actor")
    )
    assert trail == [
        ("help_request.ask", asker.pk),
        ("help_request.take", team.pk),
        ("help_request.answer", team.pk),
        ("help_request.close", team.pk),
    ]
    # The need's words stay out of the trail.
    assert NEED not in str(list(AuditLog.objects.values_list("changes", flat=True)))
    # The citizen sees it closed, with the answer, on their home.
    page = client_for(asker).get(reverse("ui:home")).content.decode()
    assert "Thanh toán" in page or skill.name in page
    assert "Đã đóng" in page
    detail = client_for(asker).get(reverse("assistance:request", args=[r.pk])).content.decode()
    assert "Đã hướng dẫn quét mã QR" in detail
    assert "help-take" not in detail  # the asker does not work their own request


def test_replays_change_nothing_and_another_content_under_the_id_is_refused(asker, head, helpers):
    r = _ask(asker, head)
    again = services.help_request_ask(actor=asker, id=r.pk, person=head, contact="visit", need=NEED)
    assert again.replayed
    team = helpers["team"]
    services.help_request_take(actor=team, request=r)
    services.help_request_answer(actor=team, request=r, answer="Xong")
    services.help_request_close(actor=team, request=r)
    before = db_fingerprint()
    services.help_request_ask(actor=asker, id=r.pk, person=head, contact="visit", need=NEED)
    services.help_request_close(actor=team, request=r)
    assert db_fingerprint() == before
    with pytest.raises(DomainError) as conflict:
        services.help_request_ask(actor=asker, id=r.pk, person=head, contact="desk", need=NEED)
    assert conflict.value.code == "event_conflict"
    assert HelpRequest.objects.count() == 1


def test_being_called_needs_consent_and_a_phone(asker, head, officer, helpers):
    before = db_fingerprint()
    with pytest.raises(DomainError) as no_consent:
        _ask(asker, head, contact="phone")
    assert no_consent.value.code == "contact_needs_consent"
    assert db_fingerprint() == before
    consent_record(actor=officer, person=head, purpose="contact_phone", method="paper")
    r = _ask(asker, head, contact="phone")
    view = selectors.help_request_view(actor=helpers["desk"], request=r)
    assert view.phone == "+84912345678"
    # Without "call me" the helper is not given the number.
    visit = _ask(asker, head, contact="visit")
    assert selectors.help_request_view(actor=helpers["desk"], request=visit).phone == ""


def test_a_need_is_required_and_the_open_requests_are_capped(asker, head):
    with pytest.raises(DomainError) as empty:
        _ask(asker, head, need="   ")
    assert empty.value.code == "need_required"
    for _i in range(services.MAX_OPEN):
        _ask(asker, head)
    with pytest.raises(DomainError) as many:
        _ask(asker, head)
    assert many.value.code == "too_many_open"
    assert HelpRequest.objects.count() == services.MAX_OPEN


def test_nobody_asks_for_someone_else_and_denied_steps_change_nothing(
    asker, head, member, officer, other_officer, province_officer, helpers, citizen
):
    stranger = make_user("nguoi.la")
    role_grant(actor=SYSTEM, user=stranger, role="citizen", person=member)
    for actor in (stranger, citizen, officer, helpers["desk"], helpers["team"]):
        with pytest.raises(NotFound):
            _ask(actor, head)
    assert not HelpRequest.objects.exists()
    r = _ask(asker, head)
    for actor in (other_officer, province_officer, helpers["other_team"], stranger, asker):
        before = db_fingerprint()
        for step in (services.help_request_take, services.help_request_close):
            with pytest.raises(NotFound):
                step(actor=actor, request=r)
        with pytest.raises(NotFound):
            services.help_request_answer(actor=actor, request=r, answer="Không")
        assert db_fingerprint() == before, actor
    # A province officer reads it; another commune's officer does not even see it.
    assert selectors.help_request_get(province_officer, r.pk) == r
    with pytest.raises(NotFound):
        selectors.help_request_get(other_officer, r.pk)
    with pytest.raises(NotFound):
        selectors.help_request_get(stranger, r.pk)


def test_pages_ask_list_take_answer_close(asker, head, helpers, commune):
    client = client_for(asker)
    form = client.get(reverse("assistance:ask", args=[head.pk]))
    assert form.status_code == 200
    page = form.content.decode()
    assert "Nhờ hỗ trợ" in page
    ask_id = str(uuid7())
    data = {"id": ask_id, "skill": "", "need": NEED, "contact": "desk"}
    response = client.post(reverse("assistance:ask", args=[head.pk]), data)
    assert response.status_code == 302
    r = HelpRequest.objects.get()
    assert str(r.pk) == ask_id
    # Sent twice (a double tap): stored once.
    client.post(reverse("assistance:ask", args=[head.pk]), data)
    assert HelpRequest.objects.count() == 1
    # An empty ask says why, in Vietnamese, and stores nothing.
    empty = client.post(
        reverse("assistance:ask", args=[head.pk]),
        {"id": str(uuid7()), "skill": "", "need": "", "contact": "desk"},
    )
    assert empty.status_code == 400
    assert "Chọn một kỹ năng" in empty.content.decode()
    assert HelpRequest.objects.count() == 1
    desk = client_for(helpers["desk"])
    listed = desk.get(reverse("assistance:worklist", args=[commune.code])).content.decode()
    assert head.full_name in listed
    assert "Chờ người hỗ trợ" in listed
    step = reverse("assistance:step", args=[r.pk])
    assert desk.post(step, {"step": "take"}).status_code == 302
    answer = {"step": "answer", "answer": "Mời bác ra quầy sáng mai"}
    assert desk.post(step, answer).status_code == 302
    assert desk.post(step, {"step": "close"}).status_code == 302
    r.refresh_from_db()
    assert r.status == Status.CLOSED
    closed = desk.get(reverse("assistance:worklist", args=[commune.code]) + "?da-dong=1")
    assert head.full_name in closed.content.decode()
    assert (
        head.full_name
        not in desk.get(reverse("assistance:worklist", args=[commune.code])).content.decode()
    )
    # Closing again: a replay, nothing changes; the other village's team gets a 404.
    other = client_for(helpers["other_team"])  # signing in is audited: before the fingerprint
    before = db_fingerprint()
    assert desk.post(step, {"step": "close"}).status_code == 302
    assert other.post(step, {"step": "close"}).status_code == 404
    assert other.get(reverse("assistance:request", args=[r.pk])).status_code == 404
    assert db_fingerprint() == before


def test_the_worklist_costs_the_same_queries_for_one_request_or_many(
    asker, head, member, officer, helpers, commune, django_assert_num_queries
):
    _ask(asker, head)
    for i in range(4):
        h = household_create(actor=officer, commune=commune, code=f"HELP-{i}")
        p = person_register(actor=officer, household=h, full_name=f"Người {i}", sex="F")
        user = make_user(f"dan.{i}")
        role_grant(actor=SYSTEM, user=user, role="citizen", person=p)
        _ask(user, p)
    desk = helpers["desk"]
    from hocvuso.access.scope import scope_of

    scope_of(desk)  # the scope is read once per request, not per row
    with django_assert_num_queries(1):
        rows = list(selectors.help_request_list(actor=desk, commune=commune))
        assert [r.topic for r in rows] == [NEED] * 5
        assert {r.person.full_name for r in rows} >= {head.full_name}


def test_export_and_erasure_cover_the_words_of_the_request(asker, head, officer, helpers):
    from hocvuso.privacy.services import data_request_create, person_erase, person_export

    r = _ask(asker, head)
    services.help_request_answer(actor=helpers["desk"], request=r, answer="Gọi cho ông Pó")
    data = person_export(actor=officer, person=head, fmt="json")
    [row] = data["help_requests"]
    assert (row["need"], row["answer"], row["status_label"]) == (
        NEED,
        "Gọi cho ông Pó",
        "Đã trả lời",
    )
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    person_erase(actor=officer, person=head, request=request)
    r.refresh_from_db()
    assert (r.need, r.answer, r.status) == ("", "", "answered")  # the row and its state stay


def test_a_restricted_person_leaves_the_worklist(asker, head, officer, helpers, commune):
    from hocvuso.privacy.services import data_request_complete, data_request_create

    r = _ask(asker, head)
    assert len(selectors.help_request_list(actor=helpers["desk"], commune=commune)) == 1
    request = data_request_create(actor=officer, person=head, kind="restriction", channel="office")
    data_request_complete(actor=officer, request=request)
    assert list(selectors.help_request_list(actor=helpers["desk"], commune=commune)) == []
    r.refresh_from_db()
    assert r.status == "open"  # kept, only off the worklist


def test_the_homes_cost_the_same_queries_for_one_request_or_many(
    asker, head, officer, helpers, commune
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def home_queries(user) -> int:  # type: ignore[no-untyped-def]
        client = client_for(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("ui:home")).status_code == 200
        return len(ctx.captured_queries)

    _ask(asker, head)
    one = (home_queries(asker), home_queries(helpers["desk"]))
    _ask(asker, head, need="Cài ngân hàng số")
    h = household_create(actor=officer, commune=commune, code="HELP-Q")
    p = person_register(actor=officer, household=h, full_name="Người Thứ Hai", sex="F")
    user = make_user("dan.q")
    role_grant(actor=SYSTEM, user=user, role="citizen", person=p)
    _ask(user, p)
    many = (home_queries(asker), home_queries(helpers["desk"]))
    # Session and user, the scope, then the home's own reads: none per request.
    assert one == many == (5, 9)


def test_the_asker_withdraws_a_request_nobody_answered(asker, head, helpers, commune):
    r = _ask(asker, head)
    for actor in (helpers["desk"], helpers["team"]):  # helpers close, they never withdraw
        before = db_fingerprint()
        with pytest.raises(NotFound):
            services.help_request_withdraw(actor=actor, request=r)
        assert db_fingerprint() == before
    services.help_request_withdraw(actor=asker, request=r)
    r.refresh_from_db()
    assert (r.status, r.closed_by) == ("closed", asker)
    assert list(selectors.help_request_list(actor=helpers["desk"], commune=commune)) == []
    assert AuditLog.objects.filter(action="help_request.withdraw", object_id=str(r.pk)).count() == 1
    before = db_fingerprint()
    assert services.help_request_withdraw(actor=asker, request=r).replayed
    assert db_fingerprint() == before
    # An answered request is the helper's to close.
    answered = _ask(asker, head)
    services.help_request_answer(actor=helpers["desk"], request=answered, answer="Đã gọi")
    with pytest.raises(DomainError) as late:
        services.help_request_withdraw(actor=asker, request=answered)
    assert late.value.code == "wrong_state"
    page = client_for(asker).post(reverse("assistance:withdraw", args=[answered.pk]))
    assert page.status_code == 400
    assert "không thể rút lại" in page.content.decode()


def test_the_asker_withdraws_through_the_api(asker, head, helpers):
    """The API's withdrawal goes through the same policy: a helper who may read and answer the
    request gets 404 and nothing changes; the asker gets the request closed, a replay is 200
    and changes nothing, an answered request is refused with 409 and stays answered."""
    r = _ask(asker, head)
    url = reverse("api:assistance_withdraw", args=[r.pk])
    asking = client_for(asker)
    for helper in (helpers["desk"], helpers["team"]):
        client = client_for(helper)  # signed in before the fingerprint (a session row)
        assert client.get(reverse("api:assistance_requests", args=["00715"])).status_code == 200
        before = db_fingerprint()
        assert client.post(url, content_type="application/json").status_code == 404
        assert db_fingerprint() == before
    response = asking.post(url, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (str(r.pk), "closed")
    r.refresh_from_db()
    assert (r.status, r.closed_by) == ("closed", asker)
    assert AuditLog.objects.filter(action="help_request.withdraw", object_id=str(r.pk)).count() == 1
    before = db_fingerprint()
    again = asking.post(url, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["status"] == "closed"
    assert db_fingerprint() == before
    answered = _ask(asker, head)
    services.help_request_answer(actor=helpers["desk"], request=answered, answer="Đã gọi")
    before = db_fingerprint()
    late = asking.post(
        reverse("api:assistance_withdraw", args=[answered.pk]), content_type="application/json"
    )
    assert late.status_code == 409
    assert late.json()["code"] == "wrong_state"
    assert db_fingerprint() == before
