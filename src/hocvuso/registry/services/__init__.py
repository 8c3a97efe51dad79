"""Writes to the registry: every change validated, written and audited here.

- :mod:`.people`: households and people, full ID numbers, the ID key rotation
- :mod:`.villages`: the commune's villages
- :mod:`.units`: the communes' remote / ethnic-minority flags (the province sets them)
"""

from hocvuso.registry.services.people import (
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    PERSON_MASKED,
    PossibleDuplicate,
    household_create,
    household_search_key,
    household_update,
    id_keys_rotate,
    person_add,
    person_register,
    person_reveal_cccd,
    person_update,
    walk_in_check,
)
from hocvuso.registry.services.units import commune_flags_set
from hocvuso.registry.services.villages import (
    VILLAGE_FIELDS,
    VillageImportResult,
    guess_village_kind,
    village_create,
    village_update,
    villages_import_csv,
)

__all__ = [
    "HOUSEHOLD_FIELDS",
    "PERSON_FIELDS",
    "PERSON_MASKED",
    "VILLAGE_FIELDS",
    "PossibleDuplicate",
    "VillageImportResult",
    "commune_flags_set",
    "guess_village_kind",
    "household_create",
    "household_search_key",
    "household_update",
    "id_keys_rotate",
    "person_add",
    "person_register",
    "person_reveal_cccd",
    "person_update",
    "village_create",
    "village_update",
    "villages_import_csv",
    "walk_in_check",
]
