"""The account behind a VNeID sign-in (see :mod:`hocvuso.accounts.vneid`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.accounts.vneid import username_for
from hocvuso.core import hooks
from hocvuso.core.errors import CoreError, DomainError


@transaction.atomic
def vneid_sign_in(*, claims: dict[str, Any]) -> User:
    """The account of the VNeID subject in ``claims`` (made on first sign-in, a plain account
    with no password), then :data:`~hocvuso.core.hooks.external_signed_in` with the claims so a
    higher layer may link it to the registry. The claims are not stored."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise DomainError(CoreError.INVALID, _("VNeID did not say who you are."), "sub")
    name = str(claims.get("name") or "")[:150]
    user, created = User.objects.get_or_create(
        username=username_for(subject), defaults={"display_name": name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if not user.is_active:
        raise DomainError(CoreError.INVALID, _("This account is closed."), "sub")
    hooks.external_signed_in.send(user=user, claims=claims)
    return user
