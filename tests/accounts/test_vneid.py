"""Sign-in with VNeID, end to end against a local OpenID Connect provider the test starts: the
browser's redirects are followed by hand (the provider is real HTTP, Django is the test client),
the ID token is checked, the account is made once per subject, and it is linked to the registry
person by the CCCD claim through the keyed hash — the number itself is stored nowhere."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from hocvuso.access.scope import scope_of
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.core.actors import SYSTEM
from hocvuso.registry.services import household_create, person_register, village_create
from tests.accounts.oidc_provider import Provider

pytestmark = pytest.mark.django_db
CCCD = "002170123456"  # 1970, a woman


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _follow_provider(url: str) -> str:
    """What the browser does at the provider: GET the authorisation URL, read where it sends us."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(url)
    assert caught.value.code == 302
    return caught.value.headers["Location"]


@pytest.fixture
def provider(settings):  # type: ignore[no-untyped-def]
    with Provider("hocvuso-test", "client-secret-for-tests") as p:
        settings.HOCVUSO_VNEID_METADATA_URL = p.metadata_url
        settings.HOCVUSO_VNEID_CLIENT_ID = "hocvuso-test"
        settings.HOCVUSO_VNEID_CLIENT_SECRET = "client-secret-for-tests"
        yield p


def _sign_in(client: Client, provider: Provider, **claims: str):  # type: ignore[no-untyped-def]
    provider.next_claims = claims
    start = client.get(reverse("accounts:vneid_start"))
    assert start.status_code == 302
    assert start["Location"].startswith(provider.url + "/authorize?")
    back = urlsplit(_follow_provider(start["Location"]))
    assert back.path == reverse("accounts:vneid_callback")
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def person(commune):  # type: ignore[no-untyped-def]
    village = village_create(actor=SYSTEM, commune=commune, name="Thôn VNeID")
    household = household_create(actor=SYSTEM, commune=commune, code="V-1", village=village)
    return person_register(
        actor=SYSTEM, household=household, full_name="Giàng Thị Dua", sex="F",
        birth_year=1970, cccd=CCCD,
    )  # fmt: skip


def test_the_button_shows_only_when_a_provider_is_configured(client, provider, settings):
    assert reverse("accounts:vneid_start") in client.get(reverse("login")).content.decode()
    settings.HOCVUSO_VNEID_CLIENT_ID = ""
    assert reverse("accounts:vneid_start") not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("accounts:vneid_start")).status_code == 404


def test_sign_in_links_the_account_to_the_person_by_the_cccd_claim(provider, person):
    client = Client()
    response = _sign_in(client, provider, sub="vneid-subject-1", name="Giàng Thị Dua", cccd=CCCD)
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("ui:home")
    user = User.objects.get(username__startswith="vneid-")
    assert CCCD not in user.username
    assert "vneid-subject-1" not in user.username
    assert not user.has_usable_password()
    link = RoleAssignment.objects.get(user=user, role=Role.CITIZEN)
    assert link.person_id == person.pk
    assert scope_of(user).persons == {person.pk}
    # Signed in: the person's own page opens.
    assert client.get(reverse("ui:person", args=[person.pk])).status_code == 200
    # Signing in again finds the same account; no second link.
    again = Client()
    _sign_in(again, provider, sub="vneid-subject-1", name="Giàng Thị Dua", cccd=CCCD)
    assert User.objects.filter(username__startswith="vneid-").count() == 1
    assert RoleAssignment.objects.filter(user=user, role=Role.CITIZEN).count() == 1
    # The number is nowhere in plain text.
    with connection.cursor() as cursor:
        for table in (
            "accounts_user",
            "accounts_roleassignment",
            "core_auditlog",
            "django_session",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
            assert CCCD not in repr(cursor.fetchall()), table


def test_an_unknown_cccd_makes_a_plain_account(provider, person):
    client = Client()
    _sign_in(client, provider, sub="vneid-subject-2", name="Người Khác", cccd="001080654321")
    user = User.objects.get(username__startswith="vneid-")
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert client.get(reverse("ui:person", args=[person.pk])).status_code == 404


def test_a_forged_answer_is_refused(provider, person):
    client = Client()
    provider.next_claims = {"sub": "x", "cccd": CCCD}
    start = client.get(reverse("accounts:vneid_start"))
    back = urlsplit(_follow_provider(start["Location"]))
    # The state does not match the session's: refused, nobody signed in, nothing linked.
    forged = back.query.replace("state=", "state=forged")
    response = client.get(f"{back.path}?{forged}")
    assert response.status_code == 400
    assert not User.objects.filter(username__startswith="vneid-").exists()
    assert provider.tokens_issued == 0
