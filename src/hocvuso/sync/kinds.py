"""The kinds of record a field device pushes, and the shape of each one's ``data``.

Every record has the same envelope (:class:`Envelope`: the client's UUID v7, the device's
sequence number, the kind, when it was made on the phone) and a ``data`` object whose shape is
the kind's schema below. A field missing or of the wrong type refuses that record alone
(``wrong_type``, naming the field). docs/sync.md describes each kind for third-party apps.

Nothing sensitive travels: no CCCD, no ethnicity, no special-needs note — an officer adds those
in the registry.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=2000)


class Envelope(Strict):
    id: UUID
    seq: int = Field(ge=1)
    kind: str = Field(max_length=32)
    at: AwareDatetime
    data: dict[str, object]


class HouseholdData(Strict):
    """A household met in the field that is not on the list yet."""

    village_id: UUID
    code: str = Field(min_length=1, max_length=32)
    address: str = Field("", max_length=255)


class PersonData(Strict):
    """A newcomer registered into a household (one of the device's, or one pushed before)."""

    household_id: UUID
    full_name: str = Field(min_length=1, max_length=150)
    sex: str = Field(max_length=1)
    birth_year: int | None = None
    birth_date: dt.date | None = None
    phone: str = Field("", max_length=20)
    occupation: str = Field("", max_length=16)
    relationship: str = Field("", max_length=16)


class ClaimData(Strict):
    """A household taken from the plan."""

    household_id: UUID
    team_id: UUID | None = None


class PresentData(Strict):
    person_id: UUID
    guided: list[str] = Field(default_factory=list, max_length=50)
    gained: list[str] = Field(default_factory=list, max_length=50)


class VisitData(Strict):
    """A door-to-door visit: who was at home, what each was guided on and can now do alone."""

    household_id: UUID
    visited_at: AwareDatetime
    team_id: UUID | None = None
    present: list[PresentData] = Field(default_factory=list, max_length=30)
    issues: list[str] = Field(default_factory=list, max_length=10)
    issues_note: str = Field("", max_length=255)
    follow_up_on: dt.date | None = None
    note: str = ""


class SkillEventData(Strict):
    """A skill gained, recorded on its own (a worklist's two-tap mark)."""

    person_id: UUID
    skill: str = Field(max_length=64)
    happened_on: dt.date
    channel: str = Field(max_length=24)


class DeskVisitData(Strict):
    """A citizen helped at the commune's desk while its line was down."""

    commune: str = Field(max_length=5)
    person_id: UUID
    procedure: str = Field(max_length=32)
    outcome: str = Field(max_length=16)
    can_do_alone: bool = False
    note: str = ""
    happened_at: AwareDatetime


class GainData(Strict):
    person_id: UUID
    skill: str = Field(max_length=64)


class AttendanceData(Strict):
    """A class's attendance as ticked on the phone (the registered people present), and the
    topic skills attendees gained there."""

    class_id: UUID
    present: list[UUID] = Field(default_factory=list, max_length=500)
    gains: list[GainData] = Field(default_factory=list, max_length=2000)


class FamilyGuideData(Strict):
    """The household's digital guide named on a visit."""

    household_id: UUID
    person_id: UUID


Value = str | int | None

# The fields a phone may edit, by kind of object (nothing sensitive, no identifier).
PERSON_EDITABLE = ("full_name", "sex", "birth_year", "relationship", "occupation")
HOUSEHOLD_EDITABLE = ("address",)


class EditData(Strict):
    """Fields of a person or household changed on the phone: ``base_version`` is the
    ``version`` the phone had pulled, ``base`` the values it saw, ``changes`` the new ones."""

    base_version: AwareDatetime
    base: dict[str, Value] = Field(default_factory=dict)
    changes: dict[str, Value] = Field(min_length=1)


class PersonEditData(EditData):
    person_id: UUID


class HouseholdEditData(EditData):
    household_id: UUID


# The kinds, in the order a batch is applied: a household before the people registered into
# it, people before the visits that find them at home.
SCHEMAS: dict[str, type[Strict]] = {
    "household": HouseholdData,
    "person": PersonData,
    "claim": ClaimData,
    "visit": VisitData,
    "skill_event": SkillEventData,
    "family_guide": FamilyGuideData,
    "desk_visit": DeskVisitData,
    "class_attendance": AttendanceData,
    "household_edit": HouseholdEditData,
    "person_edit": PersonEditData,
}
KINDS = tuple(SCHEMAS)
