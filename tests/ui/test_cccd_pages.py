"""The full CCCD is shown only by the audited reveal action, on that response only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.core.models import AuditLog
from tests.factories import search

pytestmark = pytest.mark.django_db

PLAIN = "002070123456"


def reveal(client, person, reason="Làm thủ tục cấp lại thẻ"):  # type: ignore[no-untyped-def]
    return client.post(reverse("ui:person_reveal_cccd", args=[person.pk]), {"reason": reason})


def test_reveal_shows_the_number_and_is_audited(officer_client, officer, head):
    response = reveal(officer_client, head)
    assert response.status_code == 200
    assert PLAIN in response.content.decode()
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control
    rows = AuditLog.objects.filter(action="person.reveal_cccd")
    assert [(r.actor_id, r.object_id, r.changes) for r in rows] == [
        (officer.pk, str(head.pk), {"reason": "Làm thủ tục cấp lại thẻ"})
    ]


def test_reveal_needs_a_reason(officer_client, head):
    response = reveal(officer_client, head, reason="   ")
    assert response.status_code == 400
    errors = response.context["reveal_form"].errors.as_data()["reason"]
    assert [e.code for e in errors] == ["required"]
    assert PLAIN not in response.content.decode()
    assert not AuditLog.objects.filter(action="person.reveal_cccd").exists()


def test_reveal_without_a_cccd_is_a_form_error(officer_client, member):
    response = reveal(officer_client, member)
    assert response.status_code == 400
    errors = response.context["reveal_form"].non_field_errors().as_data()
    assert [e.code for e in errors] == ["not_found"]
    assert not AuditLog.objects.filter(action="person.reveal_cccd").exists()


def test_plain_number_appears_nowhere_else(officer_client, commune, household, head):
    assert reveal(officer_client, head).status_code == 200
    pages = [
        reverse("ui:commune", args=[commune.code]),
        search(officer_client, reverse("ui:commune", args=[commune.code]), "giang").request[
            "PATH_INFO"
        ]
        + "?"
        + search(officer_client, reverse("ui:commune", args=[commune.code]), "giang").request[
            "QUERY_STRING"
        ],
        reverse("registry:household", args=[household.pk]),
        reverse("ui:person", args=[head.pk]),
        reverse("registry:person_edit", args=[head.pk]),
    ]
    for url in pages:
        response = officer_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert PLAIN not in page, url
        assert "002 070 123 456" not in page, url
    assert (
        "*********456" in officer_client.get(reverse("ui:person", args=[head.pk])).content.decode()
    )
    # Not kept in the session either.
    session = officer_client.session
    assert PLAIN not in repr(dict(session.items()))
    # A failed edit does not echo a typed number back.
    response = officer_client.post(
        reverse("registry:person_edit", args=[head.pk]),
        {"full_name": "", "sex": "M", "birth": "1970", "cccd": PLAIN},
    )
    assert response.status_code == 400
    assert PLAIN not in response.content.decode()


def test_reveal_form_is_a_post_with_csrf(officer_client, head):
    page = officer_client.get(reverse("ui:person", args=[head.pk])).content.decode()
    action = reverse("ui:person_reveal_cccd", args=[head.pk])
    start = page.index(f'action="{action}"')
    form = page[page.rindex("<form", 0, start) : page.index("</form>", start)]
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in form
    assert 'name="reason"' in form
