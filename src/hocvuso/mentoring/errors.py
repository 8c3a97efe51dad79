"""Stable error codes of mentoring (same words in the API, the forms and the logs)."""

from hocvuso.core.errors import Code, Kind


class MentoringError(Code):
    ALREADY_MENTOR = "already_mentor", Kind.CONFLICT  # the person or user already has a profile
    MENTOR_INACTIVE = "mentor_inactive"  # an inactive mentor takes no new mentees
    MENTOR_FULL = "mentor_full", Kind.CONFLICT  # the mentor's capacity is reached
    HAS_MENTOR = "has_mentor", Kind.CONFLICT  # the person already has an active mentor
    SELF_MENTORING = "self_mentoring"  # a mentor cannot be their own mentee
    NOT_MENTEE = "not_mentee"  # sessions are recorded for one's own active mentees only
    SESSION_CONFLICT = "session_conflict", Kind.CONFLICT  # the same session id, other content
    INVALID_LANGUAGE = "invalid_language"  # languages are ethnicity codes
    IN_NETWORK = "in_network", Kind.CONFLICT  # a mentor or mentee is not merged away
