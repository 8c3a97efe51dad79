import pytest
from django.urls import reverse

from hocvuso.accounts.models import RoleAssignment
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.roles.services.grants import citizen_link
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):  # type: ignore[no-untyped-def]
    settings.HOCVUSO_REQUIRE_2FA = False  # the officers here log in with force_login


def test_keeper_links_a_registered_account_by_phone(client, officer, head):
    user = make_user("dan.po")
    user.phone = "+84912000111"
    user.save(update_fields=["phone"])
    client.force_login(officer)
    response = client.post(reverse("roles:citizen_link", args=[head.pk]), {"login": "0912 000 111"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=user, role="citizen", person=head).count() == 1
    assert AuditLog.objects.filter(action="role.grant").exists()
    # The citizen now sees their own record, and nobody else's.
    client.force_login(user)
    assert client.get(reverse("ui:person", args=[head.pk])).status_code == 200
    assert client.get(reverse("registry:household", args=[head.household_id])).status_code == 404


def test_unknown_or_already_linked_account(officer, head, household):
    from hocvuso.registry.services import person_register

    with pytest.raises(DomainError) as err:
        citizen_link(actor=officer, person=head, login="nobody-here")
    assert err.value.field == "login"
    user = make_user("dan.po")
    citizen_link(actor=officer, person=head, login="dan.po")
    citizen_link(actor=officer, person=head, login="dan.po")  # again: nothing new
    assert RoleAssignment.objects.filter(user=user, role="citizen").count() == 1
    other = person_register(
        actor=officer, household=household, full_name="Giàng Thị Dợ", sex="F", birth_year=1999
    )
    with pytest.raises(DomainError):
        citizen_link(actor=officer, person=other, login="dan.po")


def test_out_of_scope_officer_cannot_link(other_officer, head, client):
    user = make_user("dan.po")
    with pytest.raises(NotFound):
        citizen_link(actor=other_officer, person=head, login="dan.po")
    client.force_login(other_officer)
    response = client.post(reverse("roles:citizen_link", args=[head.pk]), {"login": "dan.po"})
    assert response.status_code == 404
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_an_account_with_another_role_is_never_linked_as_a_citizen(
    officer, other_officer, desk, head
):
    """The suspicion of the security review: could a commune officer link another commune's
    officer (or any account with a role) as the citizen of one of their people, and so give
    that account a foothold? No: only a plain account is a citizen's own."""
    from tests.factories import db_fingerprint

    before = db_fingerprint()
    for account in (other_officer, desk, officer):
        with pytest.raises(DomainError) as err:
            citizen_link(actor=officer, person=head, login=account.username)
        assert err.value.code == "account_has_roles"
    assert db_fingerprint() == before
