"""Logging filter: adds the request id and redacts what identifies a person — citizen ID numbers
(12-digit CCCD, 9-digit CMND) and Vietnamese phone numbers — while leaving UUIDs (the ids of every
record, in every URL and log line) whole.

Every handler of the project passes through :class:`RedactIdentifiersFilter`, the development
server's access log (``django.server``) included; the production server's access log goes through
the same filter (``gunicorn.conf.py`` logs access lines through Python logging).
"""

from __future__ import annotations

import logging
import re

from hocvuso.core.context import current_request_id

_SEP = r"[ .\-]?"
# A UUID (8-4-4-4-12 hex digits) is matched first and kept as it is.
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# A phone: +84 / 0084 / 0, then 9 digits (mobile 0 + 9; landlines are 0 + 9 or 10 digits).
_PHONE = rf"(?:\+84|0084|0){_SEP}(?:\d{_SEP}){{8,9}}\d"
# 12 digits (CCCD) or 9 digits (old CMND), possibly with separators.
_ID = rf"(?:\d{_SEP}){{8}}(?:(?:\d{_SEP}){{2}}\d)?\d"
# Not inside a longer word or number — but right after a percent-encoded character (a URL's
# ``%3D`` of an encoded ``=``) counts as a boundary.
_START = r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![\w+]))"
_TOKENS = re.compile(rf"(?P<uuid>{_UUID})|{_START}(?:(?P<phone>{_PHONE})|(?P<id>{_ID}))(?![\w])")


def _replace(match: re.Match[str]) -> str:
    if match.group("uuid"):
        return match.group(0)
    if match.group("phone"):
        return "[redacted-phone]"
    return "[redacted-id]"


def redact(text: str) -> str:
    """``text`` without ID numbers and phone numbers (UUIDs untouched)."""
    return _TOKENS.sub(_replace, text)


class RedactIdentifiersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (time, level, logger, request id, message, exception), for a
    log collector. The message is the redacted one: the filter runs before the formatter."""

    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
