"""Stable error codes of consent and data-subject requests."""

from hocvuso.core.errors import Code, Kind


class PrivacyError(Code):
    WITNESS_REQUIRED = "witness_required"
    WRONG_REQUEST = "wrong_request"
    BREACH_CLOSED = "breach_closed", Kind.CONFLICT  # a closed breach is not changed any more
