"""The programme pages show the same figures as the dashboard for the same unit: what the
mentoring page, the desk page and the team coverage page print equals
``kpi.selectors.figures(unit)`` — over worlds built so that the figures are not zero and the
cases that once split them (stopped mentors' mentees, ended mentorships, revoked staff, repeat
visitors, households of villages no team covers) are present."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.geo.models import Village
from hocvuso.kpi.selectors import figures, unit_get
from hocvuso.registry.models import Household, Person
from hocvuso.roles.services import role_revoke
from tests.factories import build_commune, log, login, make_user

pytestmark = pytest.mark.django_db


def _shown(html: str) -> dict[str, str]:
    """Label → value of each ``<dt>…</dt><dd>…</dd>`` pair of the page."""
    return {
        re.sub(r"\s+", " ", dt_).strip(): re.sub(r"<[^>]+>", "", dd).strip()
        for dt_, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    }


def _number(text: str) -> int:
    return int(text.split("(")[0].strip().replace(".", ""))


def _vi(msgid: str) -> str:
    with translation.override("vi"):
        return gettext(msgid)


def test_the_mentoring_page_shows_the_dashboards_figures(commune, officer):
    from hocvuso.mentoring.services import (
        mentor_create,
        mentor_update,
        mentorship_end,
        mentorship_start,
    )

    build_commune(commune, households=14, seed=3)
    people = list(Person.objects.filter(commune=commune).order_by("pk"))
    mentors = [
        mentor_create(actor=officer, person=p, user=make_user(f"ds{i}"), capacity=6)
        for i, p in enumerate(people[:3])
    ]
    mentees = people[3:]
    for p in mentees[:5]:  # the first guides five: at the goal
        mentorship_start(actor=officer, mentor=mentors[0], mentee=p)
    ended = mentorship_start(actor=officer, mentor=mentors[1], mentee=mentees[5])
    mentorship_end(actor=officer, mentorship=ended)
    mentorship_start(actor=officer, mentor=mentors[1], mentee=mentees[6])
    for p in mentees[7:9]:  # the third is stopped: their mentees no longer count
        mentorship_start(actor=officer, mentor=mentors[2], mentee=p)
    mentor_update(actor=officer, mentor=mentors[2], capacity=6, languages=[], active=False)

    f = figures(unit_get(actor=officer, level="commune", code=commune.code))
    assert (f["mentors"], f["mentees"], f["mentors_5"]) == (2, 6, 1)
    shown = _shown(
        login(officer).get(reverse("mentoring:mentors", args=[commune.code])).content.decode()
    )
    assert _number(shown[_vi("Active mentors")]) == f["mentors"]
    assert _number(shown[_vi("Mentees")]) == f["mentees"]
    [goal] = [v for k, v in shown.items() if "≥5" in k]
    assert _number(goal) == f["mentors_5"]


def test_the_desk_page_shows_the_dashboards_figures(commune, officer, household):
    from hocvuso.registry.services import person_register

    people = [
        person_register(actor=officer, household=household, full_name=f"Khách {i}", sex="M")
        for i in range(4)
    ]
    staff = [make_user(f"motcua{i}", "desk_staff", commune=commune) for i in range(3)]
    for i in range(9):  # four citizens, some helped again
        log(staff[i % 3], commune, person=people[i % 4], outcome="done_alone")
    role_revoke(actor=officer, assignment=staff[2].role_assignments.get())  # no longer staff

    f = figures(unit_get(actor=officer, level="commune", code=commune.code))
    assert (f["desk_staff"], f["desk_helped"]) == (2, 4)
    shown = _shown(login(officer).get(reverse("desk:day", args=[commune.code])).content.decode())
    assert _number(shown[_vi("Desk staff")]) == f["desk_staff"]
    assert _number(shown[_vi("Citizens helped")]) == f["desk_helped"]


def test_the_coverage_page_shows_the_dashboards_figures(commune, officer):
    from hocvuso.teams.services import Present, team_create, team_member_add, visit_record

    build_commune(commune, households=20, seed=9)
    villages = list(Village.objects.filter(commune=commune).order_by("name"))
    team = team_create(actor=officer, commune=commune, name="Tổ 1", villages=villages[:2])
    worker = make_user("to.mot")
    team_member_add(actor=officer, team=team, user=worker)
    covered = list(
        Household.objects.filter(village__in=villages[:2], members__isnull=False)
        .distinct()
        .order_by("code")
    )
    when = timezone.now() - dt.timedelta(hours=3)
    for h in covered[:5]:
        person = h.members.order_by("pk").first()
        visit_record(
            actor=worker, team=team, id=uuid7(), household=h, visited_at=when,
            present=[Present(person=person, guided=["pay.qr"])],
        )  # fmt: skip
    visit_record(actor=worker, team=team, id=uuid7(), household=covered[0], visited_at=when)

    client = login(officer)
    page = client.get(reverse("teams:coverage", args=[commune.code])).content.decode()
    f = figures(unit_get(actor=officer, level="commune", code=commune.code))
    assert (f["households_visited"], f["guided"]) == (5, 5)
    shown = _shown(page)
    visited, households = (_number(x) for x in shown[_vi("Households visited")].split("/"))
    guided, persons = (_number(x) for x in shown[_vi("People guided")].split("/"))
    assert (visited, households) == (f["households_visited"], f["households"])
    assert (guided, persons) == (f["guided"], f["persons"])
    # Village by village too.
    cell = r"<td[^>]*>([^<]+)</td>"
    row = rf'<th scope="row" data-label="[^"]*">([^<]+)</th>\s*{cell}\s*{cell}'
    rows = re.findall(row, page.split('id="by-village"')[1])
    assert len(rows) == len(villages)
    for v in villages:
        [(_name, hh, pp)] = [r for r in rows if r[0] == v.name]
        vf = figures(unit_get(actor=SYSTEM, level="village", code=str(v.pk)))
        assert [_number(x) for x in hh.split("(")[0].split("/")] == [
            vf["households_visited"], vf["households"],
        ], v.name  # fmt: skip
        assert [_number(x) for x in pp.split("(")[0].split("/")] == [
            vf["guided"], vf["persons"],
        ], v.name  # fmt: skip
