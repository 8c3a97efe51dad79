"""The signed-in user's own account (to check a device token, and for the field app's header)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from hocvuso.accounts.selectors import active_roles

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.get_username(),
        display_name=getattr(user, "display_name", ""),
        roles=sorted(active_roles(user)),
    )
