"""Stable error codes of the sync protocol (the same words in every answer and in docs/sync.md)."""

from hocvuso.core.errors import Code, Kind


class SyncError(Code):
    # The batch as a whole (nothing of it is written).
    NOT_JSON = "not_json"  # the body is not JSON
    BAD_BATCH = "bad_batch"  # not an object with a list of records
    BATCH_TOO_LARGE = "batch_too_large"  # more records than the limit (said in the message)
    # One record (answered on its own, the others go on).
    UNKNOWN_KIND = "unknown_kind"
    WRONG_TYPE = "wrong_type"  # a field missing or of the wrong type (the field is named)
    TIME_IN_FUTURE = "time_in_future"
    TIME_TOO_OLD = "time_too_old"
    SEQUENCE_GAP = "sequence_gap"  # an earlier sequence number has not arrived: send it first
    SEQUENCE_REUSED = "sequence_reused"  # another record already has this sequence number
    BAD_CURSOR = "bad_cursor"  # a pull cursor this server did not make
    STALE_EDIT = "stale_edit", Kind.CONFLICT  # edited on an older version: the server's kept
    # The device (answered 401: the app stops, and wipes its copy when told to).
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a name, not a secret)
    TOKEN_EXPIRED = "token_expired"  # noqa: S105
    TOKEN_REVOKED = "token_revoked"  # noqa: S105
