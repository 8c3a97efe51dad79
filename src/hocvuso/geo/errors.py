"""Stable error codes of the official units and villages."""

from hocvuso.core.errors import Code, Kind


class GeoError(Code):
    UNKNOWN_COMMUNE = "unknown_commune"
    DUPLICATE_VILLAGE = "duplicate_village", Kind.CONFLICT
    VILLAGE_OTHER_COMMUNE = "village_other_commune"
