"""Fixtures of the accounts tests: two-factor on (whatever the rest of the suite does), no
throttling delay between codes, text messages kept in memory."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hocvuso.accounts.sms import LocmemSmsBackend
from tests.conftest import OFFICER_PASSWORD


@pytest.fixture(autouse=True)
def _two_factor_off(settings):  # type: ignore[no-untyped-def]
    """Same name as the suite-wide fixture that turns two-factor off: here it is on."""
    settings.HOCVUSO_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.HOCVUSO_SMS_BACKEND = "hocvuso.accounts.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()


def totp_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def give_two_factor(user) -> tuple[TOTPDevice, list[str]]:  # type: ignore[no-untyped-def]
    """A confirmed authenticator app and fresh recovery codes, as after enrolment."""
    from hocvuso.accounts.services.two_factor import recovery_codes_regenerate

    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return device, recovery_codes_regenerate(user=user, request=None)


def password_step(client: Client, username: str, password: str = OFFICER_PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def verified_client(user) -> Client:  # type: ignore[no-untyped-def]
    """A client logged in through the real flow: password, then the app's code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device, _codes = give_two_factor(user)
    client = Client()
    response = password_step(client, user.username)
    assert response["Location"] == reverse("accounts:otp")
    response = client.post(reverse("accounts:otp"), {"code": totp_now(device)})
    assert response.status_code == 302, response.content.decode()
    return client
