import pytest
from django.test import override_settings

from hocvuso.core.errors import DomainError
from hocvuso.registry import cccd
from hocvuso.registry.errors import RegistryError


@pytest.mark.parametrize(
    ("raw", "sex", "year", "expected"),
    [
        ("001090123456", "M", 1990, "001090123456"),
        ("001 190 123 456", "F", 1990, "001190123456"),
        ("079.205.000.001", "M", 2005, "079205000001"),
        ("096-308-999-999", "F", 2008, "096308999999"),
        ("002070123456", None, None, "002070123456"),
    ],
)
def test_valid(raw, sex, year, expected):
    assert cccd.validate(raw, sex=sex, birth_year=year) == expected


@pytest.mark.parametrize(
    ("raw", "sex", "year", "code"),
    [
        ("00109012345", "M", 1990, RegistryError.CCCD_FORMAT),  # 11 digits
        ("0010901234567", "M", 1990, RegistryError.CCCD_FORMAT),  # 13 digits
        ("00109012345a", "M", 1990, RegistryError.CCCD_FORMAT),
        ("", "M", 1990, RegistryError.CCCD_FORMAT),
        ("001190123456", "M", 1990, RegistryError.CCCD_CENTURY_SEX),  # 1 = female, 1900s
        ("001090123456", "F", 1990, RegistryError.CCCD_CENTURY_SEX),
        ("001290123456", "M", 1990, RegistryError.CCCD_CENTURY_SEX),  # 2 = 2000s
        ("001091123456", "M", 1990, RegistryError.CCCD_YEAR),  # 91 ≠ 1990
        ("003090123456", "M", 1990, RegistryError.CCCD_PROVINCE),  # 003 is not a province
        ("097090123456", "M", 1990, RegistryError.CCCD_PROVINCE),
        ("000090123456", "M", 1990, RegistryError.CCCD_PROVINCE),
    ],
)
def test_invalid(raw, sex, year, code):
    with pytest.raises(DomainError) as err:
        cccd.validate(raw, sex=sex, birth_year=year)
    assert err.value.code == code
    assert err.value.field == "cccd"
    digits = cccd.normalise(raw)
    if digits:
        assert digits not in str(err.value)


def test_province_codes_are_the_63_former_provinces():
    assert len(cccd.PROVINCE_CODES) == 63


def test_protect_hides_the_number_and_reveal_restores_it():
    p = cccd.protect("001 090 123 456")
    assert p.last3 == "456"
    assert "001090123456" not in p.hash + p.ciphertext
    assert len(p.hash) == 64
    assert p.hash == cccd.lookup_hash("001090123456")  # deterministic for look-up
    assert cccd.reveal(p.ciphertext) == "001090123456"
    assert cccd.protect("001090123456").ciphertext != p.ciphertext  # encryption is randomised


def test_hash_depends_on_the_id_key_not_the_secret_key(settings):
    h1 = cccd.lookup_hash("001090123456")
    with override_settings(SECRET_KEY="something-else-entirely-" * 3):
        assert cccd.lookup_hash("001090123456") == h1
    with override_settings(HOCVUSO_ID_KEYS=["another-id-key"]):
        assert cccd.lookup_hash("001090123456") != h1
