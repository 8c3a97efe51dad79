"""The duplicates worklist, merge and split pages; the walk-in matches offered on the desk's and
a class's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.ids import uuid7
from hocvuso.registry.models import Person, PersonMerge
from hocvuso.registry.services import household_create, person_register
from tests.factories import db_fingerprint, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(officer, commune, village):  # type: ignore[no-untyped-def]
    household = household_create(actor=officer, commune=commune, code="LOP-1", village=village)
    return person_register(
        actor=officer, household=household, full_name="Giang Mi Po", sex="M", birth_year=1970
    )


def test_the_officer_merges_a_pair_and_splits_it_again(officer, commune, head, twin):
    client = login(officer)
    url = reverse("registry:duplicates", args=[commune.code])
    page = client.get(url).content.decode()
    assert "Giang Mi Po" in page
    assert "Giàng Mí Pó" in page
    assert "Trùng tên và năm sinh" in page  # the reason, in Vietnamese
    response = client.post(
        reverse("registry:duplicates_merge", args=[commune.code]),
        {"first": head.pk, "second": twin.pk, "keep": head.pk, "reason": "name_year"},
    )
    assert response.status_code == 302
    merge = PersonMerge.objects.get()
    assert (merge.survivor_id, merge.duplicate_id) == (head.pk, twin.pk)
    page = client.get(url).content.decode()
    assert "Không có bản ghi nào có vẻ trùng" in page
    response = client.post(reverse("registry:merge_split", args=[merge.pk]))
    assert response.status_code == 302
    assert Person.objects.filter(pk=twin.pk).exists()


def test_others_cannot_read_or_use_the_worklist(desk, other_officer, commune, head, twin):
    clients = [login(user) for user in (desk, other_officer)]
    before = db_fingerprint()
    for client in clients:
        assert client.get(reverse("registry:duplicates", args=[commune.code])).status_code == 404
        response = client.post(
            reverse("registry:duplicates_merge", args=[commune.code]),
            {"first": head.pk, "second": twin.pk, "keep": head.pk},
        )
        assert response.status_code == 404
        response = client.post(
            reverse("registry:duplicates_dismiss", args=[commune.code]),
            {"first": head.pk, "second": twin.pk},
        )
        assert response.status_code == 404
    assert db_fingerprint() == before


def test_the_desk_offers_the_matches_before_adding_anyone(desk, commune, head):
    client = login(desk)
    url = reverse("desk:log", args=[commune.code])
    data = {
        "id": str(uuid7()),
        "new_full_name": "giang mi po",
        "new_sex": "M",
        "new_birth_year": "1970",
        "household": "new",
        "procedure": "cu_tru",
        "outcome": "not_done",
        "happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "save": "1",
    }
    count = Person.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{head.pk}"' in page  # offered, to choose
    assert "người khác" in page  # and the box to say it is someone else
    assert Person.objects.count() == count
    # Choosing him logs the visit against him.
    response = client.post(url, {**data, "person": str(head.pk)})
    assert response.status_code == 302
    from hocvuso.desk.models import DeskVisit

    assert DeskVisit.objects.get().person_id == head.pk
    assert Person.objects.count() == count
    # Or it is someone else: confirmed, then added.
    response = client.post(url, {**data, "id": str(uuid7()), "confirmed_new": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == count + 1


def test_a_class_door_offers_the_matches_to_a_volunteer(officer, commune, head):
    from hocvuso.classes.models import ClassRegistration
    from hocvuso.classes.services import class_create
    from tests.factories import make_user

    volunteer = make_user("doan", "youth_volunteer", commune=commune)
    klass = class_create(
        actor=volunteer, commune=commune, title="Lớp VNeID", capacity=5,
        starts_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    client = login(volunteer)
    url = reverse("classes:register", args=[klass.pk])
    reg_id = str(uuid7())
    response = client.post(
        url, {"id": reg_id, "full_name": "Giàng Mí Pó", "sex": "M", "birth_year": "1970"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Giàng Mí Pó" in page
    assert f'value="{head.pk}"' in page
    assert ClassRegistration.objects.count() == 0
    response = client.post(url, {"id": reg_id, "person": str(head.pk)})
    assert response.status_code == 302
    assert ClassRegistration.objects.get().person_id == head.pk


def test_the_household_page_offers_the_matches_before_adding_a_member(
    officer, commune, head, member, twin
):
    client = login(officer)
    url = reverse("registry:person_add", args=[twin.household_id])
    data = {"full_name": "Giàng Thị Mỷ", "birth": "1995", "sex": "F"}
    count = Person.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert reverse("ui:person", args=[member.pk]) in page
    assert "Trùng tên và năm sinh" in page
    assert Person.objects.count() == count
    response = client.post(url, {**data, "confirmed_new": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == count + 1


def test_the_worklist_costs_the_same_queries_whatever_the_pairs(
    officer, commune, village, head, twin, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hocvuso.registry import selectors

    client = login(officer)
    url = reverse("registry:duplicates", args=[commune.code])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    one_pair = count()
    for i in range(6):
        household = household_create(actor=officer, commune=commune, code=f"T-{i}")
        for _ in range(2):
            person_register(
                actor=officer, household=household, full_name=f"Lò Văn {i}", sex="M",
                birth_year=1980 + i,
            )  # fmt: skip
    assert len(selectors.duplicate_pairs(actor=officer, commune=commune)) == 7
    assert count() == one_pair
    # Session, user, scope, the commune, the 4 queries of the pairs, the merges: pinned.
    assert one_pair == 9
    # A walk-in's matches: one query.
    with django_assert_num_queries(1):
        selectors.walk_in_matches(
            actor=officer, commune=commune, full_name="Giàng Mí Pó", birth_year=1970
        )


def test_a_merged_record_address_leads_to_the_record_kept(officer, other_officer, head, twin):
    from hocvuso.registry.services.merges import person_merge

    person_merge(actor=officer, survivor=head, duplicate=twin)
    response = login(officer).get(reverse("ui:person", args=[twin.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("ui:person", args=[head.pk])
    # Someone who may not see the survivor gets the same not-found as for any id.
    assert login(other_officer).get(reverse("ui:person", args=[twin.pk])).status_code == 404
