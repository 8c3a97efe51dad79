"""Stable error codes of the outreach models (same words in the API, the forms and the logs)."""

from hocvuso.core.errors import Code


class OutreachError(Code):
    GUIDE_NOT_MEMBER = "guide_not_member"  # a family guide must be a member of the household
    UNKNOWN_NEED = "unknown_need"  # the identity worklist knows "vneid" and "bank" only
