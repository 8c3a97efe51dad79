import logging
import uuid

import pytest

from hocvuso.core.ids import uuid7
from hocvuso.core.logging import RedactIdentifiersFilter, redact
from hocvuso.core.text import clean, fold


def test_uuid7_is_version_7_and_time_ordered():
    ids = [uuid7() for _ in range(200)]
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in ids)
    assert len(set(ids)) == 200
    # The 48-bit millisecond prefix never goes backwards.
    prefixes = [u.int >> 80 for u in ids]
    assert prefixes == sorted(prefixes)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Hà Nội", "ha noi"),
        ("HÀ NỘI", "ha noi"),
        ("  ha   noi ", "ha noi"),
        ("Đắk Lắk", "dak lak"),
        ("Nguyễn Thị Ánh", "nguyen thi anh"),
        ("Ha\u0300 No\u0323\u0302i", "ha noi"),  # decomposed input
    ],
)
def test_fold(text, key):
    assert fold(text) == key


def test_clean_composes_and_keeps_diacritics():
    assert clean(" Nguye\u0302\u0303n  Văn ") == "Nguyễn Văn"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cccd 001090123456 ok", "cccd [redacted-id] ok"),
        ("cccd 001 090 123 456", "cccd [redacted-id]"),
        ("cmnd 123456789", "cmnd [redacted-id]"),
        ("year 2026, 42 rows", "year 2026, 42 rows"),
        ("GET /xa/00715/?q=002070115547 HTTP/1.1", "GET /xa/00715/?q=[redacted-id] HTTP/1.1"),
        ("call 0912 345 678 now", "call [redacted-phone] now"),
        ("tel=+84912345678&x=1", "tel=[redacted-phone]&x=1"),
        ("0084 912 345 678", "[redacted-phone]"),
        # Every record's id is a UUID: kept whole, even when a group is all digits.
        (
            "/nguoi/01a23129-b64b-70f4-815b-123456789012/",
            "/nguoi/01a23129-b64b-70f4-815b-123456789012/",
        ),
        ("commune 00715, 1234567 people", "commune 00715, 1234567 people"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_filter_rewrites_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id=%s", ("079205654321",), None)
    RedactIdentifiersFilter().filter(record)
    assert record.getMessage() == "id=[redacted-id]"
    assert record.request_id == "-"
