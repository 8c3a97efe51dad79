"""Stable error codes of the skill framework (events are append-only, idempotent on their id)."""

from hocvuso.core.errors import Code, Kind


class SkillsError(Code):
    ALREADY_REVERSED = "already_reversed", Kind.CONFLICT
    UNKNOWN_SKILL = "unknown_skill"
    # Back-checks (re-checking a sample of reported results)
    EMPTY_SAMPLE = "empty_sample"  # nothing reported in the period and group to check
    CHECK_CLOSED = "check_closed", Kind.CONFLICT  # a "not confirmed" check reversed its event
    NOT_A_CHECKER = "not_a_checker"  # checks go to helpers who may check, never the reporter
