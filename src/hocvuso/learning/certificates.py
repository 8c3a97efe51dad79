"""Certificates anyone can verify: Open Badges 3.0 credentials, signed, revocable.

- The credential is an ``OpenBadgeCredential`` in the W3C Verifiable Credentials 2.0 data
  model, secured as a VC-JWT (VC-JOSE-COSE: the JWT's payload *is* the credential; header
  ``alg: EdDSA``, ``typ: vc+jwt``, ``cty: vc``, ``kid``: the issuer's DID URL of the key).
- The issuer is ``did:web:<host>``; its DID document, served at ``/.well-known/did.json``,
  lists every signing key as a JSON Web Key (the current one and the older ones still
  configured, so credentials signed before a rotation still verify). ``kid`` is the key's JWK
  thumbprint (RFC 7638).
- Keys: each key of ``settings.HOCVUSO_SIGNING_KEYS`` (the first signs) is a secret string; the
  Ed25519 private key is derived from it with HKDF-SHA256, so any strong random string will do.
- Revocation: W3C Bitstring Status Lists of :data:`STATUS_LIST_SIZE` bits (the spec's minimum
  of 131,072 — 16 KB — so an index says nothing about how many were issued), each credential
  at a random free index of the newest list; bit set = revoked. A credential names its list
  (``statusListCredential``) and index; when the newest list has no free index left, the next
  one (``/trang-thai/2/`` …) is opened and signed in the issuing transaction. Each list is
  itself a signed credential (``BitstringStatusListCredential``), re-signed in the transaction
  that changes it and served with cache headers.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import gzip
import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core import hooks
from hocvuso.core.audit import AuditAction, audit_record
from hocvuso.core.errors import DomainError
from hocvuso.learning.errors import LearningError
from hocvuso.learning.models import Certificate, Enrollment, StatusList
from hocvuso.skills.models import SkillEvent

STATUS_LIST_SIZE = 131_072  # bits: the W3C minimum (16 KB)
STATUS_LIST_ID = 1
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ISSUER_NAME = "Bình dân học vụ số — hocvuso"


# --- Keys, DID, JWS ----------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.cache
def _private_key(secret: str) -> Ed25519PrivateKey:
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hocvuso certificate signing"
    ).derive(secret.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_jwk(secret: str) -> dict[str, str]:
    raw = (
        _private_key(secret)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace."""
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":")
    )
    return b64url(hashlib.sha256(canonical.encode()).digest())


def _keys() -> list[str]:
    keys = list(getattr(settings, "HOCVUSO_SIGNING_KEYS", []))
    if not keys:
        raise DomainError(
            LearningError.NO_SIGNING_KEY, _("No key to sign certificates is configured.")
        )
    return keys


def issuer_did() -> str:
    """``did:web`` of the public address: the host, a port percent-encoded (``%3A``)."""
    netloc = urlsplit(settings.HOCVUSO_PUBLIC_URL).netloc
    return "did:web:" + quote(netloc, safe="")


def key_id(secret: str) -> str:
    return f"{issuer_did()}#{thumbprint(public_jwk(secret))}"


def did_document() -> dict[str, Any]:
    did = issuer_did()
    methods = []
    for secret in _keys():
        jwk = public_jwk(secret)
        methods.append(
            {
                "id": f"{did}#{thumbprint(jwk)}",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": jwk,
            }
        )
    ids = [m["id"] for m in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def sign(payload: dict[str, Any]) -> str:
    """A compact JWS (VC-JWT) of ``payload`` signed with the current key."""
    secret = _keys()[0]
    header = {"alg": "EdDSA", "kid": key_id(secret), "typ": "vc+jwt", "cty": "vc"}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
    )
    signature = _private_key(secret).sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url(signature)


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Header and payload of a VC-JWT signed by one of our keys, or None (not ours, altered)."""
    try:
        head, body, sig = token.split(".")
        header = json.loads(b64url_decode(head))
        for secret in _keys():
            if key_id(secret) == header.get("kid"):
                _private_key(secret).public_key().verify(
                    b64url_decode(sig), f"{head}.{body}".encode("ascii")
                )
                return header, json.loads(b64url_decode(body))
    except Exception:
        return None
    return None


# --- The status list --------------------------------------------------------------------------


def public_url(path: str) -> str:
    return settings.HOCVUSO_PUBLIC_URL + path


def status_list_url(list_id: int = STATUS_LIST_ID) -> str:
    return public_url(reverse("learning:status_list", args=[list_id]))


def encode_bits(bits: bytes) -> str:
    """``encodedList``: multibase base64url (prefix ``u``, no padding) of the GZIP'd bits."""
    return "u" + b64url(gzip.compress(bits, mtime=0))


def _status_credential(row: StatusList) -> str:
    url = status_list_url(row.pk)
    return sign(
        {
            "@context": [VC_CONTEXT],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did(),
            "validFrom": timezone.now().isoformat(timespec="seconds"),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_bits(bytes(row.bits)),
            },
        }
    )


def status_list_size() -> int:
    """Entries of a new list: ``settings.HOCVUSO_STATUS_LIST_SIZE`` (a multiple of 8), the
    specification's minimum of 131,072 unless a test sets a small one to fill it."""
    size = int(getattr(settings, "HOCVUSO_STATUS_LIST_SIZE", STATUS_LIST_SIZE))
    if size <= 0 or size % 8:
        raise ValueError("HOCVUSO_STATUS_LIST_SIZE must be a positive multiple of 8")
    return size


def _new_status_list(list_id: int) -> StatusList:
    """Open list ``list_id``: all bits clear, signed at once (so it is served from the start)."""
    size = status_list_size()
    row = StatusList(pk=list_id, size=size, bits=bytes(size // 8))
    row.credential = _status_credential(row)
    row.save(force_insert=True)
    return row


def _status_list_locked(list_id: int) -> StatusList:
    return StatusList.objects.select_for_update().get(pk=list_id)


def _current_list_locked() -> StatusList:
    """The newest list, locked: issuers queue on it, so only one of them opens the next list.
    The first list is made on first use."""
    while True:
        last = StatusList.objects.order_by("-pk").values_list("pk", flat=True).first()
        if last is None:
            with transaction.atomic():  # a savepoint: a concurrent first insert loses cleanly
                try:
                    return _new_status_list(STATUS_LIST_ID)
                except IntegrityError:
                    pass
            continue
        row = _status_list_locked(last)
        if not StatusList.objects.filter(pk__gt=last).exists():  # still the newest
            return row


def status_list_credential(list_id: int = STATUS_LIST_ID) -> str | None:
    """The signed status list ``list_id`` (the first is made and signed on first use; a later
    one exists once the one before it filled), or None: no such list."""
    row = StatusList.objects.filter(pk=list_id).first()
    if row is not None and row.credential:
        return row.credential
    if list_id != STATUS_LIST_ID and row is None:
        return None
    with transaction.atomic():
        row = _current_list_locked() if row is None else _status_list_locked(list_id)
        if not row.credential:
            row.credential = _status_credential(row)
            row.save(update_fields=["credential", "updated_at"])
    return row.credential


def bit_is_set(bits: bytes, index: int) -> bool:
    """Index 0 is the left-most bit of the first byte."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _set_bit(bits: bytes, index: int) -> bytes:
    out = bytearray(bits)
    out[index // 8] |= 0x80 >> (index % 8)
    return bytes(out)


# --- Issuing and revoking ---------------------------------------------------------------------


def verify_url(certificate: Certificate) -> str:
    return public_url(reverse("learning:verify", args=[certificate.pk]))


def _credential(cert: Certificate, enrollment: Enrollment) -> dict[str, Any]:
    content = enrollment.version.content
    course = enrollment.course
    achievement_id = public_url(reverse("learning:course", args=[course.code]))
    list_url = status_list_url(cert.status_list_id)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{cert.pk}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_did(), "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": cert.issued_at.isoformat(timespec="seconds"),
        "name": content["title"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": cert.holder_name,
                }
            ],
            "achievement": {
                "id": f"{achievement_id}#v{enrollment.version.number}",
                "type": ["Achievement"],
                "name": content["title"],
                "description": content.get("summary") or content["title"],
                "criteria": {
                    "narrative": _("All lessons done and the quiz passed (%(mark)s of %(n)s).")
                    % {"mark": content["pass_mark"], "n": len(content["quiz"]["questions"])}
                },
            },
        },
        "credentialStatus": {
            "id": f"{list_url}#{cert.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(cert.status_index),
            "statusListCredential": list_url,
        },
    }


def _free_entry() -> tuple[StatusList, int]:
    """A random free index of the newest list (locked); when it has none left, the next list is
    opened, signed and served, and the index is taken from it."""
    row = _current_list_locked()
    taken = set(Certificate.objects.filter(status_list=row).values_list("status_index", flat=True))
    if len(taken) >= row.size:
        row = _new_status_list(row.pk + 1)
        taken = set()
    while True:
        index = secrets.randbelow(row.size)
        if index not in taken:
            return row, index


def certificate_issue(
    *, actor: Any, enrollment: Enrollment, events: Iterable[SkillEvent], at: dt.datetime
) -> Certificate:
    """Issue the certificate of a completed course (inside the completion's transaction)."""
    existing = Certificate.objects.filter(enrollment=enrollment).first()
    if existing is not None:
        return existing
    row, index = _free_entry()
    person = enrollment.person
    holder = (person.full_name if person else "") or enrollment.user.get_full_name()
    holder = holder or getattr(enrollment.user, "display_name", "") or enrollment.user.username
    birth_year = None
    if person is not None:
        birth_year = person.birth_date.year if person.birth_date else person.birth_year
    cert = Certificate(
        enrollment=enrollment,
        course=enrollment.course,
        version=enrollment.version,
        user=enrollment.user,
        person=person,
        commune_id=enrollment.commune_id,
        holder_name=holder,
        holder_birth_year=birth_year,
        issued_at=at,
        status_list=row,
        status_index=index,
    )
    cert.credential = sign(_credential(cert, enrollment))
    cert.save(force_insert=True)
    cert.skill_events.set(list(events))
    audit_record(
        actor=actor,
        action=AuditAction.CERTIFICATE_ISSUE,
        obj=cert,
        changes={"course": enrollment.course.code, "index": cert.status_index},
    )
    return cert


def certificates_revoke(*, actor: Any, certificates: Iterable[Certificate], reason: str) -> int:
    """Set the status bits of these certificates and re-sign the list (one write of the list)."""
    certs = [c for c in certificates if c.revoked_at is None]
    if not certs:
        return 0
    now = timezone.now()
    for list_id in sorted({c.status_list_id for c in certs}):  # one write per list touched
        row = _status_list_locked(list_id)
        bits = bytes(row.bits)
        for cert in certs:
            if cert.status_list_id == list_id:
                bits = _set_bit(bits, cert.status_index)
        row.bits = bits
        row.credential = _status_credential(row)
        row.save(update_fields=["bits", "credential", "updated_at"])
    for cert in certs:
        cert.revoked_at = now
        cert.revoked_reason = reason[:255]
    Certificate.objects.bulk_update(certs, ["revoked_at", "revoked_reason"])
    for cert in certs:
        audit_record(
            actor=actor,
            action=AuditAction.CERTIFICATE_REVOKE,
            obj=cert,
            changes={"index": cert.status_index, "reason": reason[:255]},
        )
    hooks.network_changed.send(communes=sorted({c.commune_id for c in certs if c.commune_id}))
    return len(certs)


def on_skill_event_reversed(*, actor: Any, event: SkillEvent, reversal: SkillEvent) -> None:
    """Hook receiver: a certificate stands on its skill events; one reversed revokes it."""
    certs = list(Certificate.objects.filter(skill_events=event, revoked_at__isnull=True))
    if certs:
        certificates_revoke(
            actor=actor,
            certificates=certs,
            reason=_("A skill it certifies was withdrawn: %(note)s") % {"note": reversal.note},
        )


# --- Verification (the public page) ----------------------------------------------------------


def verification(cert: Certificate | None) -> dict[str, Any]:
    """What the public page shows: ``genuine``, ``revoked`` or ``unknown`` (no such
    certificate, or a credential whose signature does not check), read from the signed
    credential and the status list's bit."""
    if cert is None:
        return {"status": "unknown"}
    if not cert.credential and cert.revoked_at is not None:  # its holder's data was erased
        return {
            "status": "revoked",
            "issuer": ISSUER_NAME,
            "issuer_id": issuer_did(),
            "course": cert.version.content["title"],
            "issued_at": cert.issued_at,
            "revoked_at": cert.revoked_at,
            "holder": cert.holder_name,
            "birth_year": None,
        }
    decoded = decode(cert.credential)
    if decoded is None or decoded[1].get("id") != f"urn:uuid:{cert.pk}":
        return {"status": "unknown"}
    payload = decoded[1]
    row = StatusList.objects.get(pk=cert.status_list_id)
    revoked = bit_is_set(bytes(row.bits), cert.status_index)
    return {
        "status": "revoked" if revoked else "genuine",
        "issuer": payload["issuer"]["name"],
        "issuer_id": payload["issuer"]["id"],
        "course": payload["name"],
        "issued_at": cert.issued_at,
        "revoked_at": cert.revoked_at,
        "holder": cert.holder_name,
        "birth_year": cert.holder_birth_year,
    }
