"""Assignments in a commune ("Phân công"): who holds which role, pending invitations, inviting
someone by a one-time link (and QR code), revoking. And the invitee's page that accepts."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from hocvuso.accounts import selectors
from hocvuso.accounts.errors import AccountsError
from hocvuso.accounts.forms import INVITE_ROLES, AcceptInvitationForm, InvitationForm
from hocvuso.accounts.qr import qr_svg
from hocvuso.accounts.services import invitations as services
from hocvuso.accounts.services.roles import role_revoke
from hocvuso.core.access import OFFICER_ROLES, ROLE_RANK, scope_of
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.geo import selectors as geo_selectors
from hocvuso.geo.models import Commune
from hocvuso.web.forms import add_domain_error

INVITATION_SHOW = "hocvuso_invitation_link"


def _commune(request: HttpRequest, code: str) -> Commune:
    if not code.isdigit():
        raise Http404()
    try:
        commune = geo_selectors.commune_get(code=code)
        selectors.assignment_list(actor=request.user, commune=commune)  # officers of it only
    except NotFound:
        raise Http404() from None
    return commune


def _roles_for(actor: object) -> list:
    scope = scope_of(actor)
    if scope.national:
        return list(INVITE_ROLES)
    own = max((ROLE_RANK[r] for r in scope.roles if r in OFFICER_ROLES), default=0)
    return [r for r in INVITE_ROLES if ROLE_RANK[r] < own]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def assignments(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune(request, code)
    form = InvitationForm(
        request.POST or None,
        villages=geo_selectors.village_list(commune=commune),
        roles=_roles_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, secret = services.invitation_create(
                actor=request.user,
                role=data["role"],
                commune=commune,
                villages=data["villages"],
                username=data["username"],
                display_name=data["display_name"],
            )
        except NotFound:
            raise Http404() from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session[INVITATION_SHOW] = {"id": str(invitation.pk), "secret": secret}
            return redirect("accounts:invitation_created")
    return render(
        request,
        "accounts/assignments.html",
        {
            "commune": commune,
            "form": form,
            "assignments": selectors.assignment_list(actor=request.user, commune=commune),
            "invitations": selectors.invitation_list(actor=request.user, commune=commune),
        },
    )


@never_cache
@login_required
def invitation_created(request: HttpRequest) -> HttpResponse:
    """The link and its QR code, shown once (only a hash of it is kept)."""
    shown = request.session.pop(INVITATION_SHOW, None)
    if not isinstance(shown, dict):
        return redirect("accounts:account")
    try:
        invitation = selectors.access_invitation(request.user, UUID(shown["id"]))
    except NotFound:
        raise Http404() from None
    link = request.build_absolute_uri(reverse("accounts:invitation_accept", args=[shown["secret"]]))
    return render(
        request,
        "accounts/invitation_created.html",
        {
            "invitation": invitation,
            "link": link,
            "qr": qr_svg(link, label=_("QR code of the invitation link")),
        },
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: UUID) -> HttpResponse:
    try:
        invitation = selectors.access_invitation(request.user, invitation_id)
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation withdrawn."))
    if invitation.commune_id:
        return redirect("accounts:assignments", code=invitation.commune_id)
    return redirect("accounts:account")


@login_required
@require_POST
def assignment_revoke(request: HttpRequest, assignment_id: UUID) -> HttpResponse:
    try:
        assignment = selectors.access_assignment(request.user, assignment_id)
        if assignment.user_id == request.user.pk:
            messages.error(request, _("You cannot revoke your own role."))
        else:
            role_revoke(actor=request.user, assignment=assignment)
            messages.success(
                request,
                _("Role “%(role)s” of %(user)s revoked.")
                % {"role": assignment.get_role_display(), "user": assignment.user},
            )
    except NotFound:
        raise Http404() from None
    if assignment.commune_id:
        return redirect("accounts:assignments", code=assignment.commune_id)
    return redirect("accounts:account")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, secret: str) -> HttpResponse:
    try:
        invitation = services.invitation_pending(secret=secret)
    except DomainError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"message": exc.message}, status=410
        )
    form = AcceptInvitationForm(request.POST or None, preset_username=invitation.username)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.invitation_accept(
                secret=secret,
                username=data.get("username", ""),
                password=data["password1"],
                display_name=data.get("display_name", ""),
            )
        except DomainError as exc:
            if exc.code == AccountsError.INVITATION_INVALID:
                return render(
                    request,
                    "accounts/invitation_invalid.html",
                    {"message": exc.message},
                    status=410,
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
        request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}
    )
