"""Stable codes of the accounts errors (log-in, two-factor, invitations, tokens, registration).

They travel in :class:`hocvuso.core.errors.DomainError` like the core codes, so forms, the API and
the audit log use the same words.
"""

from enum import StrEnum

from hocvuso.core.errors import DomainError


class AccountsErrorCode(StrEnum):
    OTP_REQUIRED = "otp_required"
    OTP_INVALID = "otp_invalid"
    SESSION_EXPIRED = "session_expired"
    INVITATION_INVALID = "invitation_invalid"  # unknown, used, expired or revoked: one answer
    USERNAME_TAKEN = "username_taken"
    PHONE_RATE_LIMITED = "phone_rate_limited"
    PHONE_CODE_INVALID = "phone_code_invalid"
    PHONE_CODE_EXPIRED = "phone_code_expired"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a name, not a secret)


class AccountsError(DomainError):
    def __init__(self, code: AccountsErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)
