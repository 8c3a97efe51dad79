"""Logging filter: adds the request id and redacts anything shaped like a citizen ID number."""

import logging
import re

from hocvuso.core.context import current_request_id

# 12 digits (CCCD) or 9 digits (old CMND), possibly with separators, not inside a longer number.
_ID_LIKE = re.compile(r"(?<![\d])(?:\d[ .\-]?){8}(?:(?:\d[ .\-]?){2}\d)?\d(?![\d])")


def redact(text: str) -> str:
    return _ID_LIKE.sub("[redacted-id]", text)


class RedactIdentifiersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
