"""Forms of the appointments pages. They only parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.forms import NewPasswordForm
from hocvuso.accounts.models import Role
from hocvuso.geo.models import Village

INVITE_ROLES = [
    Role.DESK_STAFF,
    Role.TEAM_LEADER,
    Role.TEAM_MEMBER,
    Role.YOUTH_VOLUNTEER,
    Role.MENTOR,
    Role.COMMUNE_OFFICER,
]


class AcceptInvitationForm(NewPasswordForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and . _ - only. You will log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    field_order = ["username", "display_name", "password1", "password2"]

    def __init__(self, *args: Any, preset_username: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if preset_username:
            del self.fields["username"]


class InvitationForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(r.value, r.label) for r in INVITE_ROLES],
    )
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages (for a community tech team)"),
        queryset=Village.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    display_name = forms.CharField(label=_("Name of the person"), max_length=150, required=False)
    username = forms.CharField(
        label=_("Username (optional)"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to let the person choose it."),
    )

    def __init__(self, *args: Any, villages: Any = None, roles: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        villages_field = self.fields["villages"]
        assert isinstance(villages_field, forms.ModelMultipleChoiceField)
        if villages is not None:
            villages_field.queryset = villages
        if roles is not None:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [(r.value, r.label) for r in roles]


class InvitationCodeForm(forms.Form):
    """The invitation's secret: put in by the page from the link's fragment, or pasted."""

    code = forms.CharField(
        label=_("Invitation code"),
        max_length=100,
        help_text=_("The code at the end of the invitation link, after the # sign."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
