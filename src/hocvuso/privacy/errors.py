"""Stable error codes of consent and data-subject requests."""

from hocvuso.core.errors import Code


class PrivacyError(Code):
    WITNESS_REQUIRED = "witness_required"
    WRONG_REQUEST = "wrong_request"
