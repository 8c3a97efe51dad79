"""Forms of the accounts pages. They parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown in the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class NewPasswordForm(forms.Form):
    """A password typed twice, checked by Django's validators (10 characters, not common)."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Device or program"),
        max_length=100,
        help_text=_("For example: “Phone of Ms Lan”, “Field app – tablet 2”."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RegisterPasswordForm(NewPasswordForm):
    display_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    field_order = ["display_name", "password1", "password2"]
