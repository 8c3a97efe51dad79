"""The desk pages and API: the commune warning, logging in a few taps, the log, replays."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import RoleAssignment
from hocvuso.core.ids import uuid7
from hocvuso.desk.models import DeskVisit
from hocvuso.registry.models import Person
from hocvuso.registry.services import person_register
from hocvuso.skills.models import SkillEvent
from tests.factories import log

pytestmark = pytest.mark.django_db


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_commune_page_warns_when_no_desk_staff(officer, commune):
    client = Client()
    client.force_login(officer)
    url = reverse("ui:commune", args=[commune.code])
    warning = 'class="notice desk-warning"'
    response = client.get(url)
    assert response.context["desk"].staff == 0
    assert warning in html(response)
    from tests.factories import make_user

    make_user("motcua", "desk_staff", commune=commune)
    response = client.get(url)
    assert response.context["desk"].staff == 1
    assert warning not in html(response)
    # A revoked appointment does not count.
    RoleAssignment.objects.filter(role="desk_staff").update(revoked_at=timezone.now())
    response = client.get(url)
    assert response.context["desk"].staff == 0
    assert warning in html(response)


def test_log_a_visit_in_a_few_taps(desk_client, desk, head, commune):
    url = reverse("desk:log", args=[commune.code])
    form = desk_client.get(url)
    assert form.status_code == 200
    visit_id = form.context["form"].initial["id"]
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    found = desk_client.post(url, {"id": visit_id, "q": "002070123456", "find": "1"})
    assert found.status_code == 200
    assert found.context["found"] == [head]
    assert "002070123456" not in html(found)  # the CCCD searched for is never written back
    data = {
        "id": visit_id,
        "person": str(head.pk),
        "procedure": "bhyt",
        "outcome": "done_with_help",
        "can_do_alone": "on",
        "happened_at": at,
        "save": "1",
    }
    response = desk_client.post(url, data)
    visit = DeskVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:visit", args=[visit.pk])
    assert (visit.person, visit.procedure, visit.can_do_alone, visit.staff) == (
        head,
        "bhyt",
        True,
        desk,
    )
    assert desk_client.post(url, data).status_code == 302  # sent twice: logged once
    assert DeskVisit.objects.count() == 1
    assert SkillEvent.objects.count() == 1
    page = desk_client.get(response["Location"])
    assert head.full_name in html(page)


def test_add_a_person_from_the_form(desk_client, commune):
    url = reverse("desk:log", args=[commune.code])
    data = {
        "id": str(uuid7()),
        "new_full_name": "Sùng Thị Sua",
        "new_sex": "F",
        "new_birth_year": "1975",
        "new_phone": "0987654321",
        "household": "new",
        "procedure": "cu_tru",
        "outcome": "not_done",
        "happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "save": "1",
    }
    assert desk_client.post(url, data).status_code == 302
    person = Person.objects.get()
    assert (person.full_name, person.phone, person.birth_year) == (
        "Sùng Thị Sua",
        "+84987654321",
        1975,
    )
    bad = desk_client.post(url, {**data, "id": str(uuid7()), "new_phone": "12"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["new_phone"]


def test_day_page_shows_todays_visits_and_figures(desk_client, desk, head, commune):
    log(desk, commune, person=head, can_do_alone=True)
    response = desk_client.get(reverse("desk:day", args=[commune.code]))
    assert response.status_code == 200
    assert [v.person for v in response.context["visits"]] == [head]
    f = response.context["figures"]
    assert (f.staff, f.persons, f.visits, f.can_do_alone) == (1, 1, 1, 1)


def test_visit_list_query_count_is_independent_of_length(
    desk_client, desk, officer, household, commune, django_assert_max_num_queries
):
    people = [
        person_register(actor=officer, household=household, full_name=f"Người {i}", sex="M")
        for i in range(5)
    ]
    url = reverse("desk:visits", args=[commune.code])

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert desk_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    log(desk, commune, person=people[0])
    few = count()
    for i in range(30):
        log(desk, commune, person=people[i % 5])
    assert count() == few
    with django_assert_max_num_queries(few):
        response = desk_client.get(url, {"page": 2})
    assert len(response.context["page"].object_list) == 6


def test_api_records_replays_and_conflicts(desk, head, commune):
    client = Client()
    client.force_login(desk)
    url = reverse("api:desk_visit_record")
    body = {
        "id": str(uuid7()),
        "commune": commune.code,
        "person_id": str(head.pk),
        "procedure": "ket_hon",
        "outcome": "done_alone",
        "can_do_alone": True,
        "happened_at": timezone.now().replace(microsecond=0).isoformat(),
    }
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 201
    assert first.json()["skill_event_id"]
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 200
    assert again.json() == first.json()
    clash = client.post(url, {**body, "outcome": "not_done"}, content_type="application/json")
    assert clash.status_code == 409
    assert clash.json()["code"] == "event_conflict"
    assert SkillEvent.objects.count() == 1
    listing = client.get(reverse("api:desk_visits", args=[commune.code])).json()
    assert listing["count"] == 1
    assert listing["results"][0]["id"] == body["id"]


def test_api_new_person_never_echoes_the_cccd(desk, commune):
    client = Client()
    client.force_login(desk)
    body = {
        "id": str(uuid7()),
        "commune": commune.code,
        "new_person": {"full_name": "Giàng A Lử", "sex": "M", "birth_year": 1970,
                       "cccd": "002070999888"},
        "procedure": "vneid_muc2",
        "outcome": "done_with_help",
        "happened_at": timezone.now().isoformat(),
    }  # fmt: skip
    response = client.post(reverse("api:desk_visit_record"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert "002070999888" not in response.content.decode()
    assert Person.objects.get().cccd_last3 == "888"


def _queries(client, url):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_desk_log_and_figures_queries_are_pinned(desk_client, desk, officer, household, commune):
    """The same absolute number of queries with one visit and with forty (two pages), some
    by another staff member: the day's page with the figures, the log, the API."""
    from tests.factories import make_user

    people = [
        person_register(actor=officer, household=household, full_name=f"Người {i}", sex="F")
        for i in range(4)
    ]
    urls = [
        reverse("desk:day", args=[commune.code]),
        reverse("desk:visits", args=[commune.code]),
        reverse("api:desk_visits", args=[commune.code]),
    ]
    log(desk, commune, person=people[0])
    small = [_queries(desk_client, u) for u in urls]
    colleague = make_user("motcua.hai", "desk_staff", commune=commune)
    for i in range(39):
        outcome = ("done_alone", "done_with_help", "not_done")[i % 3]
        log(desk if i % 2 else colleague, commune, person=people[i % 4], outcome=outcome)
    large = [_queries(desk_client, u) for u in urls]
    # the log and the API: the count, the page's ids off the commune's time index, their rows
    assert small == large == [8, 7, 7]
