"""The targets page parses its POST with a Django form: every refusal is a message under its
field (in Vietnamese), with a 400 and nothing written; a good post saves through the service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.kpi.models import Target
from tests.factories import db_fingerprint, login

pytestmark = pytest.mark.django_db


def _post(client, url, **changes):  # type: ignore[no-untyped-def]
    data = {
        "unit": "r:08",
        "indicator": "bank_account",
        "year": str(timezone.localdate().year),
        "month": "",
        "value": "70",
    }
    data.update(changes)
    return client.post(url, data)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"unit": ""}, "unit", "Hãy chọn một đơn vị trong danh sách."),
        ({"unit": "c:00004"}, "unit", "Hãy chọn một đơn vị trong danh sách."),  # Hà Nội's
        ({"indicator": "no_such"}, "indicator", "Hãy chọn một chỉ số."),
        ({"year": "abc"}, "year", "Hãy chọn một năm trong danh sách."),
        ({"year": "1999"}, "year", "Hãy chọn một năm trong danh sách."),
        ({"month": "13"}, "month", "Tháng là số từ 1 đến 12."),
        ({"value": "nhiều"}, "value", "Hãy nhập một số."),
        ({"value": "120"}, "value", None),  # a percentage over 100: the service's rule
    ],
)
def test_a_refused_post_says_why_and_writes_nothing(
    province_officer, commune, changes, field, message
):
    client = login(province_officer)
    url = reverse("kpi:targets_province", args=[commune.province_id])
    before = db_fingerprint()
    response = _post(client, url, **changes)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vui lòng sửa các lỗi dưới đây." in page
    if message is not None:
        assert f'<p class="error">{message}</p>' in page
    assert page.count('<p class="error">') == 1, field
    assert db_fingerprint() == before


def test_a_good_post_saves_and_an_empty_value_clears(province_officer, commune):
    client = login(province_officer)
    url = reverse("kpi:targets_province", args=[commune.province_id])
    response = _post(client, url, unit=f"c:{commune.code}", value="33,5", month="6")
    assert response.status_code == 302
    target = Target.objects.get(commune=commune)
    assert (target.value, target.month, target.indicator_id) == (
        Decimal("33.50"),
        6,
        "bank_account",
    )
    # The form shows again what was posted after an error, and the year as a plain number.
    page = _post(client, url, unit=f"c:{commune.code}", value="x").content.decode()
    assert f'<option value="c:{commune.code}" selected>' in page
    assert 'value="x"' in page
    assert _post(client, url, unit=f"c:{commune.code}", value="", month="6").status_code == 302
    assert not Target.objects.filter(commune=commune).exists()


def test_the_nation_is_a_unit_only_on_the_nations_page(national_admin, province_officer, commune):
    response = _post(login(national_admin), reverse("kpi:targets_national"), unit="")
    assert response.status_code == 302
    assert Target.objects.get(province__isnull=True, commune__isnull=True).value == Decimal("70")
    client = login(province_officer)
    before = db_fingerprint()
    response = _post(client, reverse("kpi:targets_province", args=[commune.province_id]), unit="")
    assert response.status_code == 400
    assert db_fingerprint() == before
