"""Appointments in a commune ("Phân công"): who holds which role, pending invitations, inviting
someone by a one-time link (and QR code), revoking; the invitee's page that accepts; linking a
citizen's account to their person."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.access.roles import can_see_assignments, grantable_roles
from hocvuso.access.units import access_commune
from hocvuso.accounts.qr import qr_svg
from hocvuso.core.errors import DomainError, NotFound, ensure
from hocvuso.core.web import add_domain_error, not_found_as_404, run_form
from hocvuso.registry.selectors import person_get
from hocvuso.roles import selectors, services
from hocvuso.roles.errors import RolesError
from hocvuso.roles.forms import (
    INVITE_ROLES,
    AcceptInvitationForm,
    InvitationCodeForm,
    InvitationForm,
)

INVITATION_SHOW = "hocvuso_invitation_link"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def assignments(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code)
    ensure(can_see_assignments(request.user, commune.code))
    form = InvitationForm(request.POST or None, roles=grantable_roles(request.user, INVITE_ROLES))
    created: dict[str, str] = {}

    def invite(f: InvitationForm) -> None:
        invitation, secret = services.invitation_create(
            actor=request.user,
            role=f.cleaned_data["role"],
            commune=commune,
            username=f.cleaned_data["username"],
            display_name=f.cleaned_data["display_name"],
        )
        created.update(id=str(invitation.pk), secret=secret)

    if request.method == "POST" and run_form(form, invite):
        request.session[INVITATION_SHOW] = created
        return redirect("roles:invitation_created")
    return render(
        request,
        "roles/assignments.html",
        {
            "commune": commune,
            "form": form,
            "assignments": selectors.assignment_list(actor=request.user, commune=commune),
            "invitations": selectors.invitation_list(actor=request.user, commune=commune),
        },
    )


@never_cache
@login_required
@not_found_as_404
def invitation_created(request: HttpRequest) -> HttpResponse:
    """The link and its QR code, shown once (only a hash of it is kept)."""
    shown = request.session.pop(INVITATION_SHOW, None)
    if not isinstance(shown, dict):
        return redirect("accounts:account")
    invitation = selectors.invitation_get(request.user, UUID(shown["id"]))
    # The secret rides in the fragment: a browser never sends it, so it reaches no access log,
    # proxy or referrer; the page posts it (see roles/static/roles/invitation.js).
    link = request.build_absolute_uri(reverse("roles:invitation_accept")) + "#" + shown["secret"]
    return render(
        request,
        "roles/invitation_created.html",
        {
            "invitation": invitation,
            "link": link,
            "qr": qr_svg(link, label=_("QR code of the invitation link")),
        },
    )


def _back(commune_code: str | None) -> HttpResponse:
    if commune_code:
        return redirect("roles:assignments", code=commune_code)
    return redirect("accounts:account")


@login_required
@require_POST
@not_found_as_404
def invitation_revoke(request: HttpRequest, invitation_id: UUID) -> HttpResponse:
    invitation = selectors.invitation_get(request.user, invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation withdrawn."))
    return _back(invitation.commune_id)


@login_required
@require_POST
@not_found_as_404
def assignment_revoke(request: HttpRequest, assignment_id: UUID) -> HttpResponse:
    assignment = selectors.assignment_get(request.user, assignment_id)
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Role “%(role)s” of %(user)s revoked.")
            % {"role": assignment.get_role_display(), "user": assignment.user},
        )
    return _back(assignment.commune_id)


@never_cache
@sensitive_post_parameters("code", "password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """The invitee's page. The link carries its secret in the fragment (never sent by the
    browser); the page posts it, without JavaScript the person pastes it. Then the invitation
    is shown and the account made — the secret only ever travels in POST bodies."""
    if request.method == "GET":
        return render(request, "roles/invitation_code.html", {"form": InvitationCodeForm()})
    code_form = InvitationCodeForm(request.POST)
    if not code_form.is_valid():
        return render(request, "roles/invitation_code.html", {"form": code_form}, status=400)
    secret = code_form.cleaned_data["code"]
    try:
        invitation = services.invitation_pending(secret=secret)
    except DomainError as exc:
        return render(
            request, "roles/invitation_invalid.html", {"message": exc.message}, status=410
        )
    accepting = "password1" in request.POST
    form = AcceptInvitationForm(
        request.POST if accepting else None, preset_username=invitation.username
    )
    if accepting and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept(
                secret=secret,
                username=data.get("username", ""),
                password=data["password1"],
                display_name=data.get("display_name", ""),
            )
        except DomainError as exc:
            if exc.code == RolesError.INVITATION_INVALID:
                return render(
                    request, "roles/invitation_invalid.html", {"message": exc.message}, status=410
                )
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Welcome! Your account “%(username)s” is ready: log in.")
                % {"username": user.username},
            )
            return redirect("login")
    return render(
        request,
        "roles/invitation_accept.html",
        {"invitation": invitation, "form": form, "code": secret},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@not_found_as_404
def citizen_link(request: HttpRequest, person_id: UUID) -> HttpResponse:
    person = person_get(request.user, person_id)
    try:
        services.citizen_link(
            actor=request.user, person=person, login=request.POST.get("login", "")
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The account is linked: the person now sees their own data."))
    return redirect("privacy:person", person_id=person.pk)
