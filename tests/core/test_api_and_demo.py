import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from hocvuso.core.models import AuditLog
from hocvuso.geo.models import Village
from hocvuso.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def test_units_api(client, units):
    data = client.get("/api/v1/units/communes", {"q": "lung cu"}).json()
    assert [c["code"] for c in data] == ["00715"]
    assert data[0]["province_code"] == "08"
    provinces = client.get("/api/v1/units/provinces").json()
    assert len(provinces) == 34
    missing = client.get("/api/v1/units/communes/99999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/units/communes" in schema["paths"]


def test_request_id_header(client, units):
    response = client.get("/api/v1/units/provinces", HTTP_X_REQUEST_ID="abcdef123456")
    assert response["X-Request-Id"] == "abcdef123456"
    response = client.get("/api/v1/units/provinces", HTTP_X_REQUEST_ID="bad id!")
    assert response["X-Request-Id"] != "bad id!"
    assert len(response["X-Request-Id"]) == 32


def test_demo_is_idempotent(units, capsys):
    call_command("demo", "--households", "12", "--no-migrate")
    out = capsys.readouterr().out
    assert "canbo.lungcu" in out
    assert "hocvuso-demo-2026" in out
    counts = (Village.objects.count(), Household.objects.count(), Person.objects.count())
    assert Village.objects.filter(commune_id="00715").count() == 6
    assert Household.objects.filter(code__startswith="LC-").count() == 12  # + walk-ins at classes
    assert counts[2] > 24
    audit = AuditLog.objects.count()
    last = AuditLog.objects.order_by("-id").values_list("id", flat=True).first()
    call_command("demo", "--households", "12", "--no-migrate")
    new = list(AuditLog.objects.filter(id__gt=last).values_list("action", "object_type"))
    assert new == []
    assert (Village.objects.count(), Household.objects.count(), Person.objects.count()) == counts
    assert AuditLog.objects.count() == audit
    # Every generated person went through validation: CCCDs consistent, heads set.
    assert Household.objects.filter(head__isnull=True).count() == 0
    # The demo citizen of Thèn Pả has asked for help once: it waits on the desk's worklist.
    from hocvuso.assistance.models import HelpRequest
    from tests.factories import client_for

    [asked] = HelpRequest.objects.select_related("village", "asked_by")
    assert (asked.asked_by.username, asked.village.name, asked.status) == (
        "dan.thenpa",
        "Thôn Thèn Pả",
        "open",
    )
    desk = get_user_model().objects.get(username="motcua.lungcu")
    page = client_for(desk).get("/xa/00715/nho-ho-tro/").content.decode()
    assert asked.person.full_name in page
    editor = get_user_model().objects.get(username="noidung")
    assert "/noi-dung/" in client_for(editor).get("/").content.decode()


def test_demo_officers_can_pass_two_factor_with_demo_code(units, capsys, client, settings):
    settings.HOCVUSO_REQUIRE_2FA = True
    call_command("demo", "--households", "2", "--no-migrate")
    capsys.readouterr()
    call_command("demo_code", "canbo.lungcu")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6
    assert code.isdigit()
    response = client.post("/login/", {"username": "canbo.lungcu", "password": "hocvuso-demo-2026"})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": code}, follow=True)
    assert response.status_code == 200
    commune = client.get("/xa/00715/")
    assert commune.status_code == 200


def test_demo_has_skill_activity_through_every_channel(units, capsys):
    from hocvuso.skills.models import PersonSkillStatus, SkillEvent

    call_command("demo", "--households", "30", "--no-migrate")
    events = SkillEvent.objects.count()
    assert events > 50
    channels = set(SkillEvent.objects.values_list("channel", flat=True))
    assert {"home_visit", "class", "support_desk", "mentoring"} <= channels
    assert PersonSkillStatus.objects.filter(vneid_level=2).exists()
    from hocvuso.desk.models import DeskVisit
    from hocvuso.outreach.models import FamilyGuide

    visits, guides = DeskVisit.objects.count(), FamilyGuide.objects.count()
    assert visits == 40
    assert guides > 0
    from django.apps import apps

    from hocvuso.classes.models import ClassEvent
    from hocvuso.mentoring.models import Mentor
    from hocvuso.teams.models import Visit

    assert Mentor.objects.exists()
    assert Visit.objects.exists()
    assert ClassEvent.objects.exists()
    before = {m._meta.label: m.objects.count() for m in apps.get_models()}
    call_command("demo", "--households", "30", "--no-migrate")  # replayed: nothing new
    after = {m._meta.label: m.objects.count() for m in apps.get_models()}
    assert {k: (v, after[k]) for k, v in before.items() if after[k] != v} == {}
    assert SkillEvent.objects.count() == events
    assert (DeskVisit.objects.count(), FamilyGuide.objects.count()) == (visits, guides)
