"""Stable error codes of mentoring (same words in the API, the forms and the logs)."""

from enum import StrEnum


class MentoringError(StrEnum):
    ALREADY_MENTOR = "already_mentor"  # the person (or the user) already has a mentor profile
    MENTOR_INACTIVE = "mentor_inactive"  # an inactive mentor takes no new mentees
    MENTOR_FULL = "mentor_full"  # the mentor's capacity is reached
    HAS_MENTOR = "has_mentor"  # the person already has an active mentor
    SELF_MENTORING = "self_mentoring"  # a mentor cannot be their own mentee
    NOT_MENTEE = "not_mentee"  # sessions are recorded for one's own active mentees only
    SESSION_CONFLICT = "session_conflict"  # the same session id with other content
    INVALID_LANGUAGE = "invalid_language"  # languages are ethnicity codes
