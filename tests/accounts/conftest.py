"""Fixtures of the accounts tests: two-factor on (whatever the rest of the suite does), no
throttling delay between codes, text messages kept in memory."""

from __future__ import annotations

import pytest

from hocvuso.accounts.sms import LocmemSmsBackend


@pytest.fixture(autouse=True)
def _two_factor_off(settings):  # type: ignore[no-untyped-def]
    """Same name as the suite-wide fixture that turns two-factor off: here it is on."""
    settings.HOCVUSO_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.HOCVUSO_SMS_BACKEND = "hocvuso.accounts.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
