"""The sync API (``/api/v1/sync/…``): register a field device, push a batch of records made
offline. The protocol is described in docs/sync.md."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from hocvuso.core.schemas import ErrorOut
from hocvuso.sync import services
from hocvuso.sync.auth import DeviceAuth, DeviceBearer
from hocvuso.sync.kinds import KINDS

router = Router(tags=["sync"])


class DeviceIn(Schema):
    name: str = Field("", max_length=100, description="What the user calls this phone")


class DeviceOut(Schema):
    id: UUID
    token: str = Field(description="The device's bearer token: shown once, keep it on the device")
    expires_at: dt.datetime
    last_seq: int


@router.post(
    "/devices",
    response={201: DeviceOut, 422: ErrorOut},
    url_name="sync_device_register",
    summary="Register a field device (signed-in session)",
)
def device_register(request: HttpRequest, payload: DeviceIn) -> Any:
    device, secret = services.device_register(actor=request.user, name=payload.name)
    return Status(
        201,
        {
            "id": device.pk,
            "token": secret,
            "expires_at": device.token.expires_at,
            "last_seq": device.last_seq,
        },
    )


class RecordIn(Schema):
    id: UUID = Field(description="Made on the phone: a UUID v7")
    seq: int = Field(ge=1, description="The device's sequence number: 1, 2, 3 … without gaps")
    kind: str = Field(description="One of: " + ", ".join(KINDS))
    at: dt.datetime = Field(description="When it was made on the phone, with its time zone")
    data: dict[str, Any] = Field(description="The kind's fields (docs/sync.md)")


class PushIn(Schema):
    records: list[RecordIn]
    pending: int | None = Field(None, ge=0, description="Records still waiting on the phone")


class AnswerOut(Schema):
    id: str | None
    seq: int | None
    status: str = Field(description="accepted | duplicate | conflict | rejected")
    code: str = ""
    field: str | None = None
    message: str = ""
    retry: bool = Field(False, description="Nothing wrong with it: send it again later")
    was: str | None = Field(None, description="For a duplicate: the first answer's status")


class PushOut(Schema):
    answers: list[AnswerOut]
    last_seq: int
    counts: dict[str, int]


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its ``$defs`` written in place (they would not resolve inside the
    OpenAPI document)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _refused(auth: DeviceAuth) -> Any:
    messages = {
        "token_expired": _("This device's sign-in has expired: sign in again."),
        "token_revoked": _("This device was signed out: its copy is wiped."),
    }
    code = str(auth.refusal)
    return Status(
        401, {"code": code, "message": messages.get(code, _("Send this device's token."))}
    )


@router.post(
    "/push",
    auth=DeviceBearer(),
    response={200: PushOut, 401: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    url_name="sync_push",
    summary="Push a batch of records made on the device",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline(PushIn.model_json_schema())}},
        },
        "description": "At most 500 records a batch (HOCVUSO_SYNC_BATCH_MAX); docs/sync.md.",
    },
)
def push(request: HttpRequest) -> Any:
    auth: DeviceAuth = request.auth  # type: ignore[attr-defined]
    if auth.device is None:
        return _refused(auth)
    records, pending = services.push_parse(request.body)
    result = services.push_apply(device=auth.device, records=records, pending=pending)
    return {"answers": result.answers, "last_seq": result.last_seq, "counts": result.counts}
