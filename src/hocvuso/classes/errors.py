"""Stable error codes of classes (same words in the API, the forms and the logs)."""

from hocvuso.core.errors import Code, Kind


class ClassError(Code):
    CLASS_FULL = "class_full", Kind.CONFLICT  # as many registrations as its capacity
    NOT_REGISTERED = "not_registered"  # attendance / gains for someone not registered
    NOT_ATTENDED = "not_attended"  # a skill gained in a class the person did not attend
    SKILL_NOT_TOPIC = "skill_not_topic"  # a gain outside the class's topic skills
    CLASS_NOT_HELD = "class_not_held"  # gains recorded before the class took place
