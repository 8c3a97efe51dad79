"""A citizen registers with their phone number: number → code by SMS → password."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from hocvuso.accounts import selectors
from hocvuso.accounts.errors import AccountsError
from hocvuso.accounts.forms import PhoneCodeForm, PhoneForm, RegisterPasswordForm
from hocvuso.accounts.services import phone as services
from hocvuso.accounts.services.signin import client_ip
from hocvuso.accounts.sms import SmsError
from hocvuso.core.errors import DomainError
from hocvuso.core.phones import format_phone
from hocvuso.core.web import add_domain_error

VERIFICATION = "hocvuso_phone_verification"


def _verification_id(request: HttpRequest) -> UUID | None:
    value = request.session.get(VERIFICATION)
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.phone_code_send(
                phone=form.cleaned_data["phone"], address=client_ip(request)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        except SmsError:
            form.add_error(None, _("The text message could not be sent. Try again later."))
        else:
            request.session[VERIFICATION] = str(verification.pk)
            request.session["hocvuso_phone_shown"] = format_phone(verification.phone)
            return redirect("accounts:register_code")
    return render(request, "accounts/register.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def register_code(request: HttpRequest) -> HttpResponse:
    verification_id = _verification_id(request)
    if verification_id is None:
        return redirect("accounts:register")
    form = PhoneCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.phone_code_check(
                verification_id=verification_id, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            if exc.code == AccountsError.PHONE_CODE_EXPIRED:
                request.session.pop(VERIFICATION, None)
                messages.error(request, exc.message)
                return redirect("accounts:register")
            add_domain_error(form, exc)
        else:
            return redirect("accounts:register_password")
    return render(
        request,
        "accounts/register_code.html",
        {
            "form": form,
            "phone": request.session.get("hocvuso_phone_shown", ""),
            "minutes": settings.HOCVUSO_PHONE_CODE_MINUTES,
        },
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register_password(request: HttpRequest) -> HttpResponse:
    verification_id = _verification_id(request)
    if verification_id is None:
        return redirect("accounts:register")
    if not selectors.phone_verification_ready(verification_id=verification_id):
        return redirect("accounts:register_code")
    form = RegisterPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.citizen_register(
                verification_id=verification_id,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            )
        except DomainError as exc:
            if exc.field not in form.fields:
                request.session.pop(VERIFICATION, None)
                messages.error(request, exc.message)
                return redirect("accounts:register")
            add_domain_error(form, exc)
        else:
            request.session.pop(VERIFICATION, None)
            request.session.pop("hocvuso_phone_shown", None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "Your account is ready. You log in with your phone number %(username)s. "
                    "To see your own records, ask the commune office to link your account."
                )
                % {"username": user.username},
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/register_password.html", {"form": form})
