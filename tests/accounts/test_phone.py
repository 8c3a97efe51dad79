"""Citizens register with their phone number: a code by SMS (limited), then a password."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hocvuso.access.scope import scope_of
from hocvuso.accounts.models import PhoneVerification, User
from hocvuso.accounts.sms import LocmemSmsBackend
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db
PASSWORD = "cay-lua-xanh-2026"


def sent_code() -> str:
    _phone, text = LocmemSmsBackend.outbox[-1]
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def test_register_with_a_phone_number(db):
    client = Client()
    page = client.get(reverse("accounts:register"))
    assert "Đăng ký bằng số điện thoại" in page.content.decode()
    response = client.post(reverse("accounts:register"), {"phone": "0912 345 678"})
    assert response["Location"] == reverse("accounts:register_code")
    assert LocmemSmsBackend.outbox[0][0] == "+84912345678"
    code = sent_code()
    assert PhoneVerification.objects.get().code_hash != code
    assert code not in str(list(PhoneVerification.objects.values()))
    assert "0912 345 678" in client.get(reverse("accounts:register_code")).content.decode()
    # The password step is closed until the code is right.
    early = client.post(
        reverse("accounts:register_password"), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert early["Location"] == reverse("accounts:register_code")
    assert not User.objects.exists()

    assert client.post(reverse("accounts:register_code"), {"code": code})["Location"] == reverse(
        "accounts:register_password"
    )
    response = client.post(
        reverse("accounts:register_password"),
        {"display_name": "Lò Văn Páo", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == reverse("ui:home")
    user = User.objects.get()
    assert (user.username, user.phone, user.display_name) == (
        "0912345678",
        "+84912345678",
        "Lò Văn Páo",
    )
    assert user.check_password(PASSWORD)
    assert scope_of(user).nothing  # no registry access until an officer links the person
    assert client.get(reverse("ui:home")).status_code == 200
    assert AuditLog.objects.filter(action="account.register", actor=user).count() == 1
    # The verification is used up.
    again = client.post(
        reverse("accounts:register_password"), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert again.status_code == 302
    assert User.objects.count() == 1


def test_five_wrong_codes_use_the_code_up(db):
    client = Client()
    client.post(reverse("accounts:register"), {"phone": "0912345678"})
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("accounts:register_code"), {"code": wrong})
        assert response.status_code == 200
        assert "Mã này không đúng" in response.content.decode()
    response = client.post(reverse("accounts:register_code"), {"code": code})
    assert response["Location"] == reverse("accounts:register")
    assert PhoneVerification.objects.get().verified_at is None


def test_expired_code_refused(db):
    client = Client()
    client.post(reverse("accounts:register"), {"phone": "0912345678"})
    PhoneVerification.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(reverse("accounts:register_code"), {"code": sent_code()})
    assert response["Location"] == reverse("accounts:register")
    assert PhoneVerification.objects.get().verified_at is None


def test_three_messages_an_hour_per_number(db):
    for n in range(3):
        addr = f"10.2.0.{n}"
        assert (
            Client()
            .post(reverse("accounts:register"), {"phone": "0912345678"}, REMOTE_ADDR=addr)
            .status_code
            == 302
        )
    fourth = Client().post(reverse("accounts:register"), {"phone": "+84 912 345 678"})
    assert fourth.status_code == 200
    assert "quá nhiều mã" in fourth.content.decode()
    assert len(LocmemSmsBackend.outbox) == 3
    PhoneVerification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    assert Client().post(reverse("accounts:register"), {"phone": "0912345678"}).status_code == 302


def test_a_registered_number_gets_no_message_and_the_same_answer(db):
    """Nothing goes out to a number that already has an account, and the asker sees exactly
    what they would see for any other number: the code page (where every code is wrong)."""
    User.objects.create_user(username="0912345678", phone="+84912345678", password=PASSWORD)
    registered = Client()
    response = registered.post(reverse("accounts:register"), {"phone": "0912345678"})
    fresh = Client()
    other = fresh.post(reverse("accounts:register"), {"phone": "0912345679"})
    assert (response.status_code, response["Location"]) == (other.status_code, other["Location"])
    assert [phone for phone, _text in LocmemSmsBackend.outbox] == ["+84912345679"]
    page = registered.get(reverse("accounts:register_code")).content.decode()
    assert "0912 345 678" in page
    wrong = registered.post(reverse("accounts:register_code"), {"code": "123456"})
    assert wrong.status_code == 200
    assert PhoneVerification.objects.get(phone="+84912345678").sent is False


def test_sending_from_one_address_is_bounded(db, settings):
    """SMS pumping: many numbers from one address stop at the per-address limit; another
    address is not affected; the national limit bounds everything."""
    assert settings.HOCVUSO_SMS_PER_ADDRESS_PER_HOUR == 5
    answers = [
        Client()
        .post(reverse("accounts:register"), {"phone": f"09123400{n:02d}"}, REMOTE_ADDR="10.7.7.7")
        .status_code
        for n in range(60)
    ]
    assert answers == [302] * 5 + [200] * 55
    assert len(LocmemSmsBackend.outbox) == 5
    elsewhere = Client().post(
        reverse("accounts:register"), {"phone": "0912340099"}, REMOTE_ADDR="10.7.7.8"
    )
    assert elsewhere.status_code == 302
    settings.HOCVUSO_SMS_PER_HOUR = 6
    busy = Client().post(
        reverse("accounts:register"), {"phone": "0912340098"}, REMOTE_ADDR="10.7.7.9"
    )
    assert busy.status_code == 200
    assert "bận" in busy.content.decode()
    assert len(LocmemSmsBackend.outbox) == 6


def test_invalid_number(db):
    response = Client().post(reverse("accounts:register"), {"phone": "12"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert LocmemSmsBackend.outbox == []


def test_console_backend_logs_the_message(settings, caplog):
    from hocvuso.accounts.sms import sms_send

    settings.HOCVUSO_SMS_BACKEND = "hocvuso.accounts.sms.ConsoleSmsBackend"
    with caplog.at_level("INFO", logger="hocvuso.sms"):
        sms_send("+84912345678", "Mã của bạn là 123456")
    assert "Mã của bạn là 123456" in caplog.text


def test_the_national_admin_sees_the_rate(national_admin, citizen):
    from tests.factories import login, verified_client

    for n in range(3):
        Client().post(
            reverse("accounts:register"), {"phone": f"091234567{n}"}, REMOTE_ADDR="10.3.3.3"
        )
    page = verified_client(national_admin).get(reverse("privacy:sms_rate"))
    assert page.status_code == 200
    rate = page.context["rate"]
    assert (rate.sent_hour, rate.addresses_hour, rate.busiest_address_hour) == (3, 1, 3)
    assert login(citizen).get(reverse("privacy:sms_rate")).status_code == 404
