"""Identifiers: time-ordered UUIDs (RFC 9562 version 7) for primary keys, and the one helper for
ids *derived* from what a record is about, so that a replay (a device sending again, the demo
run twice) finds the record it made the first time instead of making another.

Records made in the field carry a client-made UUID v7; the server makes the same kind, so keys of
one table sort by creation time and index pages stay warm.

Derived ids come in three schemes (:class:`IdScheme`), each kept exactly as the records already
stored were made — a derived id never changes once written:

- ``UUID5``: RFC 9562 version 5, ``uuid5(namespace, "/".join(parts))`` — a team visit's skill
  events (namespace: the visit's id), a mentoring session's (namespace: a fixed one);
- ``HASHED``: the first 16 bytes of ``sha256("/".join(parts))`` marked version 7 — a class gain
  and its skill event, the demo's records;
- ``TIMED``: a UUID v7 that keeps the 48-bit timestamp of ``namespace`` (an id v7 itself) and takes
  the other 80 bits from ``sha256("/".join(parts) + namespace bytes)`` — a desk visit's skill
  event sorts beside the visit.
"""

import hashlib
import os
import threading
import time
import uuid
from enum import StrEnum
from typing import Any


class RandomPool:
    """Random bytes from the OS drawn many pieces at a time: one system call instead of one per
    id or nonce (a bulk write makes hundreds of thousands). Every piece is handed out once; a
    forked child (a server's worker, the import's second process) starts with an empty pool and
    a fresh lock, never its parent's."""

    def __init__(self, size: int, count: int = 4096) -> None:
        self._size, self._count = size, count
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._position = 0

    def take(self) -> bytes:
        with self._lock:
            if self._position >= len(self._buffer):
                self._buffer = os.urandom(self._size * self._count)
                self._position = 0
            start = self._position
            self._position = start + self._size
            return self._buffer[start : start + self._size]


_random10 = RandomPool(10)


_new, _set, _UUID, _UNKNOWN = object.__new__, object.__setattr__, uuid.UUID, uuid.SafeUUID.unknown


def _uuid_of(value: int) -> uuid.UUID:
    """``uuid.UUID(int=value)`` for a value known to be a valid 128-bit UUID, without the
    constructor's argument checks (a third of an id's cost; a bulk write makes hundreds of
    thousands): the two attributes the constructor itself sets."""
    u = _new(_UUID)
    _set(u, "int", value)
    _set(u, "is_safe", _UNKNOWN)
    return u


def uuid7() -> uuid.UUID:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(_random10.take(), "big")
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # 12 bits rand_a
    value |= 0b10 << 62  # variant
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF  # 62 bits rand_b
    return _uuid_of(value)


class IdScheme(StrEnum):
    UUID5 = "uuid5"
    HASHED = "hashed"
    TIMED = "timed"


def _as_v7(value: int) -> uuid.UUID:
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0b11 << 62)) | (0b10 << 62)  # RFC 9562 variant
    return _uuid_of(value)  # 16 bytes in: a 128-bit value


def derived_id(scheme: IdScheme, *parts: Any, namespace: uuid.UUID | None = None) -> uuid.UUID:
    """The id derived from ``parts`` (joined by "/") under ``scheme``: the same inputs, the same
    id, always. ``UUID5`` and ``TIMED`` need a ``namespace``; ``HASHED`` takes none."""
    name = "/".join(str(p) for p in parts)
    if scheme is IdScheme.HASHED:
        if namespace is not None:
            raise ValueError("the hashed scheme takes no namespace")
        return _as_v7(int.from_bytes(hashlib.sha256(name.encode()).digest()[:16], "big"))
    if namespace is None:
        raise ValueError(f"the {scheme} scheme needs a namespace")
    if scheme is IdScheme.UUID5:
        return uuid.uuid5(namespace, name)
    if scheme is IdScheme.TIMED:
        digest = hashlib.sha256(name.encode() + namespace.bytes).digest()
        return _as_v7(int.from_bytes(namespace.bytes[:6] + digest[:10], "big"))
    raise ValueError(f"unknown id scheme {scheme!r}")
