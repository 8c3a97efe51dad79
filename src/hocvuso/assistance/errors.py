"""Stable error codes of the requests for help (same words in the API, the forms and logs)."""

from hocvuso.core.errors import Code, Kind


class AssistanceError(Code):
    NEED_REQUIRED = "need_required"  # neither a skill nor a description of the need
    CONTACT_NEEDS_CONSENT = "contact_needs_consent"  # "call me" without consent to phone calls
    NO_PHONE = "no_phone"  # "call me" with no phone number on the record
    TOO_MANY_OPEN = "too_many_open", Kind.CONFLICT  # the person already has many open requests
    WRONG_STATE = "wrong_state", Kind.CONFLICT  # taken by another, or already closed
    ANSWER_REQUIRED = "answer_required"  # answering with an empty answer
