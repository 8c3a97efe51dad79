"""Forms write through the services; a broken rule shows up on the right field, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.core.models import AuditLog
from hocvuso.geo.models import Village
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create

pytestmark = pytest.mark.django_db


def error_codes(form, field: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.code for e in form.errors.as_data().get(field, [])]


# --- Villages ---------------------------------------------------------------------------------


def test_village_create(officer_client, commune, officer):
    url = reverse("registry:village_create", args=[commune.code])
    response = officer_client.post(
        url, {"name": "  Tổ dân phố   3 ", "is_ethnic_minority": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("ui:commune", args=[commune.code])
    village = Village.objects.get(commune=commune)
    assert (village.name, village.kind, village.is_ethnic_minority) == (
        "Tổ dân phố 3",
        "to_dan_pho",
        True,
    )
    assert AuditLog.objects.filter(action="village.create", actor=officer).count() == 1
    assert "Đã thêm “Tổ dân phố 3”." in response.content.decode()


def test_village_duplicate_name_is_a_field_error(officer_client, commune, village):
    url = reverse("registry:village_create", args=[commune.code])
    response = officer_client.post(url, {"name": "THON THEN PA"})
    assert response.status_code == 200
    assert error_codes(response.context["form"], "name") == ["duplicate_village"]
    assert "Xã đã có thôn/tổ dân phố mang tên này." in response.content.decode()
    assert Village.objects.filter(commune=commune).count() == 1


def test_village_edit(officer_client, commune, village):
    url = reverse("registry:village_edit", args=[commune.code, village.pk])
    response = officer_client.post(url, {"name": "Thôn Thèn Pả", "kind": "ban"})
    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.kind, village.is_remote) == ("ban", False)


def test_village_of_another_commune_is_404(
    officer_client, commune, other_commune, officer, other_officer
):
    from hocvuso.registry.services import village_create

    elsewhere = village_create(actor=other_officer, commune=other_commune, name="Tổ 1")
    url = reverse("registry:village_edit", args=[commune.code, elsewhere.pk])
    assert officer_client.get(url).status_code == 404


def test_villages_csv_import_shows_counts_and_rejects(officer_client, commune, village):
    csv_text = (
        "Tên thôn,Loại,Vùng khó khăn,Dân tộc thiểu số\n"
        "Thôn Thèn Pả,thôn,x,\n"  # exists, unchanged
        "Thôn Lô Lô Chải,thôn,x,x\n"  # new
        "Thôn Xín Mần,cung điện,,\n"  # row 4: unknown kind
        ",thôn,x,\n"  # row 5: no name
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("thon.csv", csv_text.encode(), content_type="text/csv")
    response = officer_client.post(
        reverse("registry:villages_import", args=[commune.code]), {"file": upload}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.read, result.created, result.updated, result.unchanged) == (4, 1, 0, 1)
    assert [(r["row"], r["code"]) for r in result.rejected] == [(4, "invalid"), (5, "required")]
    page = response.content.decode()
    assert "<td>4</td>" in page
    assert "Loại thôn/tổ dân phố không hợp lệ." in page
    assert "<td>5</td>" in page
    assert "Thôn/tổ dân phố phải có tên." in page
    assert set(Village.objects.filter(commune=commune).values_list("name", flat=True)) == {
        "Thôn Thèn Pả",
        "Thôn Lô Lô Chải",
    }


def test_villages_csv_not_utf8_is_a_form_error(officer_client, commune):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("thon.csv", "Tên\nThôn Đông\n".encode("cp1258"))
    response = officer_client.post(
        reverse("registry:villages_import", args=[commune.code]), {"file": upload}
    )
    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors["file"]


# --- Households -------------------------------------------------------------------------------


def test_household_create(officer_client, commune, village, officer):
    response = officer_client.post(
        reverse("registry:household_create", args=[commune.code]),
        {"code": "LC-100", "village": str(village.pk), "address": "Bản trên"},
    )
    household = Household.objects.get(commune=commune, code="LC-100")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household", args=[household.pk])
    assert (household.village, household.address) == (village, "Bản trên")
    assert AuditLog.objects.filter(action="household.create", object_id=str(household.pk)).exists()


def test_household_duplicate_code_is_a_field_error(officer_client, commune, household):
    response = officer_client.post(
        reverse("registry:household_create", args=[commune.code]), {"code": "LC-001"}
    )
    assert response.status_code == 200
    assert error_codes(response.context["form"], "code") == ["duplicate_household_code"]
    assert Household.objects.filter(commune=commune).count() == 1


def test_household_edit(officer_client, commune, household, officer):
    other = household_create(actor=officer, commune=commune, code="LC-002")
    url = reverse("registry:household_edit", args=[household.pk])
    response = officer_client.post(url, {"code": "LC-002", "address": "x"})
    assert response.status_code == 400
    assert error_codes(response.context["edit_form"], "code") == ["duplicate_household_code"]
    assert response.context["open_form"] == "edit"
    household.refresh_from_db()
    assert household.code == "LC-001"
    response = officer_client.post(url, {"code": "LC-001A", "address": "Số 7"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.code, household.address) == ("LC-001A", "Số 7")
    assert other.code == "LC-002"


def test_set_head(officer_client, household, head, member):
    url = reverse("registry:household_set_head", args=[household.pk])
    response = officer_client.post(url, {"head": str(member.pk)})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head == member


def test_set_head_to_a_stranger_is_refused(officer_client, commune, household, head, officer):
    from hocvuso.registry.services import person_register

    other = household_create(actor=officer, commune=commune, code="LC-002")
    stranger = person_register(actor=officer, household=other, full_name="Người Ngoài", sex="M")
    response = officer_client.post(
        reverse("registry:household_set_head", args=[household.pk]), {"head": str(stranger.pk)}
    )
    assert response.status_code == 400
    assert error_codes(response.context["head_form"], "head") == ["invalid_choice"]
    household.refresh_from_db()
    assert household.head == head


# --- Persons ----------------------------------------------------------------------------------


def add_person(client, household, **data):  # type: ignore[no-untyped-def]
    values = {"full_name": "Vàng Thị Dợ", "sex": "F", "birth": "12/05/2001"}
    values.update(data)
    return client.post(reverse("registry:person_add", args=[household.pk]), values)


def test_person_add(officer_client, household, head, officer):
    response = add_person(
        officer_client,
        household,
        cccd="002301004567",
        phone="0987.654.321",
        ethnicity="08",
        occupation="student",
        relationship="child",
        special_needs="Khiếm thính",
    )
    assert response.status_code == 302
    person = Person.objects.get(full_name="Vàng Thị Dợ")
    assert person.household == household
    assert str(person.birth_date) == "2001-05-12"
    assert person.birth_year == 2001
    assert person.phone == "+84987654321"
    assert person.cccd_masked == "*********567"
    assert (person.ethnicity, person.occupation, person.special_needs) == (
        "08",
        "student",
        "Khiếm thính",
    )
    assert AuditLog.objects.filter(action="person.register", object_id=str(person.pk)).exists()


def test_person_add_year_only(officer_client, household):
    assert add_person(officer_client, household, birth="1948").status_code == 302
    person = Person.objects.get(full_name="Vàng Thị Dợ")
    assert (person.birth_date, person.birth_year) == (None, 1948)


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"cccd": "002070123456", "sex": "M", "birth": "1970"}, "cccd", "duplicate_cccd"),
        ({"cccd": "12345"}, "cccd", "cccd_format"),
        ({"cccd": "999301004567"}, "cccd", "cccd_province"),
        ({"cccd": "002201004567"}, "cccd", "cccd_century_sex"),
        ({"cccd": "002399004567"}, "cccd", "cccd_year"),
        ({"birth": "31/02/1990"}, "birth", "invalid_birth_date"),
        ({"birth": "next year"}, "birth", "invalid_birth_date"),
        ({"birth": "2999"}, "birth", "invalid_birth_date"),
        ({"phone": "12"}, "phone", "invalid_phone"),
    ],
)
def test_person_add_rule_errors_land_on_their_field(
    officer_client, household, head, data, field, code
):
    before = Person.objects.count()
    response = add_person(officer_client, household, **data)
    assert response.status_code == 400
    form = response.context["person_form"]
    assert error_codes(form, field) == [code]
    assert response.context["open_form"] == "person"
    assert Person.objects.count() == before
    if "cccd" in data:  # the number typed is not written back into the page
        assert f'value="{data["cccd"]}"' not in response.content.decode()


def test_person_add_form_validation(officer_client, household):
    response = add_person(officer_client, household, full_name="", sex="")
    assert response.status_code == 400
    form = response.context["person_form"]
    assert error_codes(form, "full_name") == ["required"]
    assert error_codes(form, "sex") == ["required"]


def test_person_add_as_head_sets_the_head(officer_client, officer, commune):
    empty = household_create(actor=officer, commune=commune, code="LC-050")
    response = add_person(officer_client, empty, relationship="head")
    assert response.status_code == 302
    empty.refresh_from_db()
    assert empty.head is not None
    assert empty.head.full_name == "Vàng Thị Dợ"


def edit_person(client, person, **data):  # type: ignore[no-untyped-def]
    values = {
        "full_name": person.full_name,
        "sex": person.sex,
        "birth": "04/03/1970",
        "ethnicity": person.ethnicity,
        "phone": "0912345678",
        "occupation": person.occupation,
        "relationship": person.relationship,
        "special_needs": person.special_needs,
        "cccd": "",
    }
    values.update(data)
    return client.post(reverse("registry:person_edit", args=[person.pk]), values)


def test_person_edit_form_starts_with_empty_cccd(officer_client, head):
    response = officer_client.get(reverse("registry:person_edit", args=[head.pk]))
    form = response.context["form"]
    assert form.initial["birth"] == "04/03/1970"
    assert form.initial["phone"] == "0912 345 678"
    assert "cccd" not in form.initial
    page = response.content.decode()
    assert 'name="remove_cccd"' in page
    assert "Để trống để giữ nguyên số hiện tại." in page
    assert "*********456" in page


def test_person_edit_keeps_cccd_when_left_empty(officer_client, head):
    old_hash = head.cccd_hash
    response = edit_person(officer_client, head, full_name="Giàng Mí Páo", birth="1970")
    assert response.status_code == 302
    head.refresh_from_db()
    assert (head.full_name, head.birth_date, head.birth_year) == ("Giàng Mí Páo", None, 1970)
    assert head.cccd_hash == old_hash


def test_person_edit_removes_cccd(officer_client, head):
    assert edit_person(officer_client, head, remove_cccd="on").status_code == 302
    head.refresh_from_db()
    assert (head.cccd_hash, head.cccd_last3) == (None, "")


def test_person_edit_replaces_cccd(officer_client, head):
    assert edit_person(officer_client, head, cccd="001070999888").status_code == 302
    head.refresh_from_db()
    assert head.cccd_masked == "*********888"


def test_person_edit_duplicate_cccd(officer_client, head, member):
    response = edit_person(
        officer_client,
        member,
        birth="1970",
        sex="M",
        cccd="002 070 123 456",
        ethnicity="",
        special_needs="",
    )
    assert response.status_code == 400
    assert error_codes(response.context["form"], "cccd") == ["duplicate_cccd"]
    member.refresh_from_db()
    assert (member.full_name, member.sex, member.birth_year, member.cccd_hash) == (
        "Giàng Thị Mỷ",
        "F",
        1995,
        None,
    )
    assert "002 070 123 456" not in response.content.decode()


def test_person_edit_sex_inconsistent_with_stored_cccd(officer_client, head):
    response = edit_person(officer_client, head, sex="F")
    assert response.status_code == 400
    assert error_codes(response.context["form"], "cccd") == ["cccd_century_sex"]
    head.refresh_from_db()
    assert head.sex == "M"


def test_person_edit_bad_birth(officer_client, head):
    response = edit_person(officer_client, head, birth="32/13/1970")
    assert response.status_code == 400
    assert error_codes(response.context["form"], "birth") == ["invalid_birth_date"]
