"""The person page's skills section, the record/reverse pages and the API; query counts pinned."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.skills.models import PersonSkillStatus, SkillEvent
from tests.factories import make_user, record

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _post_json(client: Client, url: str, body: dict) -> object:  # type: ignore[type-arg]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_record_page_and_person_page(officer, head):
    client = _client(officer)
    page = client.get(reverse("skills:record", args=[head.pk]))
    assert page.status_code == 200
    assert "vneid.level2" in page.content.decode()
    event_id = str(uuid7())
    data = {
        "id": event_id,
        "skill": "vneid.level2",
        "channel": "support_desk",
        "happened_on": timezone.localdate().isoformat(),
        "helped": "on",
        "note": "Đã kích hoạt tại bộ phận một cửa",
    }
    response = client.post(reverse("skills:record", args=[head.pk]), data)
    assert response.status_code == 302
    client.post(reverse("skills:record", args=[head.pk]), data)  # a double tap
    assert SkillEvent.objects.count() == 1
    assert PersonSkillStatus.objects.get(person=head).vneid_level == 2
    html = client.get(reverse("ui:person", args=[head.pk])).content.decode()
    from hocvuso.skills.models import Skill

    assert Skill.objects.get(code="vneid.level2").name in html  # the skill by its name …
    assert "vneid.level2" not in html  # … never its code
    assert "Cán bộ xã" in html
    response = client.post(reverse("skills:reverse", args=[event_id]), {"reason": "Nhầm"})
    assert response.status_code == 302
    assert PersonSkillStatus.objects.get(person=head).vneid_level == 0
    assert (
        client.post(reverse("skills:reverse", args=[event_id]), {"reason": "x"}).status_code == 400
    )


def test_person_page_query_count_does_not_grow(officer, head):
    client = _client(officer)
    url = reverse("ui:person", args=[head.pk])
    status_url = reverse("api:skills_person", args=[head.pk])
    record(officer, head, "pay.qr", helped_by=officer)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few_api:
        assert client.get(status_url).status_code == 200
    for i in range(30):
        record(officer, head, "1.1" if i % 2 else "pay.qr", helped_by=officer)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as many_api:
        assert client.get(status_url).status_code == 200
    assert len(many) == len(few)
    assert len(many_api) == len(few_api)
    assert len(many_api) <= 8, [q["sql"] for q in many_api.captured_queries]


def test_api_record_replay_conflict_and_reverse(officer, head):
    client = _client(officer)
    url = reverse("api:skills_event_record")
    body = {
        "id": str(uuid7()),
        "person_id": str(head.pk),
        "skill": "bank.account",
        "happened_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "channel": "home_visit",
    }
    first = _post_json(client, url, body)
    assert first.status_code == 201  # type: ignore[attr-defined]
    audit = AuditLog.objects.count()
    again = _post_json(client, url, body)
    assert again.status_code == 200  # type: ignore[attr-defined]
    assert again.json() == first.json()  # type: ignore[attr-defined]
    assert SkillEvent.objects.count() == 1
    assert AuditLog.objects.count() == audit
    conflict = _post_json(client, url, {**body, "skill": "pay.qr"})
    assert conflict.status_code == 409  # type: ignore[attr-defined]
    assert conflict.json()["code"] == "event_conflict"  # type: ignore[attr-defined]
    status = client.get(reverse("api:skills_person", args=[head.pk])).json()
    assert status["status"]["has_bank_account"] is True
    assert [e["skill"] for e in status["events"]] == ["bank.account"]
    reverse_url = reverse("api:skills_event_reverse", args=[body["id"]])
    rev = _post_json(client, reverse_url, {"id": str(uuid7()), "reason": "Sai"})
    assert rev.status_code == 201  # type: ignore[attr-defined]
    status = client.get(reverse("api:skills_person", args=[head.pk])).json()
    assert status["status"]["has_bank_account"] is False
    catalogue = client.get(reverse("api:skills_catalogue")).json()
    assert len(catalogue["areas"]) == 8
    assert {s["code"] for s in catalogue["sets"]} == {"basic", "4t", "identity"}


def test_out_of_scope_refused_database_unchanged(officer, head, other_commune, province_officer):
    record(officer, head, "pay.qr")
    users = {
        "other_desk": make_user("motcua.khac", "desk_staff", commune=other_commune),
        "province": province_officer,
        "citizen": make_user("ban.than", "citizen", person=head),
    }
    event = SkillEvent.objects.get()
    for who, user in users.items():
        client = _client(user)
        before = (
            list(SkillEvent.objects.values_list("pk", flat=True)),
            AuditLog.objects.count(),
            list(PersonSkillStatus.objects.values()),
        )
        body = {
            "id": str(uuid7()),
            "person_id": str(head.pk),
            "skill": "1.1",
            "happened_on": timezone.localdate().isoformat(),
            "channel": "class",
        }
        assert _post_json(client, reverse("api:skills_event_record"), body).status_code == 404, who  # type: ignore[attr-defined]
        form = {k: v for k, v in body.items() if k != "person_id"}
        assert client.post(reverse("skills:record", args=[head.pk]), form).status_code == 404, who
        assert client.get(reverse("skills:record", args=[head.pk])).status_code == 404, who
        url = reverse("skills:reverse", args=[event.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404, who
        url = reverse("api:skills_event_reverse", args=[event.pk])
        assert _post_json(client, url, {"id": str(uuid7()), "reason": "x"}).status_code == 404, who  # type: ignore[attr-defined]
        after = (
            list(SkillEvent.objects.values_list("pk", flat=True)),
            AuditLog.objects.count(),
            list(PersonSkillStatus.objects.values()),
        )
        assert after == before, who
    # Reading: the province officer and the citizen see the person's status; the other desk not.
    path = reverse("api:skills_person", args=[head.pk])
    assert _client(users["other_desk"]).get(path).status_code == 404
    assert _client(users["province"]).get(path).status_code == 200
    assert _client(users["citizen"]).get(path).status_code == 200
