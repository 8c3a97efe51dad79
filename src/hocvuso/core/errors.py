"""Errors with stable codes: the API, import reports and UI all speak the same words."""

from enum import StrEnum


class ErrorCode(StrEnum):
    # Generic
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    REQUIRED = "required"
    # Geography
    UNKNOWN_COMMUNE = "unknown_commune"
    DUPLICATE_VILLAGE = "duplicate_village"
    VILLAGE_OTHER_COMMUNE = "village_other_commune"
    # Registry
    CCCD_FORMAT = "cccd_format"
    CCCD_PROVINCE = "cccd_province"
    CCCD_CENTURY_SEX = "cccd_century_sex"
    CCCD_YEAR = "cccd_year"
    DUPLICATE_CCCD = "duplicate_cccd"
    DUPLICATE_HOUSEHOLD_CODE = "duplicate_household_code"
    HOUSEHOLD_OTHER_COMMUNE = "household_other_commune"
    HEAD_NOT_MEMBER = "head_not_member"
    INVALID_PHONE = "invalid_phone"
    INVALID_BIRTH_DATE = "invalid_birth_date"
    INVALID_ETHNICITY = "invalid_ethnicity"
    INVALID_SEX = "invalid_sex"
    INVALID_RELATIONSHIP = "invalid_relationship"
    INVALID_OCCUPATION = "invalid_occupation"
    # Bulk import
    UNSUPPORTED_FILE = "unsupported_file"
    HEADER_NOT_FOUND = "header_not_found"
    CCCD_NUMBER_CELL = "cccd_number_cell"  # a CCCD stored as an Excel number lost its leading 0s
    UNKNOWN_VILLAGE = "unknown_village"
    NO_HOUSEHOLD = "no_household"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    CCCD_OTHER_COMMUNE = "cccd_other_commune"
    # Privacy (consent, data-subject requests, erasure)
    PERSON_ERASED = "person_erased"
    WITNESS_REQUIRED = "witness_required"
    WRONG_REQUEST = "wrong_request"
    # Skills (events are append-only and idempotent on the client's UUID)
    EVENT_CONFLICT = "event_conflict"  # the same event id sent again with different content
    ALREADY_REVERSED = "already_reversed"
    UNKNOWN_SKILL = "unknown_skill"


class DomainError(Exception):
    """A rule of the movement was broken. ``code`` is stable; ``message`` is for people.

    ``field`` names the input the error is about, when there is one. The message never holds
    the rejected value of a personal identifier.
    """

    def __init__(self, code: StrEnum, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    """The object does not exist, or the actor may not know it exists (same answer for both)."""

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(ErrorCode.NOT_FOUND, message)
