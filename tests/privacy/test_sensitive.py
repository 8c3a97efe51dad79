"""Ethnicity, special needs and the full CCCD: commune officers and above, and the person
themself. Desk staff and team members see the household and the person, not these."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hocvuso.core.models import AuditLog
from tests.factories import client_for

pytestmark = pytest.mark.django_db

ETHNICITY = "Mông"  # head.ethnicity = "08"
NEEDS = "Mắt kém"


@pytest.mark.parametrize("who", ["desk", "team"])
def test_desk_staff_and_team_members_do_not_see_sensitive_data(request, who, head, household):
    client = client_for(request.getfixturevalue(who))
    for url in (
        reverse("registry:household", args=[household.pk]),
        reverse("ui:person", args=[head.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Giàng Mí Pó" in page
        assert ETHNICITY not in page
        assert NEEDS not in page
        assert 'name="ethnicity"' not in page
        assert 'name="special_needs"' not in page
        assert "002070123456" not in page
    # No link to the privacy pages, and the pages themselves are not found.
    assert (
        reverse("privacy:person", args=[head.pk])
        not in client.get(reverse("ui:person", args=[head.pk])).content.decode()
    )
    assert client.get(reverse("privacy:person", args=[head.pk])).status_code == 404
    assert client.get(reverse("privacy:export", args=[head.pk])).status_code == 404
    assert client.get(reverse("privacy:export_json", args=[head.pk])).status_code == 404


@pytest.mark.parametrize("who", ["desk", "team"])
def test_desk_staff_and_team_members_cannot_reveal_a_cccd(request, who, head):
    client = client_for(request.getfixturevalue(who))
    before = AuditLog.objects.count()
    response = client.post(
        reverse("ui:person_reveal_cccd", args=[head.pk]), {"reason": "Hỗ trợ làm thủ tục"}
    )
    assert response.status_code == 404
    assert "002070123456" not in response.content.decode()
    assert AuditLog.objects.count() == before
    assert not AuditLog.objects.filter(action="person.reveal_cccd").exists()


@pytest.mark.parametrize("who", ["officer", "province_officer", "national_admin", "self_user"])
def test_officers_and_the_person_see_sensitive_data(request, who, head):
    client = client_for(request.getfixturevalue(who))
    page = client.get(reverse("ui:person", args=[head.pk])).content.decode()
    assert ETHNICITY in page
    assert NEEDS in page
    assert reverse("privacy:person", args=[head.pk]) in page


def test_the_person_sees_only_themself(self_user, head, member):
    client = client_for(self_user)
    assert client.get(reverse("ui:person", args=[member.pk])).status_code == 404
    assert client.get(reverse("privacy:person", args=[member.pk])).status_code == 404
    assert client.get(reverse("privacy:export_json", args=[member.pk])).status_code == 404
