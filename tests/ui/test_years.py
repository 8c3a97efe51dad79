"""Years are never grouped by thousands on a Vietnamese page ("1995", not "1.995")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import client_for

pytestmark = pytest.mark.django_db


def test_years_of_birth_print_as_years(officer, desk, head, member, commune):
    export = client_for(officer).get(reverse("privacy:export", args=[member.pk]))
    assert "1995" in export.content.decode()
    found = client_for(desk).post(
        reverse("desk:log", args=[commune.code]), {"find": "1", "q": "giang"}
    )
    mentors = client_for(officer).post(
        reverse("mentoring:mentor_create", args=[commune.code]), {"find": "1", "q": "giang"}
    )
    for page in (export, found, mentors):
        text = page.content.decode()
        assert "1.995" not in text
        assert "1.970" not in text
    assert "1995" in found.content.decode()
    assert "1970" in mentors.content.decode()
