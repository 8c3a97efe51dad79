"""Invitations: one-time links inside the inviter's scope; accepted once; expiring; revocable.
And the commune's assignments page."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import Invitation, RoleAssignment, User
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.models import AuditLog
from hocvuso.roles.services.invitations import invitation_accept, invitation_create
from tests.factories import db_fingerprint, verified_client

pytestmark = pytest.mark.django_db
ACCEPT = reverse("roles:invitation_accept")
NEW_PASSWORD = "ruong-bac-thang-2026"


def secret_of(link: str) -> str:
    """The secret rides in the fragment, which a browser never sends to the server."""
    path, _, secret = link.partition("#")
    assert path == "http://testserver/loi-moi/"
    return secret


@pytest.fixture
def officer_client(officer) -> Client:  # type: ignore[no-untyped-def]
    return verified_client(officer)


def test_officer_invites_desk_staff_and_the_link_is_shown_once(officer_client, officer, commune):
    url = reverse("roles:assignments", args=[commune.code])
    page = officer_client.get(url)
    assert page.status_code == 200
    assert "Phân công" in page.content.decode()
    response = officer_client.post(
        url, {"role": "desk_staff", "display_name": "Chị Lan", "username": ""}
    )
    assert response["Location"] == reverse("roles:invitation_created")
    shown = officer_client.get(response["Location"])
    link = shown.context["link"]
    html = shown.content.decode()
    assert link in html
    assert '<svg class="qr"' in html
    assert link.startswith("http://testserver/loi-moi/")
    secret = secret_of(link)
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert invitation.invited_by == officer
    assert invitation.commune == commune
    assert 6 <= (invitation.expires_at - timezone.now()).days <= 7
    assert secret not in str(list(Invitation.objects.values()))
    assert secret not in str(list(AuditLog.objects.values()))
    # Shown once.
    assert officer_client.get(reverse("roles:invitation_created")).status_code == 302
    # Listed as pending.
    assert "Chị Lan" in officer_client.get(url).content.decode()
    assert AuditLog.objects.filter(action="invitation.create", actor=officer).count() == 1


def test_accept_creates_the_account_with_the_role_once(officer, commune):
    invitation, secret = invitation_create(actor=officer, role="desk_staff", commune=commune)
    client = Client()
    url = ACCEPT
    page = client.post(url, {"code": secret})
    assert page.status_code == 200
    assert "Cán bộ xã" in page.content.decode()  # who invites
    response = client.post(
        url,
        {
            "code": secret,
            "username": "chi.lan",
            "display_name": "Chị Lan",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == reverse("login")
    user = User.objects.get(username="chi.lan")
    assert user.check_password(NEW_PASSWORD)
    role = RoleAssignment.objects.get(user=user)
    assert (role.role, role.commune_id, role.granted_by) == ("desk_staff", commune.code, officer)
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert invitation.accepted_at is not None
    assert AuditLog.objects.filter(action="invitation.accept", actor=user).count() == 1
    assert AuditLog.objects.filter(action="role.grant", actor=officer).count() == 1

    again = client.post(url, {"code": secret})
    assert again.status_code == 410
    assert "không còn dùng được" in again.content.decode()
    twice = client.post(
        url,
        {
            "code": secret,
            "username": "ke.khac",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert twice.status_code == 410
    assert not User.objects.filter(username="ke.khac").exists()


def test_expired_link_refused(officer, commune):
    invitation, secret = invitation_create(actor=officer, role="mentor", commune=commune)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = Client().post(ACCEPT, {"code": secret})
    assert response.status_code == 410
    with pytest.raises(DomainError) as exc:
        invitation_accept(secret=secret, username="x.y", password=NEW_PASSWORD)
    assert exc.value.code == "invitation_invalid"


def test_unknown_link_refused(db):
    assert Client().post(ACCEPT, {"code": "nope"}).status_code == 410


def test_revoked_link_refused(officer_client, officer, commune):
    invitation, secret = invitation_create(actor=officer, role="youth_volunteer", commune=commune)
    response = officer_client.post(reverse("roles:invitation_revoke", args=[invitation.pk]))
    assert response["Location"] == reverse("roles:assignments", args=[commune.code])
    invitation.refresh_from_db()
    assert invitation.revoked_by == officer
    assert AuditLog.objects.filter(action="invitation.revoke").count() == 1
    assert Client().post(ACCEPT, {"code": secret}).status_code == 410


def test_preset_username_and_weak_password(officer, commune):
    _invitation, secret = invitation_create(
        actor=officer, role="mentor", commune=commune, username="dai.su.1"
    )
    form = Client().post(ACCEPT, {"code": secret}).context["form"]
    assert "username" not in form.fields
    weak = Client().post(ACCEPT, {"code": secret, "password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    assert weak.context["form"].errors["password1"]
    assert not User.objects.filter(username="dai.su.1").exists()
    ok = Client().post(
        ACCEPT, {"code": secret, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert ok.status_code == 302
    assert User.objects.filter(username="dai.su.1").exists()


def test_a_team_role_is_invited_for_a_team_and_makes_its_membership(officer, commune, village):
    """A team role cannot be given by a bare invitation (no team, no villages to drift from);
    invited from the team, the accepted invitation makes the membership with the role."""
    from hocvuso.teams.models import TeamMember
    from hocvuso.teams.services import team_create, team_invite

    with pytest.raises(DomainError) as exc:
        invitation_create(actor=officer, role="team_member", commune=commune)
    assert exc.value.code == "team_required"
    assert Invitation.objects.count() == 0
    team = team_create(actor=officer, commune=commune, name="Tổ Thèn Pả", villages=[village])
    _invitation, secret = team_invite(
        actor=officer, team=team, role="deputy", organisation="police"
    )
    user = invitation_accept(secret=secret, username="to.vien", password=NEW_PASSWORD)
    role = RoleAssignment.objects.get(user=user)
    assert (role.role, role.team_id) == ("team_member", team.pk)
    assert list(role.villages.all()) == [village]
    member = TeamMember.objects.get(user=user)
    assert (member.team_id, member.role, member.organisation, member.assignment_id) == (
        team.pk,
        "deputy",
        "police",
        role.pk,
    )


def test_nobody_invites_to_a_role_as_wide_as_their_own_or_elsewhere(
    officer, other_commune, commune, province_officer
):
    with pytest.raises(NotFound):
        invitation_create(actor=officer, role="commune_officer", commune=commune)
    with pytest.raises(NotFound):
        invitation_create(actor=officer, role="desk_staff", commune=other_commune)
    invitation, _secret = invitation_create(
        actor=province_officer, role="commune_officer", commune=commune
    )
    assert invitation.role == "commune_officer"
    assert Invitation.objects.count() == 1


def test_out_of_scope_officer_gets_404_and_nothing_changes(other_officer, officer, commune):
    invitation, _secret = invitation_create(actor=officer, role="mentor", commune=commune)
    client = verified_client(other_officer)
    before = db_fingerprint()
    invitations_before = list(Invitation.objects.values())
    assert client.get(reverse("roles:assignments", args=[commune.code])).status_code == 404
    response = client.post(reverse("roles:assignments", args=[commune.code]), {"role": "mentor"})
    assert response.status_code == 404
    assert client.post(reverse("roles:invitation_revoke", args=[invitation.pk])).status_code == 404
    role = RoleAssignment.objects.get(user=officer)
    assert client.post(reverse("roles:assignment_revoke", args=[role.pk])).status_code == 404
    assert list(Invitation.objects.values()) == invitations_before
    assert db_fingerprint() == before


def test_inviter_who_lost_the_role_cannot_have_the_invitation_accepted(officer, commune):
    from hocvuso.core.actors import SYSTEM
    from hocvuso.roles.services import role_revoke

    _invitation, secret = invitation_create(actor=officer, role="mentor", commune=commune)
    role_revoke(actor=SYSTEM, assignment=RoleAssignment.objects.get(user=officer))
    with pytest.raises(DomainError) as exc:
        invitation_accept(secret=secret, username="moi.vao", password=NEW_PASSWORD)
    assert exc.value.code == "invitation_invalid"
    assert not User.objects.filter(username="moi.vao").exists()


def test_assignments_page_lists_roles_and_revokes(officer_client, officer, commune):
    from tests.factories import make_user

    helper = make_user("ban.tro.giup", "desk_staff", commune=commune)
    url = reverse("roles:assignments", args=[commune.code])
    page = officer_client.get(url).content.decode()
    assert "ban.tro.giup" in page
    assert "canbo" in page
    role = RoleAssignment.objects.get(user=helper)
    assert (
        officer_client.post(reverse("roles:assignment_revoke", args=[role.pk]))["Location"] == url
    )
    role.refresh_from_db()
    assert role.revoked_by == officer
    assert helper not in [a.user for a in officer_client.get(url).context["assignments"]]
    # Not one's own role.
    own = RoleAssignment.objects.get(user=officer)
    officer_client.post(reverse("roles:assignment_revoke", args=[own.pk]))
    own.refresh_from_db()
    assert own.revoked_at is None
