"""Sending text messages (one-time codes). Pluggable: ``HOCVUSO_SMS_BACKEND`` names the class.

A gateway backend is any class with a no-argument constructor and::

    def send(self, phone_e164: str, text: str) -> None

``phone_e164`` is like ``+84912345678``; ``text`` is at most 160 characters, plain Vietnamese
(the gateway chooses the encoding). ``send`` raises :class:`SmsError` when the gateway refuses or
cannot be reached; the caller then tells the person to try again later.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("hocvuso.sms")


class SmsError(Exception):
    """The message could not be sent."""


class SmsBackend(Protocol):
    def send(self, phone_e164: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Development: writes the message to the log (a one-time code is not an ID number)."""

    def send(self, phone_e164: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone_e164, text)


class LocmemSmsBackend:
    """Tests: keeps the messages in :data:`outbox` as (phone, text)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone_e164: str, text: str) -> None:
        LocmemSmsBackend.outbox.append((phone_e164, text))


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.HOCVUSO_SMS_BACKEND)()
    return backend


def sms_send(phone_e164: str, text: str) -> None:
    sms_backend().send(phone_e164, text)
