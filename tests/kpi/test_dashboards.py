"""Dashboards, targets, ranking, exports and the API: figures equal a recount from the raw
records; targets inherit commune → remote communes of the province → province → nation →
default; lagging units come first; the Excel file reads back with the same numbers; query counts
do not grow with the population; a commune officer cannot open another commune's dashboard."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from hocvuso.core.actors import SYSTEM
from hocvuso.core.errors import NotFound
from hocvuso.geo.models import Commune, Village
from hocvuso.kpi import dashboards, selectors
from hocvuso.kpi.models import Indicator, Target
from hocvuso.kpi.services import target_set
from hocvuso.registry.models import Household, Person
from tests.factories import build_commune, recount_by_hand

pytestmark = pytest.mark.django_db


def _ind(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def test_every_level_equals_a_recount(kpi_world, national_admin):
    year = selectors.timezone.localdate().year
    w = kpi_world
    levels = [
        ("national", "", [w.lungcu.code, w.neighbour.code, w.hanoi.code]),
        ("province", w.lungcu.province_id, [w.lungcu.code, w.neighbour.code]),
        ("commune", w.lungcu.code, [w.lungcu.code]),
    ]
    for level, code, communes in levels:
        d = dashboards.build(actor=national_admin, level=level, code=code)
        want = recount_by_hand(communes, year)
        assert {k: d.figures[k] for k in want} == want, level
    # A village: the same from its own people.
    village = Village.objects.filter(commune=w.lungcu).order_by("name").first()
    d = dashboards.build(actor=national_admin, level="village", code=str(village.pk))
    people = Person.objects.filter(household__village=village)
    assert d.figures["persons"] == people.count()
    assert d.figures["households"] == Household.objects.filter(village=village).count()
    # Province rows of the national table add up to the nation.
    nation = dashboards.build(actor=national_admin, level="national")
    assert sum(r.child.figures.get("persons", 0) for r in nation.rows) == nation.figures["persons"]
    assert nation.figures["communes"] == 3321
    assert len(nation.rows) == 34


def test_remote_filter_splits_the_nation(kpi_world, national_admin):
    all_ = dashboards.build(actor=national_admin, level="national").figures
    remote = dashboards.build(actor=national_admin, level="national", area="remote").figures
    other = dashboards.build(actor=national_admin, level="national", area="other").figures
    assert remote["persons"] == Person.objects.filter(commune=kpi_world.lungcu).count()
    assert remote["persons"] + other["persons"] == all_["persons"]
    assert remote["communes"] + other["communes"] == all_["communes"]


def test_targets_inherit_down_the_levels(kpi_world, national_admin, province_officer):
    w = kpi_world
    year = selectors.timezone.localdate().year
    ind = _ind("bank_account")
    province = w.lungcu.province

    def target(unit: selectors.UnitRef) -> tuple[Decimal | None, str]:
        return selectors.target_book(year).target(ind.code, unit)

    lungcu = selectors.unit_get(actor=national_admin, level="commune", code=w.lungcu.code)
    neighbour = selectors.unit_get(actor=national_admin, level="commune", code=w.neighbour.code)
    prov = selectors.unit_get(actor=national_admin, level="province", code=province.code)
    assert target(lungcu) == (None, "")  # no default for bank accounts: no target
    target_set(actor=national_admin, indicator=ind, year=year, value="80")
    assert target(lungcu) == (Decimal("80.00"), "national")
    assert target(prov) == (Decimal("80.00"), "national")
    target_set(actor=national_admin, indicator=ind, year=year, value="75", province=province)
    assert target(prov) == (Decimal("75.00"), "province")
    assert target(neighbour) == (Decimal("75.00"), "province")
    target_set(
        actor=province_officer,
        indicator=ind,
        year=year,
        value="60",
        province=province,
        remote_only=True,
    )
    assert target(lungcu) == (Decimal("60.00"), "province_remote")  # Lũng Cú is remote
    assert target(neighbour) == (Decimal("75.00"), "province")  # the neighbour is not
    target_set(actor=province_officer, indicator=ind, year=year, value="55", commune=w.lungcu)
    assert target(lungcu) == (Decimal("55.00"), "commune")
    # A month's own target wins in that month only.
    target_set(
        actor=national_admin, indicator=ind, year=year, month=1, value="10", province=province
    )
    assert selectors.target_book(year, 1).target(ind.code, prov)[0] == Decimal("10.00")
    assert selectors.target_book(year, 2).target(ind.code, prov)[0] == Decimal("75.00")
    # Clearing a commune's target: it inherits again.
    target_set(actor=province_officer, indicator=ind, year=year, value=None, commune=w.lungcu)
    assert target(lungcu) == (Decimal("60.00"), "province_remote")
    # Defaults of MISSION.md.
    assert _ind("identity_level2").default_target == 100
    assert _ind("mentees_per_mentor").default_target == 5
    assert _ind("desk_staff").default_target == 1


def test_target_setting_is_scoped_and_a_denied_write_changes_nothing(
    kpi_world, officer, province_officer, other_officer
):
    from hocvuso.geo.models import Province

    year = selectors.timezone.localdate().year
    ind = _ind("bank_account")
    hanoi = Province.objects.get(code="01")
    before = list(Target.objects.values_list("key", "value"))
    attempts = [
        (officer, {"commune": kpi_world.lungcu}),  # a commune does not set its own target
        (province_officer, {}),  # the nation's is not the province's to set
        (province_officer, {"province": kpi_world.lungcu.province}),  # nor its own
        (province_officer, {"commune": kpi_world.hanoi}),  # nor another province's commune
        (province_officer, {"province": hanoi, "remote_only": True}),
        (other_officer, {"commune": kpi_world.lungcu}),
    ]
    for actor, where in attempts:
        with pytest.raises(NotFound):
            target_set(actor=actor, indicator=ind, year=year, value="50", **where)
    assert list(Target.objects.values_list("key", "value")) == before
    from hocvuso.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        target_set(actor=SYSTEM, indicator=ind, year=year, value="120")
    assert exc.value.field == "value"
    assert list(Target.objects.values_list("key", "value")) == before


def test_ranking_puts_lagging_units_first(kpi_world, national_admin):
    year = selectors.timezone.localdate().year
    province = kpi_world.lungcu.province
    target_set(
        actor=SYSTEM, indicator=_ind("bank_account"), year=year, value="50", province=province
    )
    d = dashboards.build(
        actor=national_admin, level="province", code=province.code, indicator="bank_account"
    )
    cells = [r.cell("bank_account") for r in d.ranking]
    assert d.selected is not None
    assert d.selected.code == "bank_account"
    # Behind with figures, then nothing to measure yet, then on target: never mixed.
    groups = [1 if c.value is None else 0 if c.lagging else 2 for c in cells]
    assert groups == sorted(groups)
    behind = [c.progress for c in cells if c.value is not None and c.lagging]
    assert behind == sorted(behind)
    # The two communes with people: recount their order by hand.
    with_people = [kpi_world.lungcu.code, kpi_world.neighbour.code]
    values = {r.child.code: r.cell("bank_account").value for r in d.ranking}
    shown = [r.child.code for r in d.ranking if r.child.code in with_people]
    assert shown == sorted(with_people, key=lambda c: (values[c] >= 50, values[c]))
    assert d.ranking[0].child.code in with_people  # someone with figures leads the table
    # Units with no one yet have no value; they are flagged behind all the same.
    empty = next(r for r in d.ranking if r.child.code not in with_people)
    assert empty.cell("bank_account").value is None
    assert empty.cell("bank_account").lagging
    assert d.lagging == sum(1 for c in cells if c.lagging)


def test_excel_and_csv_exports_read_back(kpi_world, national_admin, client):
    client.force_login(national_admin)
    code = kpi_world.lungcu.province_id
    response = client.get(reverse("kpi:province_export", args=[code, "xlsx"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    d = dashboards.build(actor=national_admin, level="province", code=code)
    groups = {i.get_group_display() for i in d.indicators}
    assert {str(g)[:31] for g in groups} <= set(wb.sheetnames)
    ws = wb[str(_ind("identity_level2").get_group_display())[:31]]
    header = [c.value for c in ws[1]]
    col = header.index(_ind("identity_level2").name_vi + " %") + 1
    rows = {ws.cell(r, 2).value: ws.cell(r, col).value for r in range(2, ws.max_row + 1)}
    unit_cell = next(c for c in d.cells if c.indicator.code == "identity_level2")
    assert rows[code] == pytest.approx(float(unit_cell.value))
    lungcu = next(r for r in d.rows if r.child.code == kpi_world.lungcu.code)
    assert rows[kpi_world.lungcu.code] == pytest.approx(float(lungcu.cell("identity_level2").value))
    # Targets are in the next column.
    assert ws.cell(2, col + 1).value == 100
    counts = wb[wb.sheetnames[-1]]
    people = next(r for r in counts.iter_rows(min_row=2, values_only=True) if r[1] == code)
    assert people[3] == Person.objects.filter(commune__province_id=code).count()
    response = client.get(reverse("kpi:province_export", args=[code, "csv"]))
    text = response.content.decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text)))
    mine = next(
        r
        for r in lines
        if r["code"] == kpi_world.lungcu.code and r["indicator"] == "identity_level2"
    )
    assert Decimal(mine["value"]) == lungcu.cell("identity_level2").value
    assert int(mine["numerator"]) == lungcu.child.figures["vneid2_16"]


def test_query_counts_do_not_grow_with_the_population(commune, national_admin, client):
    def queries(level: str, *args: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(f"kpi:{level}", args=list(args))).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(national_admin)
    build_commune(commune, households=4, seed=1)
    province = commune.province_id
    queries("national")  # the month's roll-forward check, once per process and month
    small = [queries("national"), queries("province", province), queries("commune", commune.code)]
    big = Commune.objects.filter(province=commune.province).exclude(code=commune.code).first()
    build_commune(big, households=60, seed=2)
    assert (
        Person.objects.filter(commune=big).count()
        > 10 * Person.objects.filter(commune=commune).count()
    )
    large = [queries("national"), queries("province", province), queries("commune", big.code)]
    assert large == small
    # Session, user and scope (3: the scope is one query for an officer's assignments),
    # indicators and targets (2), the totals (2), the units below (2), the trend (1), names for
    # the links (1–3).
    assert small == [11, 11, 13]


def test_scope_a_commune_officer_sees_only_their_commune(
    kpi_world, officer, other_officer, province_officer, client
):
    w = kpi_world
    village = Village.objects.filter(commune=w.lungcu).first()
    other_village = Village.objects.filter(commune=w.hanoi).first()
    mine = [
        reverse("kpi:commune", args=[w.lungcu.code]),
        reverse("kpi:commune_export", args=[w.lungcu.code, "xlsx"]),
        reverse("kpi:commune_report", args=[w.lungcu.code]),
        reverse("kpi:village", args=[village.pk]),
        f"/api/v1/dashboards/communes/{w.lungcu.code}",
    ]
    theirs = [
        reverse("kpi:national"),
        reverse("kpi:national_export", args=["csv"]),
        reverse("kpi:province", args=[w.lungcu.province_id]),
        reverse("kpi:province_report", args=[w.lungcu.province_id]),
        reverse("kpi:commune", args=[w.hanoi.code]),
        reverse("kpi:commune_export", args=[w.hanoi.code, "xlsx"]),
        reverse("kpi:commune_export", args=[w.neighbour.code, "csv"]),
        reverse("kpi:commune_report", args=[w.hanoi.code]),
        reverse("kpi:village", args=[other_village.pk]),
        reverse("kpi:targets_national"),
        reverse("kpi:targets_province", args=[w.lungcu.province_id]),
        "/api/v1/dashboards/national",
        f"/api/v1/dashboards/communes/{w.hanoi.code}",
        f"/api/v1/dashboards/villages/{other_village.pk}",
    ]
    client.force_login(officer)
    for url in mine:
        assert client.get(url).status_code == 200, url
    for url in theirs:
        assert client.get(url).status_code == 404, url
    # The commune officer's home is their commune's dashboard.
    assert client.get(reverse("kpi:home")).url == reverse("kpi:commune", args=[w.lungcu.code])
    # A province officer: their province and its communes, not Hà Nội's.
    client.force_login(province_officer)
    assert client.get(reverse("kpi:province", args=[w.lungcu.province_id])).status_code == 200
    assert client.get(reverse("kpi:commune", args=[w.neighbour.code])).status_code == 200
    assert client.get(reverse("kpi:commune", args=[w.hanoi.code])).status_code == 404
    assert client.get(reverse("kpi:national")).status_code == 404


def test_pages_show_vietnamese_numbers(kpi_world, national_admin, client):
    client.force_login(national_admin)
    d = dashboards.build(actor=national_admin, level="commune", code=kpi_world.lungcu.code)
    cell = next(c for c in d.cells if c.indicator.code == "identity_level2")
    page = client.get(reverse("kpi:commune", args=[kpi_world.lungcu.code])).content.decode()
    shown = f"{cell.value:.1f}".replace(".", ",") + "%"
    assert shown in page
    nation = client.get(reverse("kpi:national")).content.decode()
    assert nation.count("<path") >= 34  # the map's provinces
    assert 'viewBox="0 0 400' in nation  # SVG numbers are never localised (400, not 400,0)


def test_numbers_are_formatted_the_vietnamese_way():
    from django.utils import translation

    from hocvuso.kpi.present import fmt_value

    with translation.override("vi"):
        assert fmt_value(Decimal(1234567), "count") == "1.234.567"
        assert fmt_value(Decimal("85.3"), "percent") == "85,3%"
        assert fmt_value(Decimal("4.25"), "ratio") == "4,25"
        assert fmt_value(None, "percent") == "—"
    with translation.override("en"):
        assert fmt_value(Decimal(1234567), "count") == "1,234,567"
        assert fmt_value(Decimal("85.3"), "percent") == "85.3%"


def test_api_returns_the_same_figures(kpi_world, national_admin, client):
    client.force_login(national_admin)
    data = client.get(
        f"/api/v1/dashboards/provinces/{kpi_world.lungcu.province_id}?i=bank_account"
    ).json()
    d = dashboards.build(
        actor=national_admin,
        level="province",
        code=kpi_world.lungcu.province_id,
        indicator="bank_account",
    )
    assert data["unit"]["figures"] == d.figures
    assert [b["code"] for b in data["below"]] == [r.child.code for r in d.ranking]
    assert data["selected"] == "bank_account"
    one = next(c for c in data["unit"]["indicators"] if c["indicator"] == "identity_level2")
    assert Decimal(str(one["value"])) == next(
        c.value for c in d.cells if c.indicator.code == "identity_level2"
    )
    assert one["target_from"] == "default"
    light = client.get(
        f"/api/v1/dashboards/provinces/{kpi_world.lungcu.province_id}?i=bank_account&only=true"
    ).json()
    assert {c["indicator"] for b in light["below"] for c in b["indicators"]} == {"bank_account"}
    assert [b["code"] for b in light["below"]] == [b["code"] for b in data["below"]]
    assert len(light["unit"]["indicators"]) == len(data["unit"]["indicators"])
    indicators = client.get("/api/v1/dashboards/indicators").json()
    assert len(indicators) >= 20
    assert {"identity_level2", "adults_basic"} <= {i["code"] for i in indicators}


def test_target_api_and_form(kpi_world, national_admin, province_officer, client):
    year = selectors.timezone.localdate().year
    client.force_login(province_officer)
    r = client.post(
        "/api/v1/dashboards/targets",
        {
            "indicator": "bank_account",
            "year": year,
            "province": "08",
            "remote_only": True,
            "value": "65",
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Target.objects.get(remote_only=True).value == Decimal("65.00")
    r = client.post(
        "/api/v1/dashboards/targets",
        {"indicator": "bank_account", "year": year, "value": "65"},
        content_type="application/json",
    )
    assert r.status_code == 404
    url = reverse("kpi:targets_province", args=["08"])
    page = client.get(url).content.decode()
    assert f'<option value="{year}" selected>{year}</option>' in page  # not "2.026"
    r = client.post(
        url,
        {
            "unit": f"c:{kpi_world.neighbour.code}",
            "indicator": "adults_basic",
            "year": str(year),
            "month": "",
            "value": "33,5",
        },
    )
    assert r.status_code == 302
    assert Target.objects.get(commune=kpi_world.neighbour).value == Decimal("33.50")
    r = client.post(
        url,
        {
            "unit": f"c:{kpi_world.hanoi.code}",
            "indicator": "adults_basic",
            "year": str(year),
            "value": "10",
        },
    )
    assert r.status_code == 400  # not a unit of the list
    assert not Target.objects.filter(commune=kpi_world.hanoi).exists()


def test_monthly_report_shows_the_month(kpi_world, province_officer, client):
    from hocvuso.kpi import summaries

    summaries.backfill([kpi_world.lungcu.code, kpi_world.neighbour.code], months=2)
    client.force_login(province_officer)
    r = client.get(reverse("kpi:province_report", args=[kpi_world.lungcu.province_id]))
    assert r.status_code == 200
    page = r.content.decode()
    assert kpi_world.lungcu.name in page
    assert kpi_world.neighbour.name in page
    month = selectors.timezone.localdate().replace(day=1)
    previous = (month - selectors.dt.timedelta(days=1)).replace(day=1)
    r = client.get(
        reverse("kpi:province_report", args=[kpi_world.lungcu.province_id])
        + f"?thang={previous:%Y-%m}"
    )
    assert f"{previous:%m/%Y}" in r.content.decode()


def test_national_monthly_report_equals_a_recount(kpi_world, national_admin, client):
    """The nation's month: its figures are the recount of every commune's raw records, each
    province's row the recount of its own communes, and the page shows them."""
    from hocvuso.kpi import summaries

    w = kpi_world
    summaries.backfill([w.lungcu.code, w.neighbour.code, w.hanoi.code], months=2)
    year = selectors.timezone.localdate().year
    month = selectors.timezone.localdate().replace(day=1)
    nation = selectors.unit_get(actor=national_admin, level="national")
    total, below = selectors.month_figures(nation, month)
    want = recount_by_hand([w.lungcu.code, w.neighbour.code, w.hanoi.code], year)
    assert {k: total[k] for k in want} == want
    assert total["communes"] == 3321
    by_province = dict(below)
    assert len(by_province) == 34
    tq = recount_by_hand([w.lungcu.code, w.neighbour.code], year)
    assert {k: by_province[w.lungcu.province_id][k] for k in tq} == tq
    hn = recount_by_hand([w.hanoi.code], year)
    assert {k: by_province[w.hanoi.province_id][k] for k in hn} == hn
    client.force_login(national_admin)
    page = client.get(reverse("kpi:national_report")).content.decode()
    assert "Việt Nam" in page
    assert "Tỉnh/thành phố" in page
    assert w.lungcu.province.name in page
    assert w.hanoi.province.name in page
    share = 100 * want["vneid2_16"] / want["persons_16"]
    assert f"{share:.1f}".replace(".", ",") + "%" in page
    # Linked from the national dashboard.
    dash = client.get(reverse("kpi:national")).content.decode()
    assert f'href="{reverse("kpi:national_report")}"' in dash


def test_national_monthly_report_is_for_national_admins_only(
    kpi_world, province_officer, officer, client
):
    for user in (province_officer, officer):
        client.force_login(user)
        assert client.get(reverse("kpi:national_report")).status_code == 404
