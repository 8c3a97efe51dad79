"""The bound sealers and keyed hashes of bulk work give what the one-at-a-time functions give."""

from __future__ import annotations

import pytest

from hocvuso.core import crypto
from hocvuso.registry import cccd as cccd_lib


def test_a_bound_sealer_seals_as_seal_does_and_never_twice_the_same(settings):
    settings.HOCVUSO_ID_KEYS = ("k" * 32,)
    seal = crypto.sealer("ethnicity")
    one, two = seal("08"), seal("08")
    assert one.startswith(crypto.PREFIX)
    assert two.startswith(crypto.PREFIX)
    assert one != two  # a fresh nonce each time: equal values cannot be told apart
    assert crypto.unseal("ethnicity", one) == crypto.unseal("ethnicity", two) == "08"
    assert seal("") == ""
    with pytest.raises(crypto.SealError):  # another purpose's subkey never opens it
        crypto.unseal("special_needs", one)


def test_a_bound_keyed_hash_equals_the_keyed_hash(settings):
    settings.HOCVUSO_ID_KEYS = ("k" * 32, "old" * 11)
    hash_of, encrypt = cccd_lib.bulk_hash_and_encrypt()
    assert hash_of("001234567890") == cccd_lib.lookup_hash("001234567890")
    assert hash_of("001234567890") != hash_of("001234567891")
    assert cccd_lib.reveal(encrypt("001234567890")) == "001234567890"
    # Bound to the keys of the moment it was made: a rotation needs a new one.
    settings.HOCVUSO_ID_KEYS = ("n" * 32,)
    assert crypto.macer("cccd")("001234567890") != hash_of("001234567890")
