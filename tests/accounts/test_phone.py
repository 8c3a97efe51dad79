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
    for _ in range(3):
        assert (
            Client().post(reverse("accounts:register"), {"phone": "0912345678"}).status_code == 302
        )
    fourth = Client().post(reverse("accounts:register"), {"phone": "+84 912 345 678"})
    assert fourth.status_code == 200
    assert "quá nhiều mã" in fourth.content.decode()
    assert len(LocmemSmsBackend.outbox) == 3
    PhoneVerification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))
    assert Client().post(reverse("accounts:register"), {"phone": "0912345678"}).status_code == 302


def test_a_registered_number_gets_no_code(db):
    User.objects.create_user(username="0912345678", phone="+84912345678", password=PASSWORD)
    response = Client().post(reverse("accounts:register"), {"phone": "0912345678"})
    assert response.status_code == 302  # the page does not tell
    assert not re.search(r"\b\d{6}\b", LocmemSmsBackend.outbox[-1][1])


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
