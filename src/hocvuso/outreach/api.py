"""The outreach API: the three worklists (paged like the pages, 25 a page) and the family guide.

Each worklist is scoped: only the people/households the caller sees; a commune out of scope
answers 404, the same as a commune that does not exist.

A worklist answers plain dicts, validated once, as a whole page, by its response schema: building
a ``Schema`` a row (each validated in its own ``__init__``) cost twice as much a row (25 against
12 µs in pages of 25, ``bench/api_rows_bench.py``).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from hocvuso.access.units import access_commune, access_village
from hocvuso.core.schemas import ErrorOut, Page, page_json
from hocvuso.core.web import paginate
from hocvuso.geo.models import Commune, Village
from hocvuso.outreach import selectors, services
from hocvuso.registry import selectors as registry_selectors

router = Router(tags=["outreach"])


class ListFilters(Schema):
    village: UUID | None = Field(None, description="Only this village of the commune")
    q: str = Field("", max_length=100, description="Name, diacritics and case ignored")
    page: int = Field(1, ge=1)


class IdentityFilters(ListFilters):
    need: Literal["vneid", "bank"] = Field(
        "vneid", description="vneid: without VNeID level 2; bank: without a digital bank account"
    )


class T4Filters(ListFilters):
    missing: str = Field(
        "",
        description="Empty: every trader/farmer; 'any': missing at least one T; or a T code "
        "(trade.profile, sell.online, pay.qr, save.digital): missing that T",
    )


class PersonRow(Schema):
    id: UUID
    full_name: str
    age: int | None = Field(description="Whole years; year of birth only: this year − that year")
    village: str | None
    household_id: UUID
    phone: str
    vneid_level: int
    has_bank_account: bool


class T4Row(Schema):
    id: UUID
    full_name: str
    occupation: str
    village: str | None
    household_id: UUID
    phone: str
    t4: dict[str, bool] = Field(description="Each T code: held or not")


class HouseholdRow(Schema):
    id: UUID
    code: str
    village: str | None
    head: str | None
    member_count: int
    priority: int = Field(
        description="0 remote/ethnic-minority area, 1 elderly only (all 60+), "
        "2 a member with special needs, 3 the rest"
    )


class IdentityPage(Page):
    results: list[PersonRow]


class T4Page(Page):
    results: list[T4Row]


class FamilyPage(Page):
    results: list[HouseholdRow]


class GuideIn(Schema):
    person_id: UUID


class GuideOut(Schema):
    household_id: UUID
    person_id: UUID
    designated_at: dt.datetime


def _village(actor: Any, commune: Commune, village_id: UUID | None) -> Village | None:
    if village_id is None:
        return None
    return access_village(actor, commune, village_id)


@router.get(
    "/communes/{code}/identity",
    response={200: IdentityPage, 404: ErrorOut},
    url_name="outreach_identity",
)
def identity(request: HttpRequest, code: str, filters: Query[IdentityFilters]) -> HttpResponse:
    """People aged 16+ without VNeID level 2 (``need=vneid``) or a digital bank account."""
    commune = access_commune(request.user, code)
    today = timezone.localdate()
    village = _village(request.user, commune, filters.village)
    wanted: dict[str, Any] = {
        "commune": commune,
        "need": filters.need,
        "village": village,
        "q": filters.q,
    }
    qs = selectors.identity_worklist(actor=request.user, today=today, **wanted)
    count = selectors.identity_count(actor=request.user, today=today, **wanted)
    rows = partial(selectors.person_values, today=today)
    return page_json(paginate(qs, filters.page, rows=rows, count=count), PersonRow)


@router.get(
    "/communes/{code}/families",
    response={200: FamilyPage, 404: ErrorOut},
    url_name="outreach_families",
)
def families(request: HttpRequest, code: str, filters: Query[ListFilters]) -> HttpResponse:
    """Households with no member holding the basic skill set, most urgent first."""
    commune = access_commune(request.user, code)
    village = _village(request.user, commune, filters.village)
    qs = selectors.family_worklist(
        actor=request.user, commune=commune, village=village, q=filters.q
    )
    count = selectors.family_count(
        actor=request.user, commune=commune, village=village, q=filters.q
    )
    page = paginate(qs, filters.page, rows=selectors.family_values, count=count)
    return page_json(page, HouseholdRow)


@router.get(
    "/communes/{code}/4t",
    response={200: T4Page, 404: ErrorOut, 422: ErrorOut},
    url_name="outreach_t4",
)
def t4(request: HttpRequest, code: str, filters: Query[T4Filters]) -> HttpResponse:
    """Traders and farmers with their progress on each T; ``missing`` filters by a missing T."""
    commune = access_commune(request.user, code)
    village = _village(request.user, commune, filters.village)
    wanted: dict[str, Any] = {
        "commune": commune,
        "missing": filters.missing,
        "village": village,
        "q": filters.q,
    }
    qs = selectors.t4_worklist(actor=request.user, **wanted)
    page = paginate(
        qs,
        filters.page,
        rows=partial(selectors.person_values, today=timezone.localdate()),
        count=selectors.t4_count(actor=request.user, **wanted),
    )
    return page_json(page, T4Row)


@router.post(
    "/households/{household_id}/guide",
    response={200: GuideOut, 201: GuideOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="outreach_guide_set",
)
def guide_set(request: HttpRequest, household_id: UUID, payload: GuideIn) -> Status[GuideOut]:
    """Designate the family's digital guide (a member of the household: else 422
    ``guide_not_member``; an erased person: 409 ``person_erased``). 201 when it changed, 200
    when they already were the guide."""
    household = registry_selectors.household_get(request.user, household_id)
    person = registry_selectors.person_get(request.user, payload.person_id)
    before = selectors.family_status(actor=request.user, household=household).guide
    guide = services.family_guide_set(actor=request.user, household=household, person=person)
    changed = before is None or before.pk != guide.pk
    out = GuideOut(household_id=household.pk, person_id=person.pk, designated_at=guide.created_at)
    return Status(201 if changed else 200, out)
