"""Sign-in with VNeID: an OpenID Connect client (Authlib), pluggable by configuration.

``HOCVUSO_VNEID_METADATA_URL`` (the provider's ``/.well-known/openid-configuration``),
``HOCVUSO_VNEID_CLIENT_ID`` and ``HOCVUSO_VNEID_CLIENT_SECRET`` turn it on; any standard OpenID
Connect provider works the same way (the tests start one of their own). The authorisation-code
flow with ``state`` and ``nonce`` kept in the session; the ID token's signature, issuer,
audience, expiry and nonce are checked by Authlib against the provider's published keys.

An account is found by the provider's subject (``sub``): its username is a keyed hash of it, so
nothing of the person's identity is in the username. The CCCD claim (``HOCVUSO_VNEID_CCCD_CLAIM``,
default ``cccd``) is handed, in memory only, to the receivers of
:data:`hocvuso.core.hooks.external_signed_in` — the roles app links the account to the registry
person whose keyed hash matches — and is never stored, logged or put in a URL.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from authlib.integrations.django_client import OAuth
from django.conf import settings


def enabled() -> bool:
    return bool(settings.HOCVUSO_VNEID_METADATA_URL and settings.HOCVUSO_VNEID_CLIENT_ID)


def client() -> Any:
    """A client for the configured provider (built per call: configuration may change)."""
    oauth = OAuth()
    oauth.register(
        "vneid",
        client_id=settings.HOCVUSO_VNEID_CLIENT_ID,
        client_secret=settings.HOCVUSO_VNEID_CLIENT_SECRET,
        server_metadata_url=settings.HOCVUSO_VNEID_METADATA_URL,
        client_kwargs={"scope": "openid profile"},
    )
    return oauth.create_client("vneid")


def username_for(subject: str) -> str:
    """The account's username: a keyed hash of the provider's subject (stable, meaningless)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"vneid:{subject}".encode(), hashlib.sha256
    ).hexdigest()
    return f"vneid-{digest[:24]}"
