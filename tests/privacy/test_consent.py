"""Consent records: who records them, withdrawal keeps the history, nothing pre-ticked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.privacy.errors import PrivacyError
from hocvuso.privacy.models import Consent
from hocvuso.privacy.services import consent_record, consent_withdraw
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def _audit(action: str) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action).order_by("id"))


def test_officer_records_and_withdraws_keeping_the_history(officer, head):
    given = timezone.now() - dt.timedelta(days=3)
    consent = consent_record(
        actor=officer, person=head, purpose="skills", method="paper", given_at=given
    )
    assert (consent.purpose, consent.method, consent.given_at, consent.recorded_by) == (
        "skills",
        "paper",
        given,
        officer,
    )
    [row] = _audit("consent.record")
    assert row.actor == officer
    assert row.object_id == str(consent.pk)
    assert row.changes == {
        "person": str(head.pk),
        "purpose": "skills",
        "method": "paper",
        "given_at": given.isoformat(),
    }

    withdrawn = consent_withdraw(actor=officer, consent=consent)
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawn_by == officer
    assert Consent.objects.filter(pk=consent.pk).exists()  # never deleted
    [row] = _audit("consent.withdraw")
    assert row.changes == {"person": str(head.pk), "purpose": "skills"}

    # Withdrawing twice changes nothing; giving it again is a new row.
    consent_withdraw(actor=officer, consent=withdrawn)
    assert len(_audit("consent.withdraw")) == 1
    again = consent_record(actor=officer, person=head, purpose="skills", method="app")
    assert again.pk != consent.pk
    history = list(head.consents.order_by("given_at").values_list("withdrawn_at", flat=True))
    assert len(history) == 2
    assert history[0] is not None
    assert history[1] is None


def test_an_active_consent_is_not_recorded_twice(officer, head):
    first = consent_record(actor=officer, person=head, purpose="registry", method="paper")
    second = consent_record(actor=officer, person=head, purpose="registry", method="paper")
    assert first.pk == second.pk
    assert Consent.objects.count() == 1
    assert len(_audit("consent.record")) == 1


def test_verbal_consent_needs_a_witness(officer, head):
    with pytest.raises(DomainError) as exc:
        consent_record(actor=officer, person=head, purpose="contact_phone", method="verbal")
    assert exc.value.code == PrivacyError.WITNESS_REQUIRED
    assert not Consent.objects.exists()
    consent = consent_record(
        actor=officer, person=head, purpose="contact_phone", method="verbal", witness="Lò Văn A"
    )
    assert consent.witness == "Lò Văn A"


def test_future_date_and_unknown_values_are_refused(officer, head):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(DomainError):
        consent_record(
            actor=officer, person=head, purpose="skills", method="paper", given_at=tomorrow
        )
    with pytest.raises(DomainError):
        consent_record(actor=officer, person=head, purpose="marketing", method="paper")
    with pytest.raises(DomainError):
        consent_record(actor=officer, person=head, purpose="skills", method="")
    assert not Consent.objects.exists()


def test_the_person_gives_and_withdraws_their_own_consent_in_the_app(self_user, head):
    consent = consent_record(actor=self_user, person=head, purpose="learning", method="app")
    assert consent.recorded_by == self_user
    with pytest.raises(DomainError):  # a paper form is recorded by the commune
        consent_record(actor=self_user, person=head, purpose="skills", method="paper")
    consent_withdraw(actor=self_user, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_by == self_user


def test_nobody_else_records_or_withdraws(
    officer, head, other_officer, province_officer, citizen, desk, team
):
    consent = consent_record(actor=officer, person=head, purpose="skills", method="paper")
    for actor in (other_officer, province_officer, citizen, desk, team):
        with pytest.raises(NotFound):
            consent_record(actor=actor, person=head, purpose="registry", method="app")
        with pytest.raises(NotFound):
            consent_withdraw(actor=actor, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert Consent.objects.count() == 1
    assert len(_audit("consent.record")) == 1


def _form(html: str, action: str) -> str:
    start = html.index(f'action="{action}"')
    return html[start : html.index("</form>", start)]


def test_consent_form_has_nothing_pre_ticked(officer_client, head):
    response = officer_client.get(reverse("privacy:person", args=[head.pk]))
    assert response.status_code == 200
    form = _form(response.content.decode(), reverse("privacy:consent_record", args=[head.pk]))
    assert 'type="radio"' in form
    assert "checked" not in form
    # A select may only start on its empty "—" choice.
    assert re.findall(r'<option value="([^"]*)" selected', form) in ([], [""])
    request_form = _form(
        response.content.decode(), reverse("privacy:request_create", args=[head.pk])
    )
    assert "checked" not in request_form


def test_officer_records_and_withdraws_on_the_page(officer_client, head, officer):
    url = reverse("privacy:consent_record", args=[head.pk])
    response = officer_client.post(url, {"purpose": "skills"})  # how is missing
    assert response.status_code == 400
    assert not Consent.objects.exists()
    response = officer_client.post(url, {"purpose": "skills", "method": "paper"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.purpose, consent.method, consent.recorded_by) == ("skills", "paper", officer)
    page = officer_client.get(reverse("privacy:person", args=[head.pk])).content.decode()
    assert "Theo dõi kỹ năng số" in page  # "Tracking the person's digital skills"
    response = officer_client.post(reverse("privacy:consent_withdraw", args=[consent.pk]))
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_the_person_uses_the_page_themself(self_client, head, self_user):
    page = self_client.get(reverse("privacy:person", args=[head.pk]))
    assert page.status_code == 200
    form = _form(page.content.decode(), reverse("privacy:consent_record", args=[head.pk]))
    assert 'name="method"' not in form  # in the app, by themself
    response = self_client.post(
        reverse("privacy:consent_record", args=[head.pk]), {"purpose": "contact_phone"}
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.method, consent.recorded_by) == ("app", self_user)


def test_out_of_scope_pages_are_404_and_change_nothing(head, officer, other_officer, desk, team):
    consent = consent_record(actor=officer, person=head, purpose="skills", method="paper")
    for user in (other_officer, desk, team):
        client = client_for(user)
        assert client.get(reverse("privacy:person", args=[head.pk])).status_code == 404
        response = client.post(
            reverse("privacy:consent_record", args=[head.pk]),
            {"purpose": "registry", "method": "paper"},
        )
        assert response.status_code == 404
        response = client.post(reverse("privacy:consent_withdraw", args=[consent.pk]))
        assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert Consent.objects.count() == 1
