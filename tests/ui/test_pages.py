"""The pages render for an officer, in Vietnamese by default and in English after switching."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.registry.services import household_create, person_register, village_create
from tests.factories import search

pytestmark = pytest.mark.django_db


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_anonymous_is_sent_to_login(client, household, head, commune):
    for url in [
        reverse("ui:home"),
        reverse("ui:commune", args=[commune.code]),
        reverse("registry:household", args=[household.pk]),
        reverse("ui:person", args=[head.pk]),
        reverse("registry:person_edit", args=[head.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_login_page_in_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = html(response)
    assert "Đăng nhập" in page
    assert 'lang="vi"' in page
    assert "Bình dân học vụ số" in page


def test_login_then_home(client, officer):
    from tests.factories import OFFICER_PASSWORD

    response = client.post(
        reverse("login"), {"username": "canbo", "password": OFFICER_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("ui:home")
    assert "Cán bộ xã" in html(response)  # the user's display name in the header


def test_home_finds_commune_without_diacritics(officer_client, commune):
    response = search(officer_client, reverse("ui:home"), "lung cu")
    assert response.status_code == 200
    page = html(response)
    assert "Xã Lũng Cú" in page
    assert reverse("ui:commune", args=["00715"]) in page
    assert [c.code for c in response.context["page"].object_list] == ["00715"]


def test_home_finds_commune_by_code(officer_client, commune):
    response = search(officer_client, reverse("ui:home"), "715")
    assert [c.code for c in response.context["page"].object_list] == ["00715"]


def test_home_is_paged(national_client, units):
    response = search(national_client, reverse("ui:home"), "xa", page=2)
    page = response.context["page"]
    assert page.number == 2
    assert len(page.object_list) == 25
    assert "page=3" in html(response)


def test_home_is_vietnamese_by_default_with_dot_thousands(national_client, units):
    page = html(national_client.get(reverse("ui:home")))
    assert "Tìm xã/phường" in page
    assert "Tìm trong 3.321 xã, phường" in page
    assert "Đăng xuất" in page


def test_switch_to_english_and_back(national_client, units):
    response = national_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("ui:home")}, follow=True
    )
    page = html(response)
    assert 'lang="en"' in page
    assert "Find a commune" in page
    assert "Search among 3,321 communes and wards" in page
    assert "Log out" in page
    response = national_client.post(
        reverse("set_language"), {"language": "vi", "next": reverse("ui:home")}, follow=True
    )
    assert "Tìm xã/phường" in html(response)


def test_commune_officer_finds_only_their_commune(officer_client, units):
    response = officer_client.get(reverse("ui:home"))
    assert [c.code for c in response.context["page"].object_list] == ["00715"]
    response = search(officer_client, reverse("ui:home"), "ba dinh")
    assert list(response.context["page"].object_list) == []


def test_citizen_home_is_an_empty_state(citizen_client, units):
    response = search(citizen_client, reverse("ui:home"), "lung cu")
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "chưa được giao phụ trách xã/phường nào" in html(response)
    assert "Xã Lũng Cú" not in html(response)


def test_commune_page(officer_client, commune, village, household, head, member):
    response = officer_client.get(reverse("ui:commune", args=[commune.code]))
    assert response.status_code == 200
    page = html(response)
    assert "Xã Lũng Cú" in page
    assert "Tỉnh Tuyên Quang" in page
    assert response.context["counts"] == {"villages": 1, "households": 1, "persons": 2}
    assert "Thôn Thèn Pả" in page
    assert "Vùng sâu, vùng xa / khó khăn" in page  # the village's remote flag
    assert reverse("registry:village_edit", args=[commune.code, village.pk]) in page
    assert reverse("registry:village_create", args=[commune.code]) in page
    assert reverse("registry:villages_import", args=[commune.code]) in page
    assert reverse("registry:household_create", args=[commune.code]) in page
    assert reverse("registry:household", args=[household.pk]) in page
    assert "Giàng Mí Pó" in page


def test_commune_household_search_ignores_diacritics(officer_client, commune, officer, head):
    other = household_create(actor=officer, commune=commune, code="LC-002")
    person_register(actor=officer, household=other, full_name="Lò Văn Sử", sex="M")
    url = reverse("ui:commune", args=[commune.code])
    # a member who is not the head, searched without diacritics
    found = search(officer_client, url, "lo van su").context["page"].object_list
    assert [h.code for h in found] == ["LC-002"]
    found = search(officer_client, url, "GIANG MI").context["page"].object_list
    assert [h.code for h in found] == ["LC-001"]
    response = search(officer_client, url, "nobody here")
    assert list(response.context["page"].object_list) == []
    assert "Không có hộ nào khớp với tìm kiếm." in html(response)


def test_commune_village_filter(officer_client, commune, officer, village, household):
    other_village = village_create(actor=officer, commune=commune, name="Thôn Lô Lô Chải")
    household_create(actor=officer, commune=commune, code="LC-009", village=other_village)
    url = reverse("ui:commune", args=[commune.code])
    found = officer_client.get(url, {"village": str(other_village.pk)}).context["page"]
    assert [h.code for h in found.object_list] == ["LC-009"]
    found = officer_client.get(url, {"village": str(village.pk)}).context["page"]
    assert [h.code for h in found.object_list] == ["LC-001"]


def test_commune_households_are_paged_by_25(officer_client, commune, officer):
    for i in range(30):
        household_create(actor=officer, commune=commune, code=f"P-{i:03d}")
    url = reverse("ui:commune", args=[commune.code])
    first = officer_client.get(url).context["page"]
    assert len(first.object_list) == 25
    assert first.paginator.count == 30
    second = officer_client.get(url, {"page": 2}).context["page"]
    assert [h.code for h in second.object_list] == [f"P-{i:03d}" for i in range(25, 30)]


def test_commune_page_query_count_is_pinned(
    officer_client, commune, officer, django_assert_max_num_queries
):
    villages = [
        village_create(actor=officer, commune=commune, name=f"Thôn {n}") for n in ("A", "B", "C")
    ]
    for i in range(30):
        h = household_create(
            actor=officer, commune=commune, code=f"Q-{i:03d}", village=villages[i % 3]
        )
        person_register(
            actor=officer, household=h, full_name=f"Người {i}", sex="M", relationship="head"
        )
        person_register(actor=officer, household=h, full_name=f"Con {i}", sex="F")
    url = reverse("ui:commune", args=[commune.code])
    # session, user, commune, 3 counts, villages, households count + page: no per-row query.
    # +2 for the actor's scope (role assignments and their villages), once per request.
    # +1 for the number of support-desk staff (the warning when there is none).
    with django_assert_max_num_queries(12):
        response = officer_client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
    assert "Người 0" in html(response)


def test_household_page(officer_client, household, head, member, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):  # 7 + the actor's scope
        response = officer_client.get(reverse("registry:household", args=[household.pk]))
    assert response.status_code == 200
    page = html(response)
    assert "LC-001" in page
    assert "Thôn Thèn Pả" in page
    assert "Số 5, Thèn Pả" in page
    assert "Giàng Mí Pó" in page
    assert "Giàng Thị Mỷ" in page
    assert "04/03/1970" in page  # full date of birth
    assert "1995" in page  # year only
    assert "*********456" in page  # masked CCCD
    assert "0912 345 678" in page  # phone as Vietnamese people read it
    assert "Chủ hộ" in page
    assert "Nữ" in page


def test_person_page_shows_sensitive_fields_to_officer(officer_client, head):
    response = officer_client.get(reverse("ui:person", args=[head.pk]))
    assert response.status_code == 200
    page = html(response)
    assert "Giàng Mí Pó" in page
    assert "Mông" in page  # ethnicity, shown to an officer
    assert "Mắt kém" in page  # special needs
    assert "*********456" in page
    assert "Nông dân" in page
    assert "no-store" in response["Cache-Control"]


def test_desk_staff_sees_people_but_not_sensitive_data_nor_edit_forms(commune, head):
    from django.test import Client

    from tests.factories import make_user

    client = Client()
    client.force_login(make_user("motcua", "desk_staff", commune=commune))
    page = html(client.get(reverse("ui:person", args=[head.pk])))
    assert "Giàng Mí Pó" in page
    assert "Mông" not in page
    assert "Mắt kém" not in page
    assert reverse("registry:person_edit", args=[head.pk]) not in page
    assert reverse("ui:person_reveal_cccd", args=[head.pk]) not in page
    assert client.get(reverse("registry:person_edit", args=[head.pk])).status_code == 404
    household_page = html(client.get(reverse("registry:household", args=[head.household_id])))
    assert reverse("registry:person_add", args=[head.household_id]) not in household_page
    commune_page = html(client.get(reverse("ui:commune", args=[commune.code])))
    assert reverse("registry:household_create", args=[commune.code]) not in commune_page


def test_unknown_objects_are_404(officer_client, units):
    import uuid

    assert officer_client.get(reverse("ui:commune", args=["99999"])).status_code == 404
    assert officer_client.get(reverse("ui:commune", args=["abc"])).status_code == 404
    assert officer_client.get(reverse("registry:household", args=[uuid.uuid4()])).status_code == 404
    assert officer_client.get(reverse("ui:person", args=[uuid.uuid4()])).status_code == 404


def test_forms_pages_render(officer_client, commune, village):
    for url in [
        reverse("registry:village_create", args=[commune.code]),
        reverse("registry:village_edit", args=[commune.code, village.pk]),
        reverse("registry:villages_import", args=[commune.code]),
        reverse("registry:household_create", args=[commune.code]),
    ]:
        response = officer_client.get(url)
        assert response.status_code == 200, url
        assert "csrfmiddlewaretoken" in html(response)
