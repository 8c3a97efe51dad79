"""The list endpoints that write their page straight to JSON (``core.schemas.page_json``) answer
what their response schema describes: the body validates against the schema and comes back
unchanged, row by row, with the values the registry holds (checked against the rows, not
against the code that built them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.outreach.api import FamilyPage, IdentityPage, T4Page
from hocvuso.privacy.services import consent_record
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import household_create, person_register
from tests.factories import login, record


@pytest.fixture
def people(commune, village, officer, desk):  # type: ignore[no-untyped-def]
    """Three households: a trader who agreed to be called and holds two Ts, a farmer of 1950
    who did not agree, and a household with no village."""
    h1 = household_create(actor=officer, commune=commune, code="L-1", village=village)
    h2 = household_create(actor=officer, commune=commune, code="L-2", village=village)
    h3 = household_create(actor=officer, commune=commune, code="L-3")
    trader = person_register(
        actor=officer, household=h1, full_name="Vàng Thị Mỷ", sex="F", birth_year=1985,
        phone="0912345678", occupation="trader", relationship="head",
    )  # fmt: skip
    consent_record(actor=officer, person=trader, purpose="contact_phone", method="paper")
    record(desk, trader, "pay.qr")
    record(desk, trader, "sell.online")
    farmer = person_register(
        actor=officer, household=h2, full_name="Lò Văn Páo", sex="M", birth_year=1950,
        phone="0987654321", occupation="farmer", relationship="head",
    )  # fmt: skip
    person_register(
        actor=officer, household=h3, full_name="Đỗ Thị Hà", sex="F", birth_year=1990,
        relationship="head",
    )  # fmt: skip
    return {"trader": trader, "farmer": farmer}


def _body(client: Any, name: str, commune: Any, schema: Any, **query: Any) -> dict[str, Any]:
    response = client.get(reverse(name, args=[commune.code]), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    assert schema.model_validate(body).model_dump(mode="json") == body
    return body


def test_identity_rows_as_the_schema_says(people, commune, village, officer):
    body = _body(login(officer), "api:outreach_identity", commune, IdentityPage)
    rows = {r["full_name"]: r for r in body["results"]}
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    year = timezone.localdate().year
    trader = people["trader"]
    assert rows["Vàng Thị Mỷ"] == {
        "id": str(trader.pk),
        "full_name": "Vàng Thị Mỷ",
        "age": year - 1985,
        "village": village.name,
        "household_id": str(trader.household_id),
        "phone": Person.objects.get(pk=trader.pk).phone,  # agreed to be called
        "vneid_level": 0,
        "has_bank_account": False,
    }
    assert rows["Lò Văn Páo"]["phone"] == ""  # no consent to be called
    assert rows["Đỗ Thị Hà"]["village"] is None


def test_t4_rows_as_the_schema_says(people, commune, officer):
    body = _body(login(officer), "api:outreach_t4", commune, T4Page)
    rows = {r["full_name"]: r for r in body["results"]}
    assert set(rows) == {"Vàng Thị Mỷ", "Lò Văn Páo"}  # traders and farmers only
    assert rows["Vàng Thị Mỷ"]["t4"] == {
        "trade.profile": False,
        "sell.online": True,
        "pay.qr": True,
        "save.digital": False,
    }
    assert rows["Lò Văn Páo"]["t4"] == dict.fromkeys(rows["Lò Văn Páo"]["t4"], False)
    assert rows["Lò Văn Páo"]["occupation"] == "farmer"


def test_family_rows_as_the_schema_says(people, commune, village, officer):
    body = _body(login(officer), "api:outreach_families", commune, FamilyPage)
    rows = {r["code"]: r for r in body["results"]}
    assert set(rows) == {"L-1", "L-2", "L-3"}
    for code, row in rows.items():
        h = Household.objects.select_related("village", "head").get(commune=commune, code=code)
        assert row["id"] == str(h.pk)
        assert row["village"] == (h.village.name if h.village else None)
        assert row["head"] == h.head.full_name
        assert row["member_count"] == h.members.count() == 1
        assert row["priority"] == h.priority


def test_a_page_past_the_end_answers_the_last_page(people, commune, officer, settings):
    settings.HOCVUSO_PAGE_SIZE = 2
    body = _body(login(officer), "api:outreach_identity", commune, IdentityPage, page=9)
    assert (body["count"], body["page"], body["pages"], len(body["results"])) == (3, 2, 2, 1)
