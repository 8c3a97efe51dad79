"""Stable error codes of online learning (same words in the API, the pages and the logs)."""

from hocvuso.core.errors import Code, Kind


class LearningError(Code):
    CONTENT_INVALID = "content_invalid"  # a course file breaks the content schema
    NOT_PUBLISHED = "not_published"  # a course with no published version
    LOCKED = "locked", Kind.CONFLICT  # a lesson, step or quiz not open yet
    ALREADY_PASSED = "already_passed", Kind.CONFLICT  # the quiz of a course already passed
    RETRY_WAIT = "retry_wait", Kind.LIMITED  # a new quiz attempt before the course's wait
    BAD_ANSWERS = "bad_answers"  # answers that do not fit the quiz's questions
    NO_SIGNING_KEY = "no_signing_key"  # production without HOCVUSO_SIGNING_KEY
