"""Stable error codes of the registry: people, households, ID numbers and the bulk import."""

from hocvuso.core.errors import Code, Kind


class RegistryError(Code):
    CCCD_FORMAT = "cccd_format"
    CCCD_PROVINCE = "cccd_province"
    CCCD_CENTURY_SEX = "cccd_century_sex"
    CCCD_YEAR = "cccd_year"
    DUPLICATE_CCCD = "duplicate_cccd", Kind.CONFLICT
    DUPLICATE_HOUSEHOLD_CODE = "duplicate_household_code", Kind.CONFLICT
    HOUSEHOLD_OTHER_COMMUNE = "household_other_commune"
    HEAD_NOT_MEMBER = "head_not_member"
    INVALID_BIRTH_DATE = "invalid_birth_date"
    INVALID_ETHNICITY = "invalid_ethnicity"
    INVALID_SEX = "invalid_sex"
    INVALID_RELATIONSHIP = "invalid_relationship"
    INVALID_OCCUPATION = "invalid_occupation"
    # Erased under the data-protection law: the row stays, anonymised, and is never edited again.
    PERSON_ERASED = "person_erased", Kind.CONFLICT
    # The person's own decisions under the law (registry.purposes): nothing processed against them.
    PERSON_RESTRICTED = "person_restricted", Kind.CONFLICT
    PURPOSE_WITHHELD = "purpose_withheld", Kind.CONFLICT
    CONSENT_REQUIRED = "consent_required", Kind.CONFLICT
    # One record per person: matches, merges, splits, moves
    POSSIBLE_DUPLICATE = "possible_duplicate", Kind.CONFLICT  # matches offered before creating
    MERGE_SAME = "merge_same"
    MERGE_OTHER_COMMUNE = "merge_other_commune"
    MERGE_MERGED = "merge_merged", Kind.CONFLICT  # one of the two is already a tombstone
    MERGE_DIFFERENT_CCCD = "merge_different_cccd", Kind.CONFLICT
    SPLIT_DONE = "split_done", Kind.CONFLICT
    PERSON_MERGED = "person_merged", Kind.CONFLICT  # a tombstone is never processed
    MOVE_SAME_COMMUNE = "move_same_commune"
    MOVE_RETIRED = "move_retired"
    # Bulk import
    UNSUPPORTED_FILE = "unsupported_file"
    HEADER_NOT_FOUND = "header_not_found"
    NO_ROWS = "no_rows"
    CCCD_NUMBER_CELL = "cccd_number_cell"  # a CCCD stored as an Excel number lost its leading 0s
    UNKNOWN_VILLAGE = "unknown_village"
    NO_HOUSEHOLD = "no_household"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    CCCD_OTHER_COMMUNE = "cccd_other_commune"
