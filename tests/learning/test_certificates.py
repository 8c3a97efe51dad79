"""Certificates checked by an independent verifier written from the specifications — not with
the issuing code: a compact JWS (RFC 7515) whose header names a key of the issuer's did:web
document (``/.well-known/did.json``), an EdDSA signature over ``header.payload`` (RFC 8037), an
``OpenBadgeCredential`` in the VC 2.0 data model, and its bit in the W3C Bitstring Status List
(``encodedList``: multibase ``u`` + base64url of the GZIP'd bits, index 0 = the left-most bit).
A reversed skill event revokes the certificate it stands on."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client
from django.urls import reverse

from hocvuso.core.ids import uuid7
from hocvuso.learning.models import Certificate
from hocvuso.learning.services import enrollment_start, quiz_attempt, step_done
from hocvuso.skills.models import SkillEvent
from hocvuso.skills.services import skill_event_reverse
from tests.factories import make_user
from tests.learning.conftest import RIGHT

pytestmark = pytest.mark.django_db


# --- The independent verifier -------------------------------------------------------------


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class NotGenuine(Exception):
    pass


def _path(url: str) -> str:
    return urlsplit(url).path


def verify_jws(token: str, client: Client) -> dict[str, Any]:
    """The payload of ``token`` once its signature checks with the key its ``kid`` names in the
    issuer's DID document (fetched over HTTP)."""
    head, body, sig = token.split(".")
    header = json.loads(_b64(head))
    if header.get("alg") != "EdDSA":
        raise NotGenuine("not EdDSA")
    did, _, _fragment = header["kid"].partition("#")
    assert did.startswith("did:web:")
    document = client.get("/.well-known/did.json").json()
    assert document["id"] == did
    methods = {m["id"]: m for m in document["verificationMethod"]}
    if header["kid"] not in methods or header["kid"] not in document["assertionMethod"]:
        raise NotGenuine("unknown key")
    jwk = methods[header["kid"]]["publicKeyJwk"]
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")
    key = Ed25519PublicKey.from_public_bytes(_b64(jwk["x"]))
    try:
        key.verify(_b64(sig), f"{head}.{body}".encode("ascii"))
    except InvalidSignature as exc:
        raise NotGenuine("bad signature") from exc
    payload = json.loads(_b64(body))
    issuer = payload["issuer"] if isinstance(payload["issuer"], str) else payload["issuer"]["id"]
    if issuer != did:
        raise NotGenuine("signed by someone else than the issuer")
    return {"header": header, "payload": payload}


def revoked(credential: dict[str, Any], client: Client, min_size: int = 131_072) -> bool:
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    response = client.get(_path(status["statusListCredential"]))
    assert response.status_code == 200
    listed = verify_jws(response.content.decode(), client)["payload"]
    assert "BitstringStatusListCredential" in listed["type"]
    subject = listed["credentialSubject"]
    assert subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded[0] == "u"  # multibase base64url, no padding
    bits = gzip.decompress(_b64(encoded[1:]))
    assert len(bits) * 8 >= min_size
    index = int(status["statusListIndex"])
    assert 0 <= index < len(bits) * 8
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


def check(token: str, client: Client, min_size: int = 131_072) -> str:
    try:
        credential = verify_jws(token, client)["payload"]
    except NotGenuine:
        return "unknown"
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(credential["type"])
    assert "AchievementSubject" in credential["credentialSubject"]["type"]
    return "revoked" if revoked(credential, client, min_size) else "genuine"


# --- The tests ----------------------------------------------------------------------------


def _pass(learning, user=None):  # type: ignore[no-untyped-def]
    user = user or learning.learner
    enrollment = enrollment_start(actor=user, course=learning.course, id=uuid7())
    for step in range(enrollment.version.steps):
        step_done(actor=user, enrollment=enrollment, id=uuid7(), step=step)
    quiz_attempt(actor=user, enrollment=enrollment, id=uuid7(), answers=RIGHT)
    return Certificate.objects.get(enrollment=enrollment)


def test_a_certificate_verifies_and_is_revoked_when_its_skill_event_is_reversed(learning):
    cert = _pass(learning)
    anonymous = Client()
    token = anonymous.get(reverse("learning:credential", args=[cert.pk])).content.decode()
    assert token == cert.credential
    header = json.loads(_b64(token.split(".")[0]))
    assert (header["typ"], header["cty"]) == ("vc+jwt", "vc")
    assert check(token, anonymous) == "genuine"
    page = anonymous.get(reverse("learning:verify", args=[cert.pk])).content.decode()
    assert "Genuine" in page or "Còn hiệu lực" in page
    assert "Lò Thị Học" in page
    assert "1968" in page
    # An officer withdraws one of the skills (a back-check found it not gained).
    event = SkillEvent.objects.get(person=learning.person, skill__code="0.1")
    skill_event_reverse(actor=learning.officer, event=event, reason="Kiểm tra lại", id=uuid7())
    assert check(token, anonymous) == "revoked"
    cert.refresh_from_db()
    assert cert.revoked_at is not None
    page = anonymous.get(reverse("learning:verify", args=[cert.pk])).content.decode()
    assert "Revoked" in page or "Đã thu hồi" in page


def test_an_altered_credential_is_not_genuine(learning):
    cert = _pass(learning)
    head, body, sig = cert.credential.split(".")
    payload = json.loads(_b64(body))
    payload["credentialSubject"]["identifier"][0]["identityHash"] = "Người Khác"
    forged_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    forged = f"{head}.{forged_body}.{sig}"
    client = Client()
    assert check(forged, client) == "unknown"
    Certificate.objects.filter(pk=cert.pk).update(credential=forged)
    page = client.get(reverse("learning:verify", args=[cert.pk])).content.decode()
    assert "Người Khác" not in page
    unknown = client.get(reverse("learning:verify", args=[uuid7()]))
    assert unknown.status_code == 404


def test_the_status_list_is_large_signed_and_cached(learning):
    first = _pass(learning)
    other = make_user("hoc_vien_2")
    second = _pass(learning, other)
    assert first.status_index != second.status_index
    assert all(0 <= c.status_index < 131_072 for c in (first, second))
    response = Client().get(reverse("learning:status_list", args=[1]))
    assert response["Content-Type"] == "application/vc+jwt"
    assert "max-age=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response["ETag"]
    assert Client().get(reverse("learning:status_list", args=[2])).status_code == 404


def test_a_full_status_list_opens_a_second_one_and_both_revoke(learning, settings):
    # A list of 8 entries (the size is a setting so a test can fill it; production keeps the
    # specification's 131,072): eight certificates take all of list 1, the ninth opens list 2.
    settings.HOCVUSO_STATUS_LIST_SIZE = 8
    certs = [_pass(learning, make_user(f"hoc_vien_day_{n}")) for n in range(9)]
    in_first = [c for c in certs if c.status_list_id == 1]
    assert sorted(c.status_index for c in in_first) == [0, 1, 2, 3, 4, 5, 6, 7]
    ninth = certs[8]
    assert (ninth.status_list_id, 0 <= ninth.status_index < 8) == (2, True)
    anonymous = Client()
    for cert in certs:  # each credential names its own list and index
        payload = json.loads(_b64(cert.credential.split(".")[1]))
        status = payload["credentialStatus"]
        assert _path(status["statusListCredential"]) == f"/trang-thai/{cert.status_list_id}/"
        assert status["statusListIndex"] == str(cert.status_index)
        assert check(cert.credential, anonymous, min_size=8) == "genuine"
    second = anonymous.get(reverse("learning:status_list", args=[2]))
    assert second.status_code == 200
    assert second["Content-Type"] == "application/vc+jwt"
    assert "max-age=300" in second["Cache-Control"]
    listed = verify_jws(second.content.decode(), anonymous)["payload"]
    assert listed["id"].endswith("/trang-thai/2/")
    assert anonymous.get(reverse("learning:status_list", args=[3])).status_code == 404
    # Revoke one certificate of each list, in one call: each list is re-signed with its bit.
    from hocvuso.learning.certificates import certificates_revoke

    first_one = in_first[3]
    assert (
        certificates_revoke(actor=learning.officer, certificates=[first_one, ninth], reason="x")
        == 2
    )
    statuses = {c.pk: check(c.credential, anonymous, min_size=8) for c in certs}
    assert statuses[first_one.pk] == statuses[ninth.pk] == "revoked"
    assert [c.pk for c in certs if statuses[c.pk] == "genuine"] == [
        c.pk for c in certs if c.pk not in (first_one.pk, ninth.pk)
    ]
    page = anonymous.get(reverse("learning:verify", args=[ninth.pk])).content.decode()
    assert "Đã thu hồi" in page
    page = anonymous.get(reverse("learning:verify", args=[certs[0].pk])).content.decode()
    assert "Còn hiệu lực" in page


def test_rotation_keeps_old_certificates_verifiable(learning, settings):
    old = _pass(learning)
    old_kid = json.loads(_b64(old.credential.split(".")[0]))["kid"]
    rotated = "a-new-key-after-rotation-0123456789abcdefghijkl"
    settings.HOCVUSO_SIGNING_KEYS = [rotated, *settings.HOCVUSO_SIGNING_KEYS]
    new = _pass(learning, make_user("hoc_vien_3"))
    new_kid = json.loads(_b64(new.credential.split(".")[0]))["kid"]
    assert new_kid != old_kid
    client = Client()
    assert check(old.credential, client) == "genuine"
    assert check(new.credential, client) == "genuine"
    settings.HOCVUSO_SIGNING_KEYS = settings.HOCVUSO_SIGNING_KEYS[:1]  # the old key dropped
    assert check(old.credential, client) == "unknown"


def test_the_certificate_page_is_the_holders_and_their_helpers(learning):
    cert = _pass(learning)
    assert learning.client().get(reverse("learning:certificate", args=[cert.pk])).status_code == 200
    officer = learning.client(learning.officer)
    assert officer.get(reverse("learning:certificate", args=[cert.pk])).status_code == 200
    stranger = learning.client(make_user("nguoi_la"))
    assert stranger.get(reverse("learning:certificate", args=[cert.pk])).status_code == 404
    printable = learning.client().get(reverse("learning:certificate_print", args=[cert.pk]))
    assert "<svg" in printable.content.decode()
