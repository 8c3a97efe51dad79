"""Stable error codes of the community tech teams (same words in the API, the forms and logs)."""

from hocvuso.core.errors import Code, Kind


class TeamsError(Code):
    HOUSEHOLD_TAKEN = "household_taken", Kind.CONFLICT  # another member has taken this household
    ALREADY_MEMBER = "already_member", Kind.CONFLICT  # already an active member of the team
    UNKNOWN_USER = "unknown_user"  # no active account has this username
    NOT_HOUSEHOLD_MEMBER = "not_household_member"  # a person present is not of the household
    UNKNOWN_ISSUE = "unknown_issue"  # an issue code outside the list
