"""Stable error codes of the accounts (log-in, two-factor, tokens, registration by phone)."""

from hocvuso.core.errors import Code, Kind


class AccountsError(Code):
    OTP_REQUIRED = "otp_required"
    OTP_INVALID = "otp_invalid"
    SESSION_EXPIRED = "session_expired"
    USERNAME_TAKEN = "username_taken", Kind.CONFLICT
    PHONE_RATE_LIMITED = "phone_rate_limited", Kind.LIMITED
    PHONE_CODE_INVALID = "phone_code_invalid"
    PHONE_CODE_EXPIRED = "phone_code_expired"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a name, not a secret)
    INVITATION_INVALID = "invitation_invalid"  # unknown, used, expired or revoked: one answer
