"""The sync endpoints' authentication: a field device's bearer token.

Unlike the rest of the API, a refused token is answered with *why* (``token_expired``,
``token_revoked``, ``token_invalid``), because the app acts on it: it asks its user to sign in
again, and wipes its copy of the work set when the token was revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from hocvuso.sync.errors import SyncError
from hocvuso.sync.models import Device
from hocvuso.sync.selectors import device_by_secret


@dataclass(frozen=True)
class DeviceAuth:
    device: Device | None
    refusal: SyncError | None


class DeviceBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        device, refusal = device_by_secret(token)
        if device is not None:
            request.user = device.user
        return DeviceAuth(device, refusal)
