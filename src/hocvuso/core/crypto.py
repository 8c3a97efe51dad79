"""Encryption at rest for personal data: one key ring, one format, every purpose apart.

Keys come from ``settings.HOCVUSO_ID_KEYS`` (``HOCVUSO_ID_KEY``: the first is current, the others
are older keys still accepted until ``hocvuso rotate_id_key`` has re-protected every row). Each
purpose — the CCCD copy, ethnicity, special-needs notes, authenticator secrets — gets its own
subkeys (HKDF-SHA256 with the purpose in ``info``), so a key of one never opens another.

- :func:`seal` / :func:`unseal`: AES-256-GCM, a random 96-bit nonce, the purpose as associated
  data, stored as ``g1.`` + base64url(nonce + ciphertext + tag); the prefix names the format.
  Randomised: the same value sealed twice looks different, so equal values cannot be told apart.
- :func:`mac`: a keyed hash (HMAC-SHA256) for look-ups and for secrets that need only checking
  (recovery codes).
- :class:`SealedTextField`: a model field that seals on save and opens on load, so code reads
  ``person.ethnicity`` as before while the database holds only ciphertext. It cannot be searched
  (a filter on it never matches), except for the empty value, which is stored empty.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

from hocvuso.core.ids import RandomPool

PREFIX = "g1."


class SealError(RuntimeError):
    """A stored value cannot be opened with the configured keys."""


def _keys() -> tuple[str, ...]:
    keys = tuple(getattr(settings, "HOCVUSO_ID_KEYS", ()))
    if not keys:
        raise SealError("HOCVUSO_ID_KEY is empty")
    return keys


def derive(key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key.encode())


@lru_cache(maxsize=32)
def _ring(keys: tuple[str, ...], purpose: str) -> tuple[tuple[bytes, ...], tuple[AESGCM, ...]]:
    macs = tuple(derive(k, f"hocvuso/{purpose}/hmac/v1".encode()) for k in keys)
    aead = tuple(AESGCM(derive(k, f"hocvuso/{purpose}/aes-gcm/v1".encode())) for k in keys)
    return macs, aead


def mac(purpose: str, text: str) -> str:
    """The keyed hash of ``text`` under the current key (OpenSSL's one-shot HMAC: a bulk import
    hashes one number per row)."""
    macs, _aead = _ring(_keys(), purpose)
    return hmac.digest(macs[0], text.encode(), "sha256").hex()


def macs(purpose: str, text: str) -> list[str]:
    """The keyed hash under every configured key (rows not yet re-protected after a rotation)."""
    keys, _aead = _ring(_keys(), purpose)
    return [hmac.digest(k, text.encode(), "sha256").hex() for k in keys]


# Random 96-bit nonces, drawn from the OS 4,096 at a time (a bulk import seals two or three
# values a row).
_nonces = RandomPool(12)


@lru_cache(maxsize=32)
def _sealer(keys: tuple[str, ...], purpose: str) -> tuple[AESGCM, bytes]:
    """The current key's cipher and the associated data of ``purpose``."""
    return _ring(keys, purpose)[1][0], purpose.encode()


def seal(purpose: str, text: str) -> str:
    """``text`` encrypted under the current key (``""`` stays ``""``)."""
    if not text:
        return ""
    aead, associated = _sealer(_keys(), purpose)
    nonce = _nonces.take()
    sealed = aead.encrypt(nonce, text.encode(), associated)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def sealer(purpose: str) -> Callable[[str], str]:
    """:func:`seal` for one purpose, its cipher bound once: for bulk work (an import seals two
    or three values a row), the same format and the same current key without looking the key
    ring up for every value. Made for one job (it keeps the keys of the moment it was made)."""
    aead, associated = _sealer(_keys(), purpose)
    encrypt, take, encode = aead.encrypt, _nonces.take, base64.urlsafe_b64encode

    def seal_one(text: str) -> str:
        if not text:
            return ""
        nonce = take()
        return PREFIX + encode(nonce + encrypt(nonce, text.encode(), associated)).decode()

    return seal_one


def macer(purpose: str) -> Callable[[str], str]:
    """:func:`mac` for one purpose, its key bound once (as :func:`sealer`)."""
    key = _ring(_keys(), purpose)[0][0]
    digest = hmac.digest

    def mac_one(text: str) -> str:
        return digest(key, text.encode(), "sha256").hex()

    return mac_one


def _open(purpose: str, value: str) -> tuple[str, int]:
    if not value.startswith(PREFIX):
        raise SealError(f"not a sealed value ({purpose})")
    raw = base64.urlsafe_b64decode(value[len(PREFIX) :])
    _macs, aead = _ring(_keys(), purpose)
    for index, key in enumerate(aead):
        try:
            return key.decrypt(raw[:12], raw[12:], purpose.encode()).decode(), index
        except InvalidTag:
            continue
    raise SealError(f"a sealed value ({purpose}) cannot be opened with the configured keys")


def unseal(purpose: str, value: str) -> str:
    """The plain text of a sealed value, with whichever configured key made it."""
    if not value:
        return ""
    return _open(purpose, value)[0]


def is_current(purpose: str, value: str) -> bool:
    """Sealed with the current key (nothing for the rotation to do)."""
    return not value or _open(purpose, value)[1] == 0


def reseal(purpose: str, value: str) -> str:
    """Open with any configured key and seal again with the current one (key rotation)."""
    return seal(purpose, unseal(purpose, value))


class SealedTextField(models.TextField):
    """Text sealed at rest (see the module docstring). ``purpose`` names its subkeys."""

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        self.purpose = purpose
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return unseal(self.purpose, value or "")

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(self.purpose, str(value))


def sealed_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) sealed at rest, in every installed app."""
    from django.apps import apps

    return [
        (model, f.name)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, SealedTextField)
    ]


def reseal_column(model: type[models.Model], name: str, *, batch_size: int = 1000) -> int:
    """Seal every non-empty value of one column again under the current key, a batch per
    transaction (safe to interrupt and run again). Returns the rows rewritten."""
    from django.db import transaction

    rewritten = 0
    last_pk = None
    manager = model._default_manager
    while True:
        qs = manager.exclude(**{name: ""}).order_by("pk")
        if last_pk is not None:
            qs = qs.filter(pk__gt=last_pk)
        batch = list(qs.only("pk", name)[:batch_size])
        if not batch:
            return rewritten
        with transaction.atomic():
            # Loaded as plain text (opened with whichever key made it); saved sealed anew.
            manager.bulk_update(batch, [name])
        rewritten += len(batch)
        last_pk = batch[-1].pk
