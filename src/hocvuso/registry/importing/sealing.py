"""The protection of a large file's identifiers and sensitive cells, in a second process.

A row's CCCD is hashed (HMAC-SHA256) and sealed (AES-256-GCM), and its ethnicity and special
needs are sealed: about a quarter of the import's Python time, and the same pure function of the
row's cells whatever the database holds. For a large file this work runs in a forked child
process, on the machine's second core, while the import loads what the commune already has and
parses, checks and writes the rows; the child sends its results back in the order of the rows:

1. one list of every row's CCCD hash (or ``None``), which the import needs first to look the
   file's CCCDs up nationwide;
2. then, batch by batch, each row's ``(ciphertext, last3, sealed ethnicity, sealed needs)``.

The child computes these from the cells with the very functions the parser uses
(:mod:`.cells`); a cell the parser will reject gets ``None`` and its row is never written. The
child touches no database connection and no file, and exits without running the parent's exit
handlers (``multiprocessing`` ends a forked child with ``os._exit``); the plaintext never leaves
the memory of the two processes. A small file (under :data:`MIN_ROWS`) is protected in-process.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from hocvuso.core.errors import DomainError
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.importing import cells
from hocvuso.registry.importing.reader import SourceTable

# Below this many rows the fork costs more than it saves (measured: bench/import_bench.py).
MIN_ROWS = 20_000
BATCH = 5_000

Sealed = tuple[str, str, str, str]  # ciphertext, last3, sealed ethnicity, sealed special needs


class SealingFailed(RuntimeError):
    """The protecting process failed; the import writes nothing."""


def row_cccd(values: dict[str, object], text_cells: frozenset[str]) -> str:
    """The row's 12-digit CCCD ('' when empty or unreadable: the parser reports why)."""
    raw = values.get("cccd")
    if raw is None or raw == "":
        return ""
    try:
        return cells.cccd(raw, is_text="cccd" in text_cells)
    except DomainError:
        return ""


def _protect_rows(
    table: SourceTable,
    hashes: list[str | None],
    seal_ethnicity: Callable[[str], str],
    seal_needs: Callable[[str], str],
) -> Iterator[Sealed | None]:
    for row, hash_ in zip(table.rows, hashes, strict=True):
        values = row.values
        try:
            number = row_cccd(values, row.text_cells)
            ethnicity = cells.ethnicity(values.get("ethnicity"))
            needs = cells.text(values.get("special_needs"))
        except DomainError:
            yield None
            continue
        ciphertext = last3 = ""
        if number:
            protected = cccd_lib.protect(number, hash_=hash_)
            ciphertext, last3 = protected.ciphertext, protected.last3
        yield (ciphertext, last3, seal_ethnicity(ethnicity) or "", seal_needs(needs) or "")


def _child(
    table: SourceTable,
    out: Connection,
    parent_end: Connection,
    seal_ethnicity: Callable[[str], str],
    seal_needs: Callable[[str], str],
) -> None:
    # The reading end came along with the fork: closed here, so that once the parent stops
    # reading (an import that needs no more, e.g. every row unchanged) a send fails at once
    # instead of waiting for a reader that will never come.
    parent_end.close()
    try:
        hashes = []
        for row in table.rows:
            number = row_cccd(row.values, row.text_cells)
            hashes.append(cccd_lib.lookup_hash(number) if number else None)
        out.send(hashes)
        batch: list[Sealed | None] = []
        for sealed in _protect_rows(table, hashes, seal_ethnicity, seal_needs):
            batch.append(sealed)
            if len(batch) == BATCH:
                out.send(batch)
                batch = []
        out.send(batch)
    except BrokenPipeError:
        pass  # the parent needs no more
    except BaseException:  # reported to the parent, which fails the import
        out.send(("failed", traceback.format_exc(limit=5)))
    finally:
        out.close()


class Protector:
    """The results of the protecting process, row by row (0-based index in ``table.rows``)."""

    def __init__(
        self,
        table: SourceTable,
        *,
        seal_ethnicity: Callable[[str], str],
        seal_needs: Callable[[str], str],
    ) -> None:
        context = multiprocessing.get_context("fork")
        self._in, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child,
            args=(table, child_end, self._in, seal_ethnicity, seal_needs),
            name="hocvuso-import-sealing",
            daemon=True,
        )
        self._process.start()
        child_end.close()  # the parent's copy: EOF as soon as the child is gone
        self._hashes: list[str | None] | None = None
        self._batches: list[list[Sealed | None]] = []
        self._received = 0

    def _receive(self) -> Any:
        try:
            message = self._in.recv()
        except EOFError as exc:
            raise SealingFailed("the protecting process ended without an answer") from exc
        if isinstance(message, tuple) and message and message[0] == "failed":
            raise SealingFailed(message[1])
        return message

    def hashes(self) -> list[str | None]:
        if self._hashes is None:
            self._hashes = self._receive()
        return self._hashes

    def sealed(self, index: int) -> Sealed | None:
        self.hashes()
        while index >= self._received:
            batch = self._receive()
            self._batches.append(batch)
            self._received += len(batch)
            if not batch:
                raise SealingFailed("the protecting process sent fewer rows than the file has")
        return self._batches[index // BATCH][index % BATCH]

    def close(self) -> int | None:
        """Stop reading and wait for the child; its exit code (0: it ended by itself)."""
        self._in.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        return self._process.exitcode
