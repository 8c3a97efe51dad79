"""``field__any``: the same rows as ``field__in``, on both databases."""

from __future__ import annotations

import pytest

from hocvuso.registry.models import Person

pytestmark = pytest.mark.django_db


def test_any_finds_what_in_finds(head, household, officer):
    from hocvuso.registry.services import person_register

    other = person_register(
        actor=officer, household=household, full_name="Vợ", sex="F", birth_year=1975
    )
    ids = [head.pk, other.pk]
    assert set(Person.objects.filter(pk__any=ids)) == set(Person.objects.filter(pk__in=ids))
    assert list(Person.objects.filter(pk__any=[head.pk])) == [head]
    assert list(Person.objects.filter(pk__any=[])) == []
    assert Person.objects.filter(household_id__any=[household.pk]).count() == 2
    assert Person.objects.filter(commune_id__any=[household.commune_id, "99999"]).count() == 2
