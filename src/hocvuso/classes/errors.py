"""Stable error codes of classes and back-checks (same words in the API, the forms and the logs)."""

from enum import StrEnum


class ClassError(StrEnum):
    CLASS_FULL = "class_full"  # the class has as many registrations as its capacity
    NOT_REGISTERED = "not_registered"  # attendance / gains for someone not registered
    NOT_ATTENDED = "not_attended"  # a skill gained in a class the person did not attend
    SKILL_NOT_TOPIC = "skill_not_topic"  # a gain outside the class's topic skills
    CLASS_NOT_HELD = "class_not_held"  # gains recorded before the class took place
    EMPTY_SAMPLE = "empty_sample"  # nothing reported in the period and group to check
    CHECK_CLOSED = "check_closed"  # a "not confirmed" check reversed its event: final
    NOT_A_CHECKER = "not_a_checker"  # checks go to users with a role in the commune
