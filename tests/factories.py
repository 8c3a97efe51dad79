"""The one place tests build their data and helpers (never a conftest imported by another
module): users with roles granted the way the apps grant them, skill events, desk visits, a
synthetic commune, signed-in clients, the database fingerprint of a denied write, and the
independent recounts the figures are checked against."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

from hocvuso.accounts.models import Authenticator, new_authenticator_key
from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.desk.models import DeskVisit
from hocvuso.desk.services import desk_visit_record
from hocvuso.geo.models import Commune, Village
from hocvuso.geo.services import units_load
from hocvuso.registry.importing.service import registry_import
from hocvuso.registry.models import Household, Person
from hocvuso.registry.services import village_create
from hocvuso.registry.synthetic import Population, clean_csv
from hocvuso.skills.facts import T4_CODES
from hocvuso.skills.models import Skill, SkillEvent, SkillSet
from hocvuso.skills.services import (
    EventInput,
    skill_event_record,
    skill_event_reverse,
    skill_events_record_batch,
)

OFFICER_PASSWORD = "officer-pass-2026!"


def make_user(username: str, role: str | None = None, **scope):  # type: ignore[no-untyped-def]
    """A user with one role over a scope, granted by the system. A team role (``villages=…``)
    is given as the teams app gives it: the user joins a team covering those villages (made
    for them unless ``team=`` names one)."""
    from hocvuso.core.actors import SYSTEM
    from hocvuso.roles.services import role_grant

    user = get_user_model().objects.create_user(
        username=username, password=OFFICER_PASSWORD, display_name=username
    )
    if role in {"team_leader", "team_member"}:
        from hocvuso.teams.models import MemberRole
        from hocvuso.teams.services import team_create, team_member_add

        team = scope.get("team")
        if team is None:
            villages = list(scope["villages"])
            team = team_create(
                actor=SYSTEM, commune=villages[0].commune, name=f"Tổ {username}", villages=villages
            )
        team_member_add(
            actor=SYSTEM,
            team=team,
            user=user,
            role=MemberRole.LEADER if role == "team_leader" else MemberRole.MEMBER,
        )
    elif role is not None:
        role_grant(actor=SYSTEM, user=user, role=role, **scope)
    return user


def totp_now(device: Authenticator, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def give_two_factor(user) -> tuple[Authenticator, list[str]]:  # type: ignore[no-untyped-def]
    """A confirmed authenticator app and fresh recovery codes, as after enrolment."""
    from hocvuso.accounts.services.two_factor import recovery_codes_regenerate

    device = Authenticator.objects.create(
        user=user, name="app", confirmed=True, key=new_authenticator_key()
    )
    return device, recovery_codes_regenerate(user=user, request=None)


def password_step(client: Client, username: str, password: str = OFFICER_PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def verified_client(user) -> Client:  # type: ignore[no-untyped-def]
    """A client logged in through the real flow: password, then the app's code."""
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device, _codes = give_two_factor(user)
    client = Client()
    response = password_step(client, user.username)
    assert response["Location"] == reverse("accounts:otp")
    response = client.post(reverse("accounts:otp"), {"code": totp_now(device)})
    assert response.status_code == 302, response.content.decode()
    return client


def log(actor: Any, commune: Any, **kw: Any) -> DeskVisit:
    kw.setdefault("id", uuid7())
    kw.setdefault("procedure", "khai_sinh")
    kw.setdefault("outcome", "done_with_help")
    return desk_visit_record(actor=actor, commune=commune, **kw)


def record(actor: Any, person: Any, code: str, **kw: Any) -> SkillEvent:
    kw.setdefault("id", uuid7())
    kw.setdefault("happened_on", timezone.localdate() - dt.timedelta(days=1))
    kw.setdefault("channel", "home_visit")
    return skill_event_record(actor=actor, person=person, skill=Skill.objects.get(code=code), **kw)


VILLAGES = ["Thôn Đông", "Thôn Tây", "Bản Nà Lìu"]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def basic_codes() -> list[str]:
    return list(
        SkillSet.objects.get(code="basic", province__isnull=True).skills.values_list(
            "code", flat=True
        )
    )


@dataclass
class Synthetic:
    commune: Commune
    today: dt.date


def build_commune(commune: Commune, *, households: int, seed: int) -> Synthetic:
    """``households`` synthetic households imported into ``commune`` (one remote village), and
    a seeded random set of skill events: identity milestones, 4T, the whole basic set for some,
    and a few reversals."""
    today = timezone.localdate()
    village_create(actor=SYSTEM, commune=commune, name="Bản Nà Lìu", is_remote=True)
    pop = Population(seed=seed, today=today)
    outcome = registry_import(
        actor=SYSTEM,
        commune=commune,
        data=clean_csv(list(pop.households(households, VILLAGES))),
        filename="dan.csv",
        create_villages=True,
    )
    assert outcome.rejected == 0
    assert Village.objects.filter(commune=commune).count() == 3
    rng = random.Random(seed)
    skills = {s.code: s for s in Skill.objects.all()}
    basic = basic_codes()
    day = today - dt.timedelta(days=3)
    events: list[EventInput] = []
    people = list(Person.objects.filter(commune=commune).select_related("household").order_by("pk"))
    for p in people:
        codes: set[str] = set()
        for code in ["vneid.level2", "bank.account", "vneid.install", *T4_CODES]:
            if rng.random() < 0.4:
                codes.add(code)
        if rng.random() < 0.2:
            codes.update(basic)
        elif rng.random() < 0.2:
            codes.update(basic[:-1])  # all but one: not trained
        events += [
            EventInput(uuid7(), p, skills[c], day, rng.choice(["class", "home_visit"]))
            for c in sorted(codes)
        ]
    skill_events_record_batch(actor=SYSTEM, events=events)
    # Reverse a few gains: they no longer count.
    gains = list(
        SkillEvent.objects.filter(
            person__commune=commune, skill__code__in=["vneid.level2", "pay.qr", basic[0]]
        ).order_by("pk")
    )
    for e in rng.sample(gains, min(8, len(gains))):
        skill_event_reverse(actor=SYSTEM, event=e, reason="Nhầm", id=uuid7())
    return Synthetic(commune=commune, today=today)


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def recount_by_hand(communes: list[str], year: int) -> dict[str, int]:
    """The figures the dashboards show, recounted in plain Python from the raw rows,
    independently of kpi/summaries.py."""
    # Counted: every record not merged into another (a merge's tombstone counts nowhere).
    people = list(
        Person.all_objects.filter(commune_id__in=communes, merged_into__isnull=True).select_related(
            "skill_status", "household"
        )
    )

    def by(p: Person) -> int:
        return p.birth_year or (p.birth_date.year if p.birth_date else 0)

    def st(p: Person, name: str, default: object) -> object:
        s = getattr(p, "skill_status", None)
        return getattr(s, name) if s is not None else default

    sixteen = [p for p in people if by(p) and year - by(p) >= 16]
    adults = [p for p in people if by(p) and year - by(p) >= 18]
    traders = [p for p in people if p.occupation in ("trader", "farmer")]
    return {
        "persons_16": len(sixteen),
        "vneid2_16": sum(1 for p in sixteen if int(st(p, "vneid_level", 0)) >= 2),  # type: ignore[call-overload]
        "bank_16": sum(1 for p in sixteen if st(p, "has_bank_account", False)),
        "adults": len(adults),
        "basic_adults": sum(1 for p in adults if st(p, "basic_complete", False)),
        "households": Household.all_objects.filter(
            commune_id__in=communes, merged_into__isnull=True
        ).count(),
        "households_trained": len(
            {p.household_id for p in people if st(p, "basic_complete", False)}
        ),
        "traders": len(traders),
        "t_all": sum(1 for p in traders if st(p, "t4_mask", 0) == 15),
        "persons": len(people),
    }


_SCANNED = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def tables_containing(needles: list[str]) -> list[tuple[str, str]]:
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, _SCANNED):
                    continue
                table, column = model._meta.db_table, field.column
                cursor.execute(f'SELECT "{column}" FROM "{table}"')  # noqa: S608
                for (value,) in cursor.fetchall():
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("latin-1")
                    else:
                        text = str(value or "")
                    found += [(table, column) for n in needles if n in text]
    return found


# Reference data, large and never written by a request: left out of the fingerprint.
_REFERENCE_TABLES = {"geo_commune", "geo_province"}


def db_fingerprint(skip: frozenset[str] = frozenset()) -> str:
    """A hash of every row of every table of every hocvuso app (the official unit list aside,
    and the tables of ``skip``): equal before and after a denied request means it changed
    nothing."""
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        for model in sorted(
            apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table
        ):
            if not model.__module__.startswith("hocvuso.") or model._meta.proxy:
                continue
            table = model._meta.db_table
            if table in _REFERENCE_TABLES or table in skip:
                continue
            columns = [
                connection.ops.quote_name(f.column)
                for f in model._meta.concrete_fields
                if f.column != "last_login"
            ]
            pk = ", ".join(connection.ops.quote_name(f.column) for f in model._meta.pk_fields)
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {connection.ops.quote_name(table)} "  # noqa: S608
                f"ORDER BY {pk}"
            )
            digest.update(table.encode())
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def search(client: Client, url: str, q: str, *, page: int | None = None, **filters: Any) -> Any:
    """Search a list page as a person does: the box posts its term (kept out of the URL), the
    page redirects to itself with a search token; the list page (``page``) is returned."""
    response = client.post(url, {"q": q, **filters})
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    # The term is in no parameter (the random search token may happen to contain its letters).
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(location)
    assert not q or q not in parts.path
    assert not q or all(value != q for _key, value in parse_qsl(parts.query))
    if page is not None:
        location += ("&" if "?" in location else "?") + f"page={page}"
    return client.get(location)


# The four Ts, written out here (not imported): the recount below must not share the code it
# checks.
_T4_BY_HAND = ("trade.profile", "sell.online", "pay.qr", "save.digital")


def status_by_hand(person_ids: list[Any]) -> dict[Any, dict[str, Any]]:
    """Each person's status recounted in plain Python from their raw events, independently of
    ``skills.facts.status_compute``: the gains not withdrawn count; VNeID level 2 beats
    installed; the basic set is the person's province's own set if it has one, else the
    national one; the 4T bits follow the fixed order above (``t4``: the codes held, sorted)."""
    events = list(
        SkillEvent.objects.filter(person_id__in=person_ids).values(
            "pk", "person_id", "skill__code", "happened_on", "reverses_id"
        )
    )
    withdrawn = {e["reverses_id"] for e in events if e["reverses_id"]}
    held: dict[Any, dict[str, dt.date]] = {pk: {} for pk in person_ids}
    for e in events:
        if e["reverses_id"] is None and e["pk"] not in withdrawn:
            dates = held[e["person_id"]]
            code, on = e["skill__code"], e["happened_on"]
            dates[code] = max(on, dates.get(code, on))
    sets: dict[tuple[str, Any], set[str]] = {}
    for s in SkillSet.objects.all():
        sets[(s.code, s.province_id)] = set(s.skills.values_list("code", flat=True))
    provinces = dict(
        Person.objects.filter(pk__in=person_ids).values_list("pk", "commune__province_id")
    )
    out: dict[Any, dict[str, Any]] = {}
    for pk, dates in held.items():
        province = provinces[pk]
        basic = sets.get(("basic", province), sets[("basic", None)])
        four = sets.get(("4t", province), sets[("4t", None)])
        t4 = sorted(c for c in _T4_BY_HAND if c in dates and c in four)
        out[pk] = {
            "skills": sorted(dates),
            "basic_complete": bool(basic) and basic <= set(dates),
            "vneid_level": 2 if "vneid.level2" in dates else 1 if "vneid.install" in dates else 0,
            "has_bank_account": "bank.account" in dates,
            "t4": t4,
            "t4_mask": sum(1 << _T4_BY_HAND.index(c) for c in t4),
            "last_event_on": max(dates.values()) if dates else None,
        }
    return out


def reference_rows() -> None:
    """Reference data present even after a transactional (live-server) test flushed the tables:
    the official units, and the skill catalogue and indicators that data migrations seed."""
    if not Commune.objects.exists():
        units_load()
    from hocvuso.skills.models import Skill

    if not Skill.objects.exists():
        import importlib

        from django.apps import apps

        seed = importlib.import_module(
            "hocvuso.skills.migrations.0002_seed_digcomp_ai_and_milestones"
        ).seed
        seed(apps, None)
    from hocvuso.kpi.models import Indicator

    if not Indicator.objects.exists():
        import importlib

        from django.apps import apps

        load = importlib.import_module("hocvuso.kpi.migrations.0002_seed_indicators").load
        load(apps, None)
        learning = importlib.import_module("hocvuso.kpi.migrations.0006_seed_learning_indicators")
        learning.load(apps, None)


@contextlib.contextmanager
def shared_rows(django_db_blocker: Any) -> Iterator[None]:
    """Rows a whole module's tests read, built once (Django's ``setUpTestData``): inside an
    outer transaction that is rolled back at the end, each test's own transaction (the ``db``
    fixture's) is a savepoint within it, so every test starts from exactly these rows and what a
    test writes is undone before the next. Built with the settings the function-scoped autouse
    fixtures give every test."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            HOCVUSO_REQUIRE_2FA=False,
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            reference_rows()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def household_facts_by_hand(h: Household, year: int) -> tuple[int, int, int]:
    """(members, trained, priority) of ``h`` counted in Python from its people's rows: live,
    non-erased members; those holding the basic set; the rule of the Digital Family worklist
    (area, elderly only — everyone 60+ this year, an unknown year is not —, special needs)."""
    from hocvuso.skills.models import PersonSkillStatus

    rows = Person.all_objects.filter(household=h)
    members = [p for p in rows if not p.erased_at and not p.merged_into_id]
    basic = set(
        PersonSkillStatus.objects.filter(basic_complete=True).values_list("person_id", flat=True)
    )
    trained = sum(p.pk in basic for p in members)
    v, c = h.village, h.commune
    flagged = v is not None and (v.is_remote or v.is_ethnic_minority)
    years = [p.birth_year or (p.birth_date.year if p.birth_date else 0) for p in members]
    if flagged or c.is_remote or c.is_ethnic_minority:
        priority = 0
    elif all(y and year - y >= 60 for y in years):
        priority = 1
    elif any(p.special_needs for p in members):
        priority = 2
    else:
        priority = 3
    return len(members), trained, priority


def household_facts(h: Household) -> tuple[int, int, int]:
    """The stored (members, trained, priority) of ``h``, read again."""
    h = Household.all_objects.get(pk=h.pk)
    return h.members_live, h.members_trained, h.priority


def household_facts_true(commune: Commune, year: int | None = None) -> int:
    """Every household of the commune stores what a count by hand says (its village's sort key
    too: the name after "0", "1" without one); returns how many."""
    from hocvuso.kpi import summaries

    year = year or timezone.localdate().year
    households = list(Household.all_objects.filter(commune=commune).select_related("village"))
    for h in households:
        assert household_facts(h) == household_facts_by_hand(h, year), h.code
        want_key = "1" if h.village is None else "0" + h.village.name
        assert Household.all_objects.get(pk=h.pk).village_key == want_key, h.code
    assert summaries.differing_facts(Household.all_objects.filter(commune=commune), year=year) == []
    return len(households)
