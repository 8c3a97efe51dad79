"""The sync API (``/api/v1/sync/…``): register a field device, push a batch of records made
offline. The protocol is described in docs/sync.md."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from hocvuso.core.errors import DomainError
from hocvuso.core.schemas import ErrorOut
from hocvuso.sync import pull, services
from hocvuso.sync.auth import DeviceAuth, DeviceBearer
from hocvuso.sync.errors import SyncError
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
    # Written straight from the answers (their fields are PushOut's): validating 500 answers
    # through the schema again cost more than the JSON itself.
    body = {
        "answers": [vars(a) for a in result.answers],
        "last_seq": result.last_seq,
        "counts": result.counts,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        content_type="application/json",
    )


class PullFilters(Schema):
    cursor: str | None = Field(None, description="The last page's cursor; none: a full pull")
    limit: int = Field(pull.PAGE, ge=1, le=pull.PAGE)


class ChangeOut(Schema):
    kind: str = Field(
        description="team | skill | class | household | person | status | claim | visit"
    )
    id: str
    op: str = Field(description="upsert | remove")
    data: dict[str, Any] | None = None


class PullOut(Schema):
    changes: list[ChangeOut]
    cursor: str = Field(description="Send it with the next pull (this page's end)")
    more: bool = Field(description="More pages follow: pull again with the cursor at once")
    reset: bool = Field(description="The work set changed: wipe the copy, apply from here")


@router.get(
    "/pull",
    auth=DeviceBearer(),
    response={200: PullOut, 401: ErrorOut, 422: ErrorOut},
    url_name="sync_pull",
    summary="Pull the changes of the device's work set since its cursor (gzip if accepted)",
)
def pull_changes(request: HttpRequest, filters: Query[PullFilters]) -> Any:
    auth: DeviceAuth = request.auth  # type: ignore[attr-defined]
    if auth.device is None:
        return _refused(auth)
    try:
        page = pull.pull_page(
            actor=auth.device.user, cursor_text=filters.cursor, limit=filters.limit
        )
    except pull.BadCursor:
        raise DomainError(
            SyncError.BAD_CURSOR, _("This cursor was not made by this server."), "cursor"
        ) from None
    services.device_pulled(device=auth.device, more=page.more)
    body = {"changes": page.changes, "cursor": page.cursor, "more": page.more, "reset": page.reset}
    raw = json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        response = HttpResponse(
            gzip.compress(raw, compresslevel=6), content_type="application/json"
        )
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(raw, content_type="application/json")
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "no-store"
    return response
