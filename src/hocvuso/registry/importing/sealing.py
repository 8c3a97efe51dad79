"""The protection of a large file's identifiers and sensitive cells, in a second process.

A row's CCCD is hashed (HMAC-SHA256) and sealed (AES-256-GCM), and its ethnicity and special
needs are sealed: about a quarter of the import's Python time, and the same pure function of the
row's cells whatever the database holds. For a large file this work runs in a forked child
process, on the machine's second core, while the import loads what the commune already has and
parses, checks and writes the rows; the child sends its results back in the order of the rows,
batch by batch (:data:`BATCH` rows): each row's CCCD hash (or ``None``), which the import needs
first, to look the batch's CCCDs up nationwide before it decides those rows, and each row's
``(ciphertext, last3, sealed ethnicity, sealed needs)``. The child runs ahead of the import, so
the import waits only for the first batch.

The child computes these from the cells with the very functions the parser uses
(:mod:`.cells`); a cell the parser will reject gets ``None`` and its row is never written. The
child touches no database connection and no file, and exits without running the parent's exit
handlers (``multiprocessing`` ends a forked child with ``os._exit``); the plaintext never leaves
the memory of the two processes. A small file (under :data:`MIN_ROWS`) is protected in-process.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from hocvuso.core.errors import DomainError
from hocvuso.registry import cccd as cccd_lib
from hocvuso.registry.importing import cells
from hocvuso.registry.importing.reader import SourceRow, SourceTable
from hocvuso.registry.importing.rows import once_per_value

# Below this many rows the fork costs more than it saves (measured: bench/import_bench.py).
MIN_ROWS = 20_000
BATCH = 5_000

Sealed = tuple[str, str, str, str]  # ciphertext, last3, sealed ethnicity, sealed special needs
_NONE = "\x00"  # a row whose cells the parser will reject (sealed values are base64 and dots)


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


def _protect_batch(
    rows: list[SourceRow],
    hash_of: Callable[[str], str],
    encrypt: Callable[[str], str],
    seal_ethnicity: Callable[[str], str],
    seal_needs: Callable[[str], str],
    ethnicity_of: Callable[[object], str],
) -> tuple[str, str]:
    """One batch's message: the rows' CCCD hashes ("" for none), one a line, and their sealed
    cells (tab-separated, or :data:`_NONE`), one a line. Two strings, not lists of tuples:
    pickling 200,000 tuples cost both processes more than the work they carry."""
    hashes: list[str] = []
    sealed: list[str] = []
    text = cells.text
    for row in rows:
        values = row.values
        number = row_cccd(values, row.text_cells)  # 12 digits or ""
        hashes.append(hash_of(number) if number else "")
        try:
            ethnicity = ethnicity_of(values.get("ethnicity"))
            needs = text(values.get("special_needs"))
        except DomainError:
            sealed.append(_NONE)
            continue
        sealed.append(
            "\t".join(
                (
                    encrypt(number) if number else "",
                    number[-3:],
                    seal_ethnicity(ethnicity),
                    seal_needs(needs),
                )
            )
        )
    return "\n".join(hashes), "\n".join(sealed)


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
        hash_of, encrypt = cccd_lib.bulk_hash_and_encrypt()
        ethnicity_of = once_per_value(cells.ethnicity)  # a few dozen values down the whole list
        rows = table.rows
        for start in range(0, len(rows), BATCH):
            out.send(
                _protect_batch(
                    rows[start : start + BATCH],
                    hash_of,
                    encrypt,
                    seal_ethnicity,
                    seal_needs,
                    ethnicity_of,
                )
            )
        out.send(None)
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
        self._hashes: list[str] = []  # "" for a row without a CCCD
        self._sealed: list[str] = []  # tab-separated, or _NONE
        self._done = False

    def _receive(self) -> Any:
        try:
            message = self._in.recv()
        except EOFError as exc:
            raise SealingFailed("the protecting process ended without an answer") from exc
        if isinstance(message, tuple) and message and message[0] == "failed":
            raise SealingFailed(message[1])
        return message

    def _until(self, index: int) -> None:
        """Receive batches until row ``index`` has its results."""
        while index >= len(self._hashes):
            message = None if self._done else self._receive()
            if message is None:
                self._done = True
                raise SealingFailed("the protecting process sent fewer rows than the file has")
            hashes, sealed = message
            self._hashes.extend(hashes.split("\n"))
            self._sealed.extend(sealed.split("\n"))

    def hashes(self, start: int, stop: int) -> list[str | None]:
        """The CCCD hashes of rows ``start`` to ``stop`` (excluded)."""
        if stop > start:
            self._until(stop - 1)
        return [h or None for h in self._hashes[start:stop]]

    def hash(self, index: int) -> str | None:
        self._until(index)
        return self._hashes[index] or None

    def sealed(self, index: int) -> Sealed | None:
        self._until(index)
        line = self._sealed[index]
        if line == _NONE:
            return None
        ciphertext, last3, ethnicity, needs = line.split("\t")
        return ciphertext, last3, ethnicity, needs

    def close(self) -> int | None:
        """Stop reading and wait for the child; its exit code (0: it ended by itself)."""
        self._in.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        return self._process.exitcode
