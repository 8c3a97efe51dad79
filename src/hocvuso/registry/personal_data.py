"""What the registry holds about a person: the person's own record and their household.

Erasure keeps the row and what the dashboards count from it (commune, household and so the
village, sex, year of birth, occupation, relationship) and clears every identifier: the name
(a placeholder), the full date of birth, the CCCD (hash, stored copy, last digits), the phone,
ethnicity, special needs and the search key."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from hocvuso.core import hooks
from hocvuso.core.export import when
from hocvuso.core.personal_data import FreeText, Provider, register
from hocvuso.registry.cccd import masked
from hocvuso.registry.ethnicity import ETHNICITY_NAMES
from hocvuso.registry.models import NotDuplicate, Person, PersonMerge, Transfer

# What erasure clears (also redacted in the earlier audit rows about the person).
ERASED_FIELDS = ("full_name", "birth_date", "cccd", "phone", "ethnicity", "special_needs")


def export(person: Any) -> dict[str, Any]:
    person = Person.all_objects.select_related("household__village", "commune__province").get(
        pk=person.pk
    )
    household = person.household
    return {
        "person": {
            "id": str(person.pk),
            "full_name": person.full_name,
            "date_of_birth": when(person.birth_date),
            "year_of_birth": person.birth_year,
            "sex": person.sex,
            "sex_label": str(person.get_sex_display()),
            "ethnicity": person.ethnicity,
            "ethnicity_label": ETHNICITY_NAMES.get(person.ethnicity, ""),
            "cccd": masked(person.cccd_last3),
            "phone": person.phone,
            "occupation": person.occupation,
            "occupation_label": str(person.get_occupation_display()),
            "relationship": person.relationship,
            "relationship_label": str(person.get_relationship_display()),
            "special_needs": person.special_needs,
            "commune": {"code": person.commune_id, "name": person.commune.name},
            "province": {
                "code": person.commune.province_id,
                "name": person.commune.province.name,
            },
            "created_at": when(person.created_at),
            "updated_at": when(person.updated_at),
            "erased_at": when(person.erased_at),
            "merged_into": str(person.merged_into_id) if person.merged_into_id else None,
            "record_merges": [
                {
                    "survivor": str(m.survivor_id),
                    "merged": str(m.duplicate_id),
                    "reason": m.reason,
                    "at": when(m.created_at),
                    "split_at": when(m.split_at),
                }
                for m in PersonMerge.objects.filter(
                    models.Q(survivor=person) | models.Q(duplicate=person)
                ).order_by("created_at")
            ],
            "not_the_same_as": [
                str(n.second_id if n.first_id == person.pk else n.first_id)
                for n in NotDuplicate.objects.filter(
                    models.Q(first=person) | models.Q(second=person)
                ).order_by("created_at")
            ],
            "moves": [
                {
                    "kind": t.kind,
                    "from_commune": t.from_commune_id,
                    "to_commune": t.to_commune_id,
                    "at": when(t.created_at),
                }
                for t in Transfer.objects.filter(
                    models.Q(person=person) | models.Q(household_id=person.household_id)
                ).order_by("created_at")
            ],
        },
        "household": {
            "id": str(household.pk),
            "code": household.code,
            "address": household.address,
            "village": household.village.name if household.village else None,
            "is_head": household.head_id == person.pk,
        },
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    person.erased_at = timezone.now()
    person.full_name = f"Đã xoá #{person.pk.hex[-8:]}"
    person.search_key = ""
    if person.birth_date is not None:
        person.birth_year = person.birth_date.year
    person.birth_date = None
    person.cccd_hash, person.cccd_ciphertext, person.cccd_last3 = None, "", ""
    person.phone = ""
    person.ethnicity = ""
    person.special_needs = ""
    with hooks.facts_change(persons=[person.pk]):
        person.save(
            update_fields=[
                "full_name",
                "search_key",
                "birth_date",
                "birth_year",
                "cccd_hash",
                "cccd_ciphertext",
                "cccd_last3",
                "phone",
                "ethnicity",
                "special_needs",
                "erased_at",
                "updated_at",
            ]
        )
    return {"person_fields": len(ERASED_FIELDS)}


register(
    Provider(
        app="registry",
        models=(
            "registry.person",
            "registry.household",
            "registry.personmerge",
            "registry.notduplicate",
            "registry.transfer",
        ),
        export=export,
        erase=erase,
        free_text=(
            FreeText("registry.household", "address", "commune"),
            FreeText("registry.importjob", "error", "commune"),
        ),
    )
)
