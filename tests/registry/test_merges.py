"""One record per person: the matching rule, the duplicates worklist, merge and split."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from hocvuso.core.errors import DomainError, NotFound
from hocvuso.core.ids import uuid7
from hocvuso.core.models import AuditLog
from hocvuso.core.personal_data import providers
from hocvuso.kpi import summaries
from hocvuso.registry import matching
from hocvuso.registry.models import Household, Person, PersonMerge
from hocvuso.registry.services import household_create, person_register
from hocvuso.registry.services.merges import pair_not_duplicate, person_merge, person_split
from hocvuso.skills.status import status_rebuild
from tests.factories import db_fingerprint, log, record, recount_by_hand

pytestmark = pytest.mark.django_db


def _walk_in(officer, commune, village=None, *, name="Giang Mi Po", year=1970, phone="", code=None):  # type: ignore[no-untyped-def]
    """A second record made the way walk-ins were: a one-person household of its own."""
    household = household_create(
        actor=officer, commune=commune, code=code or f"QUAY-{uuid7().hex[-8:]}", village=village
    )
    return person_register(
        actor=officer,
        household=household,
        full_name=name,
        sex="M",
        birth_year=year,
        phone=phone,
        relationship="head",
    )


# --- The matching rule ---------------------------------------------------------------------------


def test_a_probe_finds_the_person_by_name_without_diacritics_and_year(head, member, commune):
    probe = matching.Probe.of(full_name="giang mi PO", birth_year=1970)
    found = matching.candidates(Person.objects.filter(commune=commune), probe)
    assert [(m.person.pk, m.reasons) for m in found] == [(head.pk, ["name_year"])]
    # Another year and no phone: not him.
    probe = matching.Probe.of(full_name="Giàng Mí Pó", birth_year=1990)
    assert matching.candidates(Person.objects.filter(commune=commune), probe) == []


def test_a_probe_finds_the_person_by_phone_and_by_cccd(head, commune):
    people = Person.objects.filter(commune=commune)
    by_phone = matching.candidates(
        people, matching.Probe.of(full_name="Giàng Mí Pó", phone="0912345678")
    )
    assert [(m.person.pk, m.reasons) for m in by_phone] == [(head.pk, ["name_phone"])]
    by_cccd = matching.candidates(people, matching.Probe.of(full_name="Ai đó", cccd="002070123456"))
    assert [(m.person.pk, m.reasons) for m in by_cccd] == [(head.pk, ["same_cccd"])]
    by_phone_year = matching.candidates(
        people, matching.Probe.of(full_name="Pó", birth_year=1970, phone="+84912345678")
    )
    assert [(m.person.pk, m.reasons) for m in by_phone_year] == [(head.pk, ["phone_year"])]


def test_a_name_in_the_same_village_with_an_unknown_year_is_offered(head, commune, village):
    probe = matching.Probe.of(full_name="Giàng Mí Pó", village_id=village.pk)
    found = matching.candidates(Person.objects.filter(commune=commune), probe)
    assert [(m.person.pk, m.reasons) for m in found] == [(head.pk, ["name_village"])]
    # Without the village, a name alone is no match.
    probe = matching.Probe.of(full_name="Giàng Mí Pó")
    assert matching.candidates(Person.objects.filter(commune=commune), probe) == []


def test_the_worklist_pairs_the_commune_duplicates_with_their_reasons(
    head, member, officer, commune, village
):
    twin = _walk_in(officer, commune, name="GIANG MI PO", year=1970)
    phone_twin = _walk_in(officer, commune, name="Lò Văn Sáng", year=1995, phone="0987654321")
    other = _walk_in(officer, commune, name="Giàng Thị Mỷ", year=1995, phone="0987 654 321")
    pairs = matching.pairs(commune.code)
    got = sorted((frozenset((p.first.pk, p.second.pk)), tuple(p.reasons)) for p in pairs)
    assert got == sorted(
        [
            (frozenset((head.pk, twin.pk)), ("name_year",)),
            (frozenset((member.pk, other.pk)), ("name_year",)),
            (frozenset((phone_twin.pk, other.pk)), ("phone_year",)),
        ]
    )
    # The page shows the first pairs by name, and how many there are.
    assert len(matching.pairs(commune.code, limit=1)) == 1
    assert matching.pair_count(commune.code) == 2  # the two pairs by name
    # A pair found to be two people leaves the list (audited).
    pair_not_duplicate(actor=officer, first=other, second=phone_twin)
    pairs = matching.pairs(commune.code)
    assert len(pairs) == 2
    assert AuditLog.objects.filter(action="person.not_duplicate").count() == 1


# --- Merge and split -----------------------------------------------------------------------------


def _a_duplicate_known_to_the_apps(officer, desk, commune, village, head):  # type: ignore[no-untyped-def]
    """A walk-in record of ``head`` with a skill, a desk visit, a class registration with a
    gain, a home visit, a citizen account linked to it and a request for help."""
    from hocvuso.classes.services import (
        class_attendance_set,
        class_create,
        class_gains_record,
        class_register,
    )
    from hocvuso.core.actors import SYSTEM
    from hocvuso.roles.services import role_grant
    from hocvuso.skills.models import Skill
    from hocvuso.teams.services import Present, team_create, visit_record
    from tests.factories import make_user

    dup = _walk_in(officer, commune, village, name="Giang Mi Po", year=1970)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    record(officer, dup, "vneid.level2", happened_on=yesterday)
    log(desk, commune, person=dup, procedure="bhyt", outcome="done_alone")
    klass = class_create(
        actor=officer, commune=commune, title="Lớp VNeID", capacity=10,
        starts_at=timezone.now() - dt.timedelta(days=1),
        skills=list(Skill.objects.filter(code="vneid.install")),
    )  # fmt: skip
    class_register(actor=officer, id=uuid7(), klass=klass, person=dup)
    class_attendance_set(actor=officer, klass=klass, present=[dup.pk])
    class_gains_record(actor=officer, klass=klass, gains=[(dup.pk, "vneid.install")])
    team = team_create(actor=SYSTEM, commune=commune, name="Tổ Thèn Pả", villages=[village])
    worker = make_user("to.thenpa", "team_member", team=team)
    visit_record(
        actor=worker, team=team, id=uuid7(), household=dup.household,
        visited_at=timezone.now() - dt.timedelta(hours=2),
        present=[Present(person=dup, guided=["pay.qr"], gained=["pay.qr"])],
    )  # fmt: skip
    citizen = make_user("po.citizen")
    role_grant(actor=SYSTEM, user=citizen, role="citizen", person=dup)
    from hocvuso.assistance.services import help_request_ask

    help_request_ask(actor=citizen, id=uuid7(), person=dup, contact="visit", need="Cài VNeID")
    return dup


def _rows_about(person) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Every row of every table with a foreign key to a person, pointing at ``person`` (the
    derived status aside: it is recomputed from the events, checked by ``status_rebuild``)."""
    out = {}
    for model in apps.get_models():
        if model._meta.label_lower == "skills.personskillstatus":
            continue
        for f in model._meta.concrete_fields:
            if (
                isinstance(f, models.ForeignKey)
                and f.related_model is Person
                and model._meta.app_label != "registry"
            ):
                n = model._base_manager.filter(**{f.name: person}).count()
                if n:
                    out[f"{model._meta.label_lower}.{f.name}"] = n
    return out


def test_a_merge_moves_every_app_rows_to_the_survivor_and_a_split_moves_them_back(
    officer, desk, commune, village, head, member
):
    year = timezone.localdate().year
    dup = _a_duplicate_known_to_the_apps(officer, desk, commune, village, head)
    before = recount_by_hand([commune.code], year)
    dup_rows = _rows_about(dup)
    head_rows = _rows_about(head)
    assert dup_rows["skills.skillevent.person"] == 3  # level 2, the class's and the visit's gains
    assert dup_rows["desk.deskvisit.person"] == 1
    assert dup_rows["classes.classregistration.person"] == 1
    assert dup_rows["teams.visitperson.person"] == 1
    assert dup_rows["accounts.roleassignment.person"] == 1
    assert dup_rows["assistance.helprequest.person"] == 1
    assert summaries.check() == []

    merge = person_merge(actor=officer, survivor=head, duplicate=dup, reason="name_year")

    after = recount_by_hand([commune.code], year)
    # One person (an adult born in 1970) and the walk-in's one-person household fewer; head
    # held none of the dup's skills before, so what the dup counted for is counted on head.
    assert after == {
        **before,
        "persons": before["persons"] - 1,
        "persons_16": before["persons_16"] - 1,
        "adults": before["adults"] - 1,
        "households": before["households"] - 1,
    }
    assert after["vneid2_16"] == before["vneid2_16"] == 1
    assert _rows_about(dup) == {}
    moved = _rows_about(head)
    for label, n in dup_rows.items():
        assert moved[label] == head_rows.get(label, 0) + n
    dup = Person.all_objects.get(pk=dup.pk)
    assert dup.merged_into_id == head.pk
    assert not Person.objects.filter(pk=dup.pk).exists()
    assert Household.all_objects.get(pk=dup.household_id).merged_into_id == head.household_id
    assert merge.household_retired
    assert summaries.check() == []
    assert status_rebuild(check=True).differences == {}
    head.refresh_from_db()
    assert head.skill_status.vneid_level == 2
    [row] = AuditLog.objects.filter(action="person.merge")
    assert row.object_id == str(dup.pk)
    assert row.changes["merged_into"] == [None, str(head.pk)]
    assert row.changes["moved"]["skills.skillevent"] == 3

    person_split(actor=officer, merge=merge)

    assert recount_by_hand([commune.code], year) == before
    assert _rows_about(Person.objects.get(pk=dup.pk)) == dup_rows
    assert _rows_about(head) == head_rows
    assert summaries.check() == []
    assert status_rebuild(check=True).differences == {}
    assert AuditLog.objects.filter(action="person.split").count() == 1
    with pytest.raises(DomainError) as exc:
        person_split(actor=officer, merge=merge)
    assert exc.value.code == "split_done"


def test_a_merge_fills_the_survivor_empty_fields_and_a_split_empties_them_again(
    officer, commune, village, head
):
    bare = _walk_in(officer, commune, village, name="Giàng Mí Pó", year=1970)
    merge = person_merge(actor=officer, survivor=bare, duplicate=head)
    bare.refresh_from_db()
    assert set(merge.filled) == {
        "birth_date", "phone", "occupation", "ethnicity", "special_needs", "cccd"
    }  # fmt: skip
    assert (bare.phone, bare.cccd_last3, bare.birth_date) == (
        "+84912345678",
        "456",
        dt.date(1970, 3, 4),
    )
    assert Person.all_objects.get(pk=head.pk).cccd_hash is None  # one CCCD, one record
    person_split(actor=officer, merge=merge)
    bare.refresh_from_db()
    head = Person.objects.get(pk=head.pk)
    assert (bare.phone, bare.cccd_last3, bare.birth_date) == ("", "", None)
    assert (head.phone, head.cccd_last3, head.birth_date) == (
        "+84912345678",
        "456",
        dt.date(1970, 3, 4),
    )


def test_merges_that_are_refused_write_nothing(
    officer, other_officer, desk, commune, other_commune, village, head, member
):
    dup = _walk_in(officer, commune, village)
    before = db_fingerprint()
    for actor in (other_officer, desk):
        with pytest.raises(NotFound):
            person_merge(actor=actor, survivor=head, duplicate=dup)
    with pytest.raises(DomainError) as exc:
        person_merge(actor=officer, survivor=head, duplicate=head)
    assert exc.value.code == "merge_same"
    stranger = person_register(
        actor=other_officer,
        household=household_create(actor=other_officer, commune=other_commune, code="BD-1"),
        full_name="Giàng Mí Pó",
        sex="M",
        birth_year=1970,
    )
    before = db_fingerprint()
    with pytest.raises(DomainError) as exc:
        person_merge(actor=officer, survivor=head, duplicate=stranger)
    assert exc.value.code in {"merge_other_commune"}
    assert db_fingerprint() == before


def test_two_records_with_different_cccds_are_two_people(officer, commune, village, head):
    household = household_create(actor=officer, commune=commune, code="X-1", village=village)
    other = person_register(
        actor=officer, household=household, full_name="Giàng Mí Pó", sex="M",
        birth_date=dt.date(1970, 5, 6), cccd="002070654321",
    )  # fmt: skip
    before = db_fingerprint()
    with pytest.raises(DomainError) as exc:
        person_merge(actor=officer, survivor=head, duplicate=other)
    assert exc.value.code == "merge_different_cccd"
    assert db_fingerprint() == before


def test_a_mentor_record_is_not_merged_away(officer, commune, village, head):
    from hocvuso.mentoring.services import mentor_create
    from tests.factories import make_user

    dup = _walk_in(officer, commune, village)
    mentor_create(actor=officer, person=dup, user=make_user("daisu"))
    before = db_fingerprint()
    with pytest.raises(DomainError) as exc:
        person_merge(actor=officer, survivor=head, duplicate=dup)
    assert exc.value.code == "in_network"
    assert db_fingerprint() == before
    # The other way round is fine: the mentor's record survives.
    person_merge(actor=officer, survivor=dup, duplicate=head)
    assert summaries.check() == []


def test_a_merged_record_is_processed_no_more(officer, commune, village, head):
    dup = _walk_in(officer, commune, village)
    person_merge(actor=officer, survivor=head, duplicate=dup)
    tomb = Person.all_objects.get(pk=dup.pk)
    with pytest.raises(DomainError) as exc:
        record(officer, tomb, "vneid.install")
    assert exc.value.code == "person_merged"


def test_every_app_that_keeps_rows_about_a_person_says_how_they_move_in_a_merge():
    """A new app's rows cannot be forgotten by a merge: every provider that names a table with a
    key to a person has a reassign hook, except those whose rows stay with the record they were
    made on (the registry's own rows; consents and requests, the record of the law kept; a
    family guide, named for a household)."""
    stays = {"registry", "privacy", "outreach"}
    missing = []
    for provider in providers():
        keyed = [
            label
            for label in provider.models
            if any(
                isinstance(f, models.ForeignKey) and f.related_model is Person
                for f in apps.get_model(label)._meta.concrete_fields
            )
        ]
        if keyed and provider.reassign is None and provider.app not in stays:
            missing.append(provider.app)
    assert missing == []


def test_the_commands_find_no_difference_after_a_merge(officer, commune, village, head, capsys):
    dup = _walk_in(officer, commune, village)
    record(officer, dup, "bank.account")
    person_merge(actor=officer, survivor=head, duplicate=dup)
    call_command("check_summaries")
    call_command("rebuild_status", "--check")
    out = capsys.readouterr().out
    assert '"differences": {}' in out
    assert PersonMerge.objects.count() == 1


def test_erasing_a_person_erases_the_records_merged_into_them(officer, commune, village, head):
    from hocvuso.privacy.services import data_request_create, person_erase
    from tests.factories import tables_containing

    dup = _walk_in(officer, commune, village, name="Giang Mi Po", year=1970, phone="0987111222")
    record(officer, dup, "vneid.install", note="Giang Mi Po tự cài được")
    person_merge(actor=officer, survivor=head, duplicate=dup)
    leaks = ["Giang Mi Po", "+84987111222", "Giàng Mí Pó"]
    assert tables_containing(leaks)
    request = data_request_create(actor=officer, person=head, kind="erasure", channel="office")
    person_erase(actor=officer, person=head, request=request)
    assert tables_containing(leaks) == []
    assert Person.all_objects.get(pk=dup.pk).erased_at is not None
    assert summaries.check() == []


def test_a_merged_head_leaves_the_household_headless_until_the_split(
    officer, commune, village, household, head, member
):
    bare = _walk_in(officer, commune, village, name="Giàng Mí Pó", year=1970)
    merge = person_merge(actor=officer, survivor=bare, duplicate=head)
    household.refresh_from_db()
    assert household.head_id is None  # the head must be a (live) member
    assert household.merged_into_id is None  # the daughter still lives there
    assert not merge.household_retired
    from hocvuso.registry.selectors import household_rows

    assert household_rows([household.pk]).get().member_count == 1  # the daughter only
    person_split(actor=officer, merge=merge)
    assert household_rows([household.pk]).get().member_count == 2
    household.refresh_from_db()
    assert household.head_id == head.pk
    assert summaries.check() == []


def test_importing_the_list_again_after_a_merge_brings_no_duplicate_back(officer, commune, village):
    """The list's record was merged into the walk-in's: the same list imported again finds the
    survivor through the tombstone (its household, name and year) instead of making the
    merged-away record anew."""
    from hocvuso.registry.importing.service import registry_import
    from hocvuso.registry.synthetic import CLEAN_HEADERS

    rows = [
        ["HL-1", "Thôn Thèn Pả", "", "Sùng Mí Chứ", "Chủ hộ", "1975", "Nam", "Mông", "", "", "",
         ""],
        ["HL-2", "Thôn Thèn Pả", "", "Lò Văn Tú", "Chủ hộ", "1960", "Nam", "", "", "", "", ""],
        ["HL-2", "Thôn Thèn Pả", "", "Lò Thị Mai", "Vợ", "1962", "Nữ", "", "", "", "", ""],
    ]  # fmt: skip
    data = ("\n".join([";".join(CLEAN_HEADERS)] + [";".join(r) for r in rows]) + "\n").encode()
    first = registry_import(actor=officer, commune=commune, data=data, filename="l.csv")
    assert first.inserted == 3
    # A one-person household (the household goes with its member) and a member of a household
    # that stays (only the person is a tombstone).
    survivors = []
    for name, year in (("Sùng Mí Chứ", 1975), ("Lò Thị Mai", 1962)):
        listed = Person.objects.get(commune=commune, full_name=name)
        walk_in = _walk_in(officer, commune, village, name=name, year=year)
        person_merge(actor=officer, survivor=walk_in, duplicate=listed)
        survivors.append(walk_in)
    people = Person.objects.filter(commune=commune).count()

    again = registry_import(actor=officer, commune=commune, data=data, filename="l.csv")

    assert again.inserted == 0
    assert again.unchanged + again.updated == 3
    assert Person.objects.filter(commune=commune).count() == people
    for survivor in survivors:
        same_name = Person.objects.filter(commune=commune, full_name=survivor.full_name)
        assert same_name.get() == survivor
    call_command("check_summaries")
