"""Every role lands on its day's work: a citizen on their own record, skills, courses, classes
and data; a youth volunteer on their commune's classes — never on 'no commune assigned'."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.core.actors import SYSTEM
from hocvuso.roles.services import role_grant
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db

NO_COMMUNE = "chưa được giao phụ trách xã"


def test_a_citizen_lands_on_their_own_page(head, member):
    user = make_user("gmp")
    role_grant(actor=SYSTEM, user=user, role="citizen", person=head)
    page = client_for(user).get(reverse("ui:home")).content.decode()
    assert "Giàng Mí Pó" in page
    for url in (
        reverse("ui:person", args=[head.pk]),
        reverse("learning:courses"),
        reverse("classes:open"),
        reverse("privacy:person", args=[head.pk]),
        reverse("assistance:ask", args=[head.pk]),
    ):
        assert f'href="{url}"' in page, url
        assert client_for(user).get(url).status_code == 200, url  # every link opens
    assert NO_COMMUNE not in page
    assert "Giàng Thị Mỷ" not in page  # their own record only


def test_a_youth_volunteer_lands_on_their_communes_classes(commune):
    user = make_user("doan.test", "youth_volunteer", commune=commune)
    page = client_for(user).get(reverse("ui:home")).content.decode()
    for url in (
        reverse("classes:list", args=[commune.code]),
        reverse("classes:create", args=[commune.code]),
    ):
        assert f'href="{url}"' in page, url
        assert client_for(user).get(url).status_code == 200, url
    assert NO_COMMUNE not in page


def test_an_account_with_no_role_is_told_what_to_do(citizen):
    page = client_for(citizen).get(reverse("ui:home")).content.decode()
    assert NO_COMMUNE in page


def test_breadcrumbs_link_only_to_pages_the_user_may_open(commune):
    volunteer = make_user("doan.crumbs", "youth_volunteer", commune=commune)
    client = client_for(volunteer)
    page = client.get(reverse("classes:list", args=[commune.code])).content.decode()
    commune_url = reverse("ui:commune", args=[commune.code])
    assert client.get(commune_url).status_code == 404  # not theirs to open …
    assert f'href="{commune_url}"' not in page  # … so not linked
    assert commune.name in page  # still named


def test_team_desk_and_mentor_land_on_their_days_work(commune, village, officer, head, desk):
    from hocvuso.mentoring.services import mentor_create

    member = make_user("to.home", "team_member", villages=[village])
    ambassador = make_user("daisu.home")
    mentor_create(actor=officer, person=head, user=ambassador)
    from hocvuso.teams.models import TeamMember

    team = TeamMember.objects.get(user=member).team
    for user, url in (
        (member, reverse("teams:plan", args=[team.pk])),
        (desk, reverse("desk:day", args=[commune.code])),
        (ambassador, reverse("mentoring:mine")),
    ):
        client = client_for(user)
        page = client.get(reverse("ui:home")).content.decode()
        assert "Việc hôm nay" in page, user
        assert NO_COMMUNE not in page, user
        assert f'href="{url}"' in page, (user, url)
        assert client.get(url).status_code in (200, 302), url


def _links_open(user, urls):  # type: ignore[no-untyped-def]
    client = client_for(user)
    page = client.get(reverse("ui:home")).content.decode()
    for url in urls:
        assert f'href="{url}"' in page, url
        assert client.get(url.split("#")[0]).status_code == 200, url  # every link opens
    assert NO_COMMUNE not in page
    return page


def test_a_national_admin_lands_on_the_nations_dashboard_and_report(national_admin):
    page = _links_open(
        national_admin,
        [
            reverse("kpi:national"),
            reverse("kpi:national_report"),
            reverse("kpi:targets_national"),
            reverse("learning:content"),
        ],
    )
    assert "Việc hôm nay" in page
    assert "Báo cáo tháng toàn quốc" in page


def test_a_province_officer_lands_on_their_province(province_officer, commune, other_commune):
    code = commune.province_id
    page = _links_open(
        province_officer,
        [
            reverse("kpi:province", args=[code]),
            reverse("kpi:province", args=[code]) + "#ranking",
            reverse("kpi:province_report", args=[code]),
        ],
    )
    assert "Xã/phường chưa đạt chỉ tiêu" in page
    dashboard = client_for(province_officer).get(reverse("kpi:province", args=[code]))
    assert 'id="ranking"' in dashboard.content.decode()  # where "behind on targets" lands
    assert reverse("kpi:national") not in page  # not theirs
    assert reverse("kpi:province", args=[other_commune.province_id]) not in page
    assert reverse("learning:content") not in page


def test_a_content_editor_lands_on_the_course_editing_pages(db):
    editor = make_user("noidung.home", "content_editor")
    page = _links_open(editor, [reverse("learning:content"), reverse("learning:courses")])
    assert "Nội dung khóa học" in page
    assert reverse("kpi:national") not in page


def test_helpers_land_on_the_requests_for_help_with_the_number_waiting(
    commune, village, officer, head, desk
):
    from hocvuso.assistance.services import help_request_ask
    from hocvuso.core.ids import uuid7

    asker = make_user("gmp.asks")
    role_grant(actor=SYSTEM, user=asker, role="citizen", person=head)
    help_request_ask(actor=asker, id=uuid7(), person=head, contact="visit", need="Cài VNeID")
    member = make_user("to.helps", "team_member", villages=[village])
    url = reverse("assistance:worklist", args=[commune.code])
    for user in (desk, member, officer):
        client = client_for(user)
        page = client.get(reverse("ui:home")).content.decode()
        assert f'href="{url}"' in page, user
        assert "(1 đang chờ)" in page, user
        assert "Cài VNeID" in client.get(url).content.decode(), user
    # The asker's own home shows the request waiting, not a worklist.
    page = client_for(asker).get(reverse("ui:home")).content.decode()
    assert "Chờ người hỗ trợ" in page
    assert url not in page
