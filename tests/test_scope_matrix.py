"""The scope matrix: every URL and API route, every role, in scope and out of scope.

Routes are enumerated from the URL resolver and the OpenAPI schema, so a new route fails
``test_every_route_is_declared`` until it is declared here with who may use it. For each declared
route and each role, reads in scope answer and reads out of scope are refused with a 404 (no hint
the object exists), with no out-of-scope data in any response; writes out of scope are refused
and leave the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hocvuso.accounts.services.tokens import token_create
from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.geo.models import Commune
from hocvuso.privacy.services import consent_record, data_request_create
from hocvuso.registry.models import ImportJob
from hocvuso.registry.services import household_create, person_register, village_create
from hocvuso.roles.services import role_grant
from hocvuso.roles.services.invitations import invitation_create
from hocvuso.skills.models import Skill
from hocvuso.skills.services import skill_event_record
from tests.factories import db_fingerprint, make_user, shared_rows

pytestmark = pytest.mark.django_db

ROLES = [
    "national_admin",
    "province_officer",
    "commune_officer",
    "desk_staff",
    "team_member",
    "mentor",
    "youth_volunteer",
    "citizen",
    "content_editor",
    "no_role",
    "anonymous",
]
SIGNED_IN = set(ROLES) - {"anonymous"}
KEEPERS = {"national_admin", "commune_officer"}  # keep the commune's registry
OFFICERS = {"national_admin", "province_officer", "commune_officer"}  # sensitive data, CCCD
COMMUNE_READERS = OFFICERS | {"desk_staff", "team_member"}


@dataclass
class World:
    ours: Commune
    other: Commune
    objects: dict[str, Any]
    users: dict[str, Any]

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


def _build_world() -> World:
    ours = Commune.objects.select_related("province").get(code="00715")
    other = Commune.objects.select_related("province").get(code="00004")
    o: dict[str, Any] = {}
    for side, commune in (("ours", ours), ("other", other)):
        v1 = village_create(actor=SYSTEM, commune=commune, name=f"Thôn Một {side}")
        v2 = village_create(actor=SYSTEM, commune=commune, name=f"Thôn Hai {side}")
        h1 = household_create(actor=SYSTEM, commune=commune, code=f"{side}-H1", village=v1)
        h2 = household_create(actor=SYSTEM, commune=commune, code=f"{side}-H2", village=v2)
        cccd = "002070123456" if side == "ours" else "001080654321"
        p1 = person_register(
            actor=SYSTEM,
            household=h1,
            full_name=f"Người Một {side}",
            sex="M",
            birth_year=1970 if side == "ours" else 1980,
            cccd=cccd,
            ethnicity="08",
            relationship="head",
        )
        p2 = person_register(
            actor=SYSTEM, household=h2, full_name=f"Người Hai {side}", sex="F", birth_year=1990
        )
        job = ImportJob.objects.create(
            commune=commune, filename=f"{side}.csv", status="done", data=b""
        )
        consent = consent_record(actor=SYSTEM, person=p1, purpose="registry", method="paper")
        access = data_request_create(actor=SYSTEM, person=p1, kind="access", channel="office")
        erasure = data_request_create(actor=SYSTEM, person=p2, kind="erasure", channel="office")
        event = skill_event_record(
            actor=SYSTEM,
            id=uuid7(),
            person=p1,
            skill=Skill.objects.get(code="vneid.install"),
            happened_on=dt.date(2025, 6, 1),
            channel="home_visit",
        )
        extra = make_user(f"m_extra_{side}", "desk_staff", commune=commune)
        inviter = make_user(f"m_inviter_{side}", "commune_officer", commune=commune)
        invitation, _secret = invitation_create(actor=inviter, role="desk_staff", commune=commune)
        o[side] = {
            "v1": v1, "v2": v2, "h1": h1, "h2": h2, "p1": p1, "p2": p2, "job": job,
            "consent": consent, "access": access, "erasure": erasure,
            "assignment": extra.role_assignments.get(), "invitation": invitation,
            "event": event,
        }  # fmt: skip
        o[side]["visit"] = _desk_visit(commune, p1)
        # A walk-in's second record of p2, merged into it: a merge to undo.
        from hocvuso.registry.services.merges import person_merge

        p3 = person_register(
            actor=SYSTEM, household=h2, full_name=f"Người Hai {side}", sex="F", birth_year=1990
        )
        o[side]["merge"] = person_merge(actor=SYSTEM, survivor=p2, duplicate=p3)
    o["ours"]["breach"] = _breach()
    users = {
        "national_admin": make_user("m_national", "national_admin"),
        "province_officer": make_user("m_province", "province_officer", province=ours.province),
        "commune_officer": make_user("m_commune", "commune_officer", commune=ours),
        "desk_staff": make_user("m_desk", "desk_staff", commune=ours),
        "team_member": make_user("m_team", "team_member", villages=[o["ours"]["v1"]]),
        "mentor": make_user("m_mentor", "mentor", commune=ours),
        "youth_volunteer": make_user("m_youth", "youth_volunteer", commune=ours),
        "citizen": make_user("m_citizen", "citizen", person=o["ours"]["p1"]),
        "content_editor": make_user("m_editor", "content_editor"),
        "no_role": make_user("m_nobody"),
    }
    # Device tokens belong to a user: "ours" is the commune officer's, "other" someone else's.
    o["ours"]["token"] = token_create(actor=users["commune_officer"], name="máy A")[0]
    o["other"]["token"] = token_create(actor=make_user("m_stranger"), name="máy B")[0]
    _teams_world(o, users)
    _classes_world(o, users)
    _mentoring_world(o, users)
    _learning_world(o, users)
    _sync_world(o, users)
    _assistance_world(o, users)
    _jobs_world(o, users, ours, other)
    return World(ours, other, o, users)


def _jobs_world(o: dict[str, Any], users: dict[str, Any], ours: Commune, other: Commune) -> None:
    """A finished background export of each side's province: ours by our province officer,
    the other by that province's officer."""
    from hocvuso.core import jobs

    stranger = make_user("m_province_other", "province_officer", province=other.province)
    sides = (("ours", ours, users["province_officer"]), ("other", other, stranger))
    for side, commune, who in sides:
        job = jobs.start(
            actor=who, kind="kpi.export", level="province", code=commune.province_id,
            params={"fmt": "csv", "area": "all", "lang": "vi"},
        )  # fmt: skip
        jobs.execute(str(job.pk))
        o[side]["bg_job"] = job


def _breach() -> Any:
    from hocvuso.privacy.breaches import breach_record

    admin = make_user("m_breach_admin", "national_admin")
    return breach_record(
        actor=admin,
        found_at=dt.datetime(2026, 11, 30, 1, tzinfo=dt.UTC),
        kind="loss",
        summary="Mất danh sách",
    )


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The world is built once per module (it took most of each test's time); every test
    starts from it and its writes are rolled back (``shared_rows``)."""
    with shared_rows(django_db_blocker):
        yield _build_world()


@pytest.fixture
def world(_world, db) -> World:  # type: ignore[no-untyped-def]
    return _world  # type: ignore[no-any-return]


@dataclass
class Route:
    """How to call a route for the objects of one side, and which roles may, in our commune."""

    url: Callable[[World, str], str]
    allowed: set[str]
    method: str = "GET"
    data: Callable[[World, str, str], dict[str, Any]] = field(default=lambda w, side, role: {})
    public: bool = False  # the same answer for everyone, nothing personal in it
    scoped: bool = True  # out of our commune: only a national admin gets through
    ok: frozenset[int] = frozenset({200, 302})  # what an allowed call answers
    # Who may, when "in our commune / in another" is not the question (own objects, own account).
    expect: Callable[[str, str], bool] | None = None
    anonymous: int = 302  # a page sends the anonymous to log in; the API answers 401
    json: bool = False  # POST the data as a JSON body (the API) rather than a form


def _o(w: World, side: str, key: str) -> Any:
    return w.objects[side][key]


def _csv_upload(w: World, side: str, role: str) -> dict[str, Any]:
    body = "Mã hộ,Họ và tên,Ngày sinh,Giới tính\nZ-1,Lò Văn Thử,1980,Nam\n".encode()
    return {"file": SimpleUploadedFile("list.csv", body, content_type="text/csv")}


def _villages_csv(w: World, side: str, role: str) -> dict[str, Any]:
    body = f"Tên thôn\nThôn {role}\n".encode()
    return {"file": SimpleUploadedFile("villages.csv", body, content_type="text/csv")}


ROUTES: dict[str, Route] = {
    "ui:home": Route(lambda w, s: reverse("ui:home"), SIGNED_IN, scoped=False),
    "ui:commune": Route(
        lambda w, s: reverse("ui:commune", args=[w.ours.code if s == "ours" else w.other.code]),
        COMMUNE_READERS,
    ),
    "registry:village_create": Route(
        lambda w, s: reverse("registry:village_create", args=[_code(w, s)]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"name": f"Thôn mới {role}", "kind": "thon"},
    ),
    "registry:villages_import": Route(
        lambda w, s: reverse("registry:villages_import", args=[_code(w, s)]),
        KEEPERS,
        "POST",
        _villages_csv,
    ),
    "registry:village_edit": Route(
        lambda w, s: reverse("registry:village_edit", args=[_code(w, s), _o(w, s, "v2").pk]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"name": f"Thôn sửa {role}", "kind": "thon"},
    ),
    "registry:household_create": Route(
        lambda w, s: reverse("registry:household_create", args=[_code(w, s)]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"code": f"NEW-{role}", "address": "Số 1"},
    ),
    "registry:household": Route(
        lambda w, s: reverse("registry:household", args=[_o(w, s, "h1").pk]), COMMUNE_READERS
    ),
    "registry:household_edit": Route(
        lambda w, s: reverse("registry:household_edit", args=[_o(w, s, "h1").pk]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"code": _o(w, s, "h1").code, "address": f"Số {role}"},
    ),
    "registry:household_set_head": Route(
        lambda w, s: reverse("registry:household_set_head", args=[_o(w, s, "h1").pk]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"head": str(_o(w, s, "p1").pk)},
    ),
    "registry:person_add": Route(
        lambda w, s: reverse("registry:person_add", args=[_o(w, s, "h1").pk]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"full_name": f"Người mới {role}", "sex": "F", "birth": "2001"},
    ),
    "ui:person": Route(
        lambda w, s: reverse("ui:person", args=[_o(w, s, "p1").pk]),
        COMMUNE_READERS | {"citizen"},
    ),
    "registry:person_edit": Route(
        lambda w, s: reverse("registry:person_edit", args=[_o(w, s, "p1").pk]),
        KEEPERS,
        "POST",
        lambda w, s, role: {
            "full_name": f"Người Một sửa {role}",
            "sex": "M",
            "birth": "1970" if s == "ours" else "1980",
        },
    ),
    "ui:person_reveal_cccd": Route(
        lambda w, s: reverse("ui:person_reveal_cccd", args=[_o(w, s, "p1").pk]),
        OFFICERS,
        "POST",
        lambda w, s, role: {"reason": "Kiểm tra hồ sơ"},
    ),
    "registry:import_start": Route(
        lambda w, s: reverse("registry:import_start", args=[_code(w, s)]),
        KEEPERS,
        "POST",
        _csv_upload,
    ),
    "registry:import_template": Route(
        lambda w, s: reverse("registry:import_template", args=[_code(w, s), "csv"]), KEEPERS
    ),
    "registry:import_job": Route(
        lambda w, s: reverse("registry:import_job", args=[_o(w, s, "job").pk]), KEEPERS
    ),
    "registry:import_confirm": Route(
        lambda w, s: reverse("registry:import_confirm", args=[_o(w, s, "job").pk]),
        KEEPERS,
        "POST",
        ok=frozenset({400}),  # past the scope check: the finished job has nothing to confirm
    ),
    "registry:import_rejects": Route(
        lambda w, s: reverse("registry:import_rejects", args=[_o(w, s, "job").pk]), KEEPERS
    ),
    "registry:duplicates": Route(
        lambda w, s: reverse("registry:duplicates", args=[_code(w, s)]), KEEPERS
    ),
    # Past the scope check the merge is refused (the same record twice): nothing changes.
    "registry:duplicates_merge": Route(
        lambda w, s: reverse("registry:duplicates_merge", args=[_code(w, s)]),
        KEEPERS,
        "POST",
        lambda w, s, role: {
            "first": _o(w, s, "p1").pk,
            "second": _o(w, s, "p1").pk,
            "keep": _o(w, s, "p1").pk,
        },
    ),
    "registry:duplicates_dismiss": Route(
        lambda w, s: reverse("registry:duplicates_dismiss", args=[_code(w, s)]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"first": _o(w, s, "p1").pk, "second": _o(w, s, "p2").pk},
    ),
    # Past the scope check the move is refused (a code no commune has): nothing changes.
    "registry:person_move": Route(
        lambda w, s: reverse("registry:person_move", args=[_o(w, s, "p1").pk]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"commune": "99999", "code": "X-1"},
        ok=frozenset({400}),
    ),
    "registry:household_move": Route(
        lambda w, s: reverse("registry:household_move", args=[_o(w, s, "h1").pk]),
        KEEPERS,
        "POST",
        lambda w, s, role: {"commune": "99999"},
        ok=frozenset({400}),
    ),
    "registry:unit_transfers": Route(
        lambda w, s: reverse("registry:unit_transfers", args=[_code(w, s)]), KEEPERS
    ),
    "registry:merge_split": Route(
        lambda w, s: reverse("registry:merge_split", args=[_o(w, s, "merge").pk]),
        KEEPERS,
        "POST",
    ),
    # Public: sign-in, language, the API's own description and the official unit list.
    "login": Route(lambda w, s: reverse("login"), set(ROLES), public=True),
    # The load balancer's health check: no login, nothing personal, the same for everyone.
    "healthz": Route(lambda w, s: reverse("healthz"), set(ROLES), public=True, anonymous=200),
    "logout": Route(lambda w, s: reverse("logout"), set(ROLES), "POST", public=True),
    "set_language": Route(
        lambda w, s: reverse("set_language"),
        set(ROLES),
        "POST",
        lambda w, s, role: {"language": "vi"},
        public=True,
    ),
    # The API root lists nothing: 404 for everyone.
    "api:api-root": Route(lambda w, s: reverse("api:api-root"), set(), public=True),
    "api:openapi-json": Route(lambda w, s: reverse("api:openapi-json"), set(ROLES), public=True),
    "api:openapi-view": Route(lambda w, s: reverse("api:openapi-view"), set(ROLES), public=True),
    "api:provinces": Route(lambda w, s: reverse("api:provinces"), set(ROLES), public=True),
    "api:communes": Route(lambda w, s: reverse("api:communes"), set(ROLES), public=True),
    "api:commune": Route(
        lambda w, s: reverse("api:commune", args=[_code(w, s)]), set(ROLES), public=True
    ),
}
SELF = frozenset({200, 302, 400, 403})  # one's own account: answers, never "not found"
PRIVACY_READERS = OFFICERS | {"citizen"}  # the person's own data: officers, and the person
PRIVACY_KEEPERS = KEEPERS | {"citizen"}  # consents and requests: keepers, and the person


def _own(role: str, side: str) -> bool:
    return role == "commune_officer" and side == "ours"


ROUTES.update(
    {
        # One's own account: every signed-in user, about themself only.
        "accounts:account": Route(
            lambda w, s: reverse("accounts:account"), SIGNED_IN, scoped=False
        ),
        "accounts:otp": Route(
            lambda w, s: reverse("accounts:otp"), SIGNED_IN, scoped=False, ok=SELF
        ),
        "accounts:otp_enrol": Route(
            lambda w, s: reverse("accounts:otp_enrol"), SIGNED_IN, scoped=False, ok=SELF
        ),
        "accounts:otp_disable": Route(
            lambda w, s: reverse("accounts:otp_disable"), SIGNED_IN, "POST", scoped=False, ok=SELF
        ),
        "accounts:recovery_codes": Route(
            lambda w, s: reverse("accounts:recovery_codes"), SIGNED_IN, scoped=False, ok=SELF
        ),
        "accounts:recovery_regenerate": Route(
            lambda w, s: reverse("accounts:recovery_regenerate"),
            SIGNED_IN,
            "POST",
            scoped=False,
            ok=SELF,
        ),
        "accounts:tokens": Route(lambda w, s: reverse("accounts:tokens"), SIGNED_IN, scoped=False),
        "accounts:token_revoke": Route(
            lambda w, s: reverse("accounts:token_revoke", args=[_o(w, s, "token").pk]),
            set(),
            "POST",
            expect=_own,  # one's own tokens only, whatever one's role
        ),
        "roles:invitation_created": Route(
            lambda w, s: reverse("roles:invitation_created"), SIGNED_IN, scoped=False, ok=SELF
        ),
        # Appointing: officers inside their own scope.
        "roles:assignments": Route(
            lambda w, s: reverse("roles:assignments", args=[_code(w, s)]), OFFICERS
        ),
        "roles:assignment_revoke": Route(
            lambda w, s: reverse("roles:assignment_revoke", args=[_o(w, s, "assignment").pk]),
            OFFICERS,
            "POST",
        ),
        "roles:invitation_revoke": Route(
            lambda w, s: reverse("roles:invitation_revoke", args=[_o(w, s, "invitation").pk]),
            OFFICERS,
            "POST",
        ),
        "roles:citizen_link": Route(
            lambda w, s: reverse("roles:citizen_link", args=[_o(w, s, "p2").pk]),
            KEEPERS,
            "POST",
            lambda w, s, role: {"login": "m_nobody"},
        ),
        # Public steps: accepting an invitation (by its secret), registering by phone.
        "roles:invitation_accept": Route(
            lambda w, s: reverse("roles:invitation_accept"),
            set(ROLES),
            "POST",
            lambda w, s, role: {"code": "not-a-real-secret"},
            public=True,
            ok=frozenset({410}),
        ),
        # Sign-in with VNeID: off in this world (no provider configured), so 404 for everyone.
        "accounts:vneid_start": Route(
            lambda w, s: reverse("accounts:vneid_start"), set(), public=True
        ),
        "accounts:vneid_callback": Route(
            lambda w, s: reverse("accounts:vneid_callback"), set(), public=True
        ),
        "accounts:register": Route(
            lambda w, s: reverse("accounts:register"), set(ROLES), public=True, ok=SELF
        ),
        "accounts:register_code": Route(
            lambda w, s: reverse("accounts:register_code"), set(ROLES), public=True, ok=SELF
        ),
        "accounts:register_password": Route(
            lambda w, s: reverse("accounts:register_password"), set(ROLES), public=True, ok=SELF
        ),
        # A person's own data (Law 91/2025): officers over the person, and the person.
        "privacy:person": Route(
            lambda w, s: reverse("privacy:person", args=[_o(w, s, "p1").pk]), PRIVACY_READERS
        ),
        "privacy:export": Route(
            lambda w, s: reverse("privacy:export", args=[_o(w, s, "p1").pk]), PRIVACY_READERS
        ),
        "privacy:export_json": Route(
            lambda w, s: reverse("privacy:export_json", args=[_o(w, s, "p1").pk]),
            PRIVACY_READERS,
        ),
        "privacy:consent_record": Route(
            lambda w, s: reverse("privacy:consent_record", args=[_o(w, s, "p1").pk]),
            PRIVACY_KEEPERS,
            "POST",
            lambda w, s, role: {"purpose": "skills", "method": "paper"},
            ok=frozenset({200, 302, 400}),
        ),
        "privacy:consent_withdraw": Route(
            lambda w, s: reverse("privacy:consent_withdraw", args=[_o(w, s, "consent").pk]),
            PRIVACY_KEEPERS,
            "POST",
        ),
        "privacy:request_create": Route(
            lambda w, s: reverse("privacy:request_create", args=[_o(w, s, "p1").pk]),
            PRIVACY_KEEPERS,
            "POST",
            lambda w, s, role: {"kind": "correction", "channel": "office"},
            ok=frozenset({200, 302, 400}),
        ),
        "privacy:restriction_lift": Route(
            lambda w, s: reverse("privacy:restriction_lift", args=[_o(w, s, "p1").pk]),
            KEEPERS,
            "POST",
        ),
        "privacy:request_acknowledge": Route(
            lambda w, s: reverse("privacy:request_acknowledge", args=[_o(w, s, "access").pk]),
            KEEPERS,
            "POST",
        ),
        "privacy:request_complete": Route(
            lambda w, s: reverse("privacy:request_complete", args=[_o(w, s, "access").pk]),
            KEEPERS,
        ),
        "privacy:erase": Route(
            lambda w, s: reverse("privacy:erase", args=[_o(w, s, "erasure").pk]), KEEPERS
        ),
        "privacy:commune_requests": Route(
            lambda w, s: reverse("privacy:commune_requests", args=[_code(w, s)]), OFFICERS
        ),
        # The audit trail: national administrators.
        "privacy:audit": Route(lambda w, s: reverse("privacy:audit"), {"national_admin"}),
        "privacy:audit_csv": Route(lambda w, s: reverse("privacy:audit_csv"), {"national_admin"}),
        "privacy:sms_rate": Route(
            lambda w, s: reverse("privacy:sms_rate"), {"national_admin"}, scoped=False
        ),
        "privacy:breaches": Route(
            lambda w, s: reverse("privacy:breaches"),
            {"national_admin"},
            "POST",
            lambda w, s, role: {"found_at": "2026-11-30T08:00", "kind": "loss", "summary": role},
            scoped=False,
        ),
        "privacy:breach": Route(
            lambda w, s: reverse("privacy:breach", args=[w.objects["ours"]["breach"].pk]),
            {"national_admin"},
            "POST",
            lambda w, s, role: {"persons": "1", "notice": role},
            scoped=False,
        ),
        # The API about oneself.
        "api:me": Route(lambda w, s: reverse("api:me"), SIGNED_IN, scoped=False, anonymous=401),
    }
)

# Skills: whoever sees the person records for them, except the citizen and province officers.
RECORDERS = {"national_admin", "commune_officer", "desk_staff", "team_member"}
TODAY = dt.datetime.now(tz=dt.UTC).date().isoformat()


def _event_form(w: World, side: str, role: str) -> dict[str, Any]:
    return {"id": str(uuid7()), "skill": "pay.qr", "channel": "class", "happened_on": TODAY}


def _event_json(w: World, side: str, role: str) -> dict[str, Any]:
    return {**_event_form(w, side, role), "person_id": str(_o(w, side, "p1").pk)}


ROUTES.update(
    {
        "skills:record": Route(
            lambda w, s: reverse("skills:record", args=[_o(w, s, "p1").pk]),
            RECORDERS,
            "POST",
            _event_form,
        ),
        "skills:reverse": Route(
            lambda w, s: reverse("skills:reverse", args=[_o(w, s, "event").pk]),
            RECORDERS,
            "POST",
            lambda w, s, role: {"reason": f"Nhầm ({role})"},
            ok=frozenset({302, 400}),  # 400: already withdrawn by an earlier role
        ),
        "api:skills_catalogue": Route(
            lambda w, s: reverse("api:skills_catalogue"), SIGNED_IN, scoped=False, anonymous=401
        ),
        "api:skills_person": Route(
            lambda w, s: reverse("api:skills_person", args=[_o(w, s, "p1").pk]),
            COMMUNE_READERS | {"citizen"},
            anonymous=401,
        ),
        "api:skills_event_record": Route(
            lambda w, s: reverse("api:skills_event_record"),
            RECORDERS,
            "POST",
            _event_json,
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:skills_event_reverse": Route(
            lambda w, s: reverse("api:skills_event_reverse", args=[_o(w, s, "event").pk]),
            RECORDERS,
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "reason": f"Nhầm ({role})"},
            ok=frozenset({201, 409}),  # 409: already withdrawn by an earlier role
            anonymous=401,
            json=True,
        ),
    }
)

# Outreach (identity, Digital Family, 4T): the commune's readers list; recorders mark and designate.
ROUTES.update(
    {
        "outreach:identity": Route(
            lambda w, s: reverse("outreach:identity", args=[_code(w, s)]), COMMUNE_READERS
        ),
        "outreach:identity_mark": Route(
            lambda w, s: reverse("outreach:identity_mark", args=[_o(w, s, "p1").pk]),
            RECORDERS,
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "need": "bank"},
        ),
        "outreach:families": Route(
            lambda w, s: reverse("outreach:families", args=[_code(w, s)]), COMMUNE_READERS
        ),
        "outreach:household_family": Route(
            lambda w, s: reverse("outreach:household_family", args=[_o(w, s, "h1").pk]),
            COMMUNE_READERS,
        ),
        "outreach:guide_set": Route(
            lambda w, s: reverse("outreach:guide_set", args=[_o(w, s, "h1").pk]),
            RECORDERS,
            "POST",
            lambda w, s, role: {"person": str(_o(w, s, "p1").pk)},
        ),
        "outreach:t4": Route(
            lambda w, s: reverse("outreach:t4", args=[_code(w, s)]), COMMUNE_READERS
        ),
        "api:outreach_identity": Route(
            lambda w, s: reverse("api:outreach_identity", args=[_code(w, s)]),
            COMMUNE_READERS,
            anonymous=401,
        ),
        "api:outreach_families": Route(
            lambda w, s: reverse("api:outreach_families", args=[_code(w, s)]),
            COMMUNE_READERS,
            anonymous=401,
        ),
        "api:outreach_t4": Route(
            lambda w, s: reverse("api:outreach_t4", args=[_code(w, s)]),
            COMMUNE_READERS,
            anonymous=401,
        ),
        "api:outreach_guide_set": Route(
            lambda w, s: reverse("api:outreach_guide_set", args=[_o(w, s, "h1").pk]),
            RECORDERS,
            "POST",
            lambda w, s, role: {"person_id": str(_o(w, s, "p1").pk)},
            ok=frozenset({200, 201}),
            anonymous=401,
            json=True,
        ),
    }
)

# Support desk: its staff, commune officers and national admins log; province officers read.
DESK_LOGGERS = {"national_admin", "commune_officer", "desk_staff"}
DESK_READERS = DESK_LOGGERS | {"province_officer"}


def _desk_visit(commune: Commune, person: Any) -> Any:
    from hocvuso.desk.services import desk_visit_record

    return desk_visit_record(
        actor=SYSTEM, id=uuid7(), commune=commune, person=person, procedure="bhyt",
        outcome="done_with_help",
    )  # fmt: skip


def _visit_form(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "person": str(_o(w, side, "p2").pk), "procedure": "khai_sinh",
        "outcome": "done_alone", "can_do_alone": "on", "happened_at": f"{TODAY}T00:01",
        "save": "1",
    }  # fmt: skip


def _visit_json(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "commune": _code(w, side), "person_id": str(_o(w, side, "p2").pk),
        "procedure": "bhyt", "outcome": "not_done", "happened_at": f"{TODAY}T00:01:00+07:00",
    }  # fmt: skip


ROUTES.update(
    {
        "desk:day": Route(lambda w, s: reverse("desk:day", args=[_code(w, s)]), DESK_READERS),
        "desk:visits": Route(lambda w, s: reverse("desk:visits", args=[_code(w, s)]), DESK_READERS),
        "desk:visit": Route(
            lambda w, s: reverse("desk:visit", args=[_o(w, s, "visit").pk]), DESK_READERS
        ),
        "desk:log": Route(
            lambda w, s: reverse("desk:log", args=[_code(w, s)]), DESK_LOGGERS, "POST", _visit_form
        ),
        "api:desk_visit_record": Route(
            lambda w, s: reverse("api:desk_visit_record"),
            DESK_LOGGERS,
            "POST",
            _visit_json,
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:desk_visits": Route(
            lambda w, s: reverse("api:desk_visits", args=[_code(w, s)]),
            DESK_READERS,
            anonymous=401,
        ),
    }
)

# Requests for help: a citizen asks for their own record; the commune's desk staff and officers
# and the team of the person's village read and answer; province officers read.
HELP_WORKERS = {"national_admin", "commune_officer", "desk_staff", "team_member"}
HELP_READERS = HELP_WORKERS | {"province_officer"}


def _assistance_world(o: dict[str, Any], users: dict[str, Any]) -> None:
    from hocvuso.assistance.services import help_request_ask

    askers = {"ours": users["citizen"], "other": make_user("m_citizen_other")}
    role_grant(actor=SYSTEM, user=askers["other"], role="citizen", person=o["other"]["p1"])
    for side in ("ours", "other"):
        o[side]["help"] = help_request_ask(
            actor=askers[side], id=uuid7(), person=o[side]["p1"], contact="visit",
            need=f"Cần cài VNeID {side}",
        )  # fmt: skip


ROUTES.update(
    {
        "assistance:ask": Route(
            lambda w, s: reverse("assistance:ask", args=[_o(w, s, "p1").pk]),
            set(),
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "need": f"Nhờ {role}", "contact": "desk"},
            expect=lambda role, side: role == "citizen" and side == "ours",
        ),
        "assistance:worklist": Route(
            lambda w, s: reverse("assistance:worklist", args=[_code(w, s)]), HELP_READERS
        ),
        "assistance:request": Route(
            lambda w, s: reverse("assistance:request", args=[_o(w, s, "help").pk]),
            HELP_READERS | {"citizen"},
        ),
        "assistance:step": Route(
            lambda w, s: reverse("assistance:step", args=[_o(w, s, "help").pk]),
            HELP_WORKERS,
            "POST",
            lambda w, s, role: {"step": "answer", "answer": f"Trả lời của {role}"},
        ),
        "assistance:withdraw": Route(
            lambda w, s: reverse("assistance:withdraw", args=[_o(w, s, "help").pk]),
            set(),
            "POST",
            expect=lambda role, side: role == "citizen" and side == "ours",
        ),
        "api:assistance_requests": Route(
            lambda w, s: reverse("api:assistance_requests", args=[_code(w, s)]),
            HELP_READERS,
            anonymous=401,
        ),
        "api:assistance_withdraw": Route(
            lambda w, s: reverse("api:assistance_withdraw", args=[_o(w, s, "help").pk]),
            set(),
            "POST",
            ok=frozenset({200}),
            anonymous=401,
            json=True,
            expect=lambda role, side: role == "citizen" and side == "ours",
        ),
        "api:assistance_step": Route(
            lambda w, s: reverse("api:assistance_step", args=[_o(w, s, "help").pk]),
            HELP_WORKERS,
            "POST",
            lambda w, s, role: {"step": "answer", "answer": f"API: {role}"},
            ok=frozenset({200}),
            anonymous=401,
            json=True,
        ),
    }
)

# API paths of the OpenAPI schema → the route declaring them.
API_PATHS = {
    "/api/v1/teams/communes/{code}/teams": "api:teams_list",
    "/api/v1/teams/{team_id}/plan": "api:teams_plan",
    "/api/v1/teams/{team_id}/claims": "api:teams_claim",
    "/api/v1/teams/visits": "api:teams_visit_record",
    "/api/v1/teams/communes/{code}/coverage": "api:teams_coverage",
    "/api/v1/outreach/communes/{code}/identity": "api:outreach_identity",
    "/api/v1/outreach/communes/{code}/families": "api:outreach_families",
    "/api/v1/outreach/communes/{code}/4t": "api:outreach_t4",
    "/api/v1/outreach/households/{household_id}/guide": "api:outreach_guide_set",
    "/api/v1/skills/catalogue": "api:skills_catalogue",
    "/api/v1/skills/persons/{person_id}": "api:skills_person",
    "/api/v1/skills/events": "api:skills_event_record",
    "/api/v1/skills/events/{event_id}/reverse": "api:skills_event_reverse",
    "/api/v1/desk/visits": "api:desk_visit_record",
    "/api/v1/desk/communes/{code}/visits": "api:desk_visits",
    "/api/v1/assistance/communes/{code}/requests": "api:assistance_requests",
    "/api/v1/assistance/requests/{request_id}/step": "api:assistance_step",
    "/api/v1/assistance/requests/{request_id}/withdraw": "api:assistance_withdraw",
    "/api/v1/accounts/me": "api:me",
    "/api/v1/units/provinces": "api:provinces",
    "/api/v1/units/communes": "api:communes",
    "/api/v1/units/communes/{code}": "api:commune",
}


# Youth classes and back-checks: class readers see the commune's classes; the class's organiser,
# its volunteers and keepers work it; officers read back-checks (skills), keepers draw — over the
# commune or over one class's gains — and record.
CLASS_READERS = COMMUNE_READERS | {"youth_volunteer"}
CLASS_ORGANISERS = KEEPERS | {"youth_volunteer", "team_member"}
CLASS_WORKERS = KEEPERS | {"youth_volunteer"}  # the world's classes are organised by volunteers


def _classes_world(o: dict[str, Any], users: dict[str, Any]) -> None:
    from hocvuso.classes.services import (
        class_attendance_set,
        class_create,
        class_gains_record,
        class_register,
    )
    from hocvuso.skills.checks import check_round_draw

    topic = list(Skill.objects.filter(code__in=["vneid.install", "bank.account"]))
    for side in ("ours", "other"):
        commune = o[side]["v1"].commune
        organiser = (
            users["youth_volunteer"]
            if side == "ours"
            else make_user("m_youth_other", "youth_volunteer", commune=commune)
        )
        klass = class_create(
            actor=SYSTEM, commune=commune, title=f"Lớp {side}", capacity=50, skills=topic,
            starts_at=dt.datetime(2025, 6, 1, 8, tzinfo=dt.UTC), organiser=organiser,
        )  # fmt: skip
        class_register(actor=SYSTEM, id=uuid7(), klass=klass, person=o[side]["p1"])
        class_attendance_set(actor=SYSTEM, klass=klass, present=[o[side]["p1"].pk])
        class_gains_record(actor=SYSTEM, klass=klass, gains=[(o[side]["p1"].pk, "vneid.install")])
        rnd = check_round_draw(
            actor=SYSTEM, commune=commune, period_from=dt.date(2025, 1, 1),
            period_to=dt.date.fromisoformat(TODAY), percent=Decimal(100), seed=1,
        )  # fmt: skip
        o[side]["class"] = klass
        o[side]["upcoming"] = class_create(
            actor=SYSTEM, commune=commune, title=f"Lớp sắp tới {side}", capacity=50,
            skills=topic, starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
            organiser=organiser,
        )  # fmt: skip
        o[side]["round"] = rnd
        o[side]["check"] = rnd.checks.first()


def _class_form(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "title": f"Lớp {role}", "starts_at": f"{TODAY}T08:00",
        "capacity": "20", "skills": ["vneid.install"],
    }  # fmt: skip


def _class_json(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "commune": _code(w, side), "title": f"Lớp {role}",
        "starts_at": f"{TODAY}T08:00:00+07:00", "capacity": 20, "skills": ["vneid.install"],
    }  # fmt: skip


def _draw_form(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "commune": _code(w, side), "period_from": "2025-01-01",
        "period_to": TODAY, "percent": "100", "seed": "7",
    }  # fmt: skip


def _citizen_ours(role: str, side: str) -> bool:
    return role == "citizen" and side == "ours"


def _class_url(name: str, key: str = "class") -> Callable[[World, str], str]:
    return lambda w, s: reverse(name, args=[_o(w, s, key).pk])


def _code_url(name: str) -> Callable[[World, str], str]:
    return lambda w, s: reverse(name, args=[_code(w, s)])


ROUTES.update(
    {
        "classes:list": Route(_code_url("classes:list"), CLASS_READERS),
        # A citizen signs themself up for an upcoming class of their own commune.
        "classes:open": Route(lambda w, s: reverse("classes:open"), SIGNED_IN, scoped=False),
        "classes:sign_up": Route(
            _class_url("classes:sign_up", "upcoming"), set(), "POST", expect=_citizen_ours
        ),
        "classes:create": Route(_code_url("classes:create"), CLASS_ORGANISERS, "POST", _class_form),
        "classes:detail": Route(_class_url("classes:detail"), CLASS_READERS),
        "classes:register": Route(
            _class_url("classes:register"),
            CLASS_WORKERS,
            "POST",
            lambda w, s, role: {
                "id": str(uuid7()),
                "full_name": f"Khách {role}",
                "sex": "F",
                "birth_year": "2000",
            },
        ),
        "classes:attendance": Route(
            _class_url("classes:attendance"),
            CLASS_WORKERS,
            "POST",
            lambda w, s, role: {"present": [str(_o(w, s, "p1").pk)]},
        ),
        "classes:gains": Route(
            _class_url("classes:gains"),
            CLASS_WORKERS,
            "POST",
            lambda w, s, role: {"gain": [f"{_o(w, s, 'p1').pk}:vneid.install"]},
        ),
        "classes:check_draw": Route(
            _class_url("classes:check_draw"),
            KEEPERS,
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "percent": "100", "seed": "3"},
        ),
        "skills:check_rounds": Route(_code_url("skills:check_rounds"), OFFICERS),
        "skills:check_draw": Route(_code_url("skills:check_draw"), KEEPERS, "POST", _draw_form),
        "skills:check_round": Route(_class_url("skills:check_round", "round"), OFFICERS),
        "skills:check_assign": Route(
            _class_url("skills:check_assign", "round"),
            KEEPERS,
            "POST",
            lambda w, s, role: {
                "user": _o(w, s, "assignment").user.username,
                "check": [str(_o(w, s, "check").pk)],
            },
        ),
        "skills:check_outcome": Route(
            _class_url("skills:check_outcome", "check"),
            KEEPERS,
            "POST",
            lambda w, s, role: {"outcome": "confirmed", "note": ""},
        ),
        "api:classes_list": Route(
            lambda w, s: reverse("api:classes_list", args=[_code(w, s)]),
            CLASS_READERS,
            anonymous=401,
        ),
        "api:classes_create": Route(
            lambda w, s: reverse("api:classes_create"),
            CLASS_ORGANISERS,
            "POST",
            _class_json,
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:classes_detail": Route(_class_url("api:classes_detail"), CLASS_READERS, anonymous=401),
        "api:classes_register": Route(
            _class_url("api:classes_register"),
            CLASS_WORKERS,
            "POST",
            lambda w, s, role: {
                "id": str(uuid7()),
                "new_person": {"full_name": f"Khách {role}", "sex": "M", "birth_year": 1999},
            },
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:classes_attendance": Route(
            _class_url("api:classes_attendance"),
            CLASS_WORKERS,
            "POST",
            lambda w, s, role: {"present": [str(_o(w, s, "p1").pk)]},
            anonymous=401,
            json=True,
        ),
        "api:classes_gains": Route(
            _class_url("api:classes_gains"),
            CLASS_WORKERS,
            "POST",
            lambda w, s, role: {
                "gains": [{"person_id": str(_o(w, s, "p1").pk), "skill": "bank.account"}]
            },
            anonymous=401,
            json=True,
        ),
        "api:classes_check_draw": Route(
            _class_url("api:classes_check_draw"),
            KEEPERS,
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "percent": 100, "seed": 3},
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:checks_rounds": Route(
            lambda w, s: reverse("api:checks_rounds", args=[_code(w, s)]),
            OFFICERS,
            anonymous=401,
        ),
        "api:checks_draw": Route(
            lambda w, s: reverse("api:checks_draw"),
            KEEPERS,
            "POST",
            lambda w, s, role: {**_draw_form(w, s, role), "percent": 100, "seed": 7},
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:checks_round": Route(_class_url("api:checks_round", "round"), OFFICERS, anonymous=401),
        "api:checks_outcome": Route(
            _class_url("api:checks_outcome", "check"),
            KEEPERS,
            "POST",
            lambda w, s, role: {"outcome": "unreachable"},
            anonymous=401,
            json=True,
        ),
    }
)
API_PATHS.update(
    {
        "/api/v1/classes/communes/{code}": "api:classes_list",
        "/api/v1/classes": "api:classes_create",
        "/api/v1/classes/{class_id}": "api:classes_detail",
        "/api/v1/classes/{class_id}/registrations": "api:classes_register",
        "/api/v1/classes/{class_id}/attendance": "api:classes_attendance",
        "/api/v1/classes/{class_id}/gains": "api:classes_gains",
        "/api/v1/classes/{class_id}/checks": "api:classes_check_draw",
        "/api/v1/skills/checks/communes/{code}": "api:checks_rounds",
        "/api/v1/skills/checks/rounds": "api:checks_draw",
        "/api/v1/skills/checks/rounds/{round_id}": "api:checks_round",
        "/api/v1/skills/checks/items/{check_id}/outcome": "api:checks_outcome",
    }
)


# Digital ambassadors: officers read the commune's mentors, keepers manage and match, a mentor
# opens their own page and records sessions for their own mentees only.
def _mentoring_world(o: dict[str, Any], users: dict[str, Any]) -> None:
    from hocvuso.mentoring.services import mentor_create, mentorship_start

    for side in ("ours", "other"):
        h3 = household_create(
            actor=SYSTEM, commune=o[side]["v2"].commune, code=f"{side}-H3", village=o[side]["v2"]
        )
        made = [
            person_register(
                actor=SYSTEM, household=h3, full_name=f"{name} {side}", sex="F", birth_year=1985
            )
            for name in ("Đại sứ", "Học trò", "Ứng viên")
        ]
        user = users["mentor"] if side == "ours" else make_user("m_mentor_other")
        make_user(f"m_cand_{side}")
        mentor = mentor_create(actor=SYSTEM, person=made[0], user=user)
        o[side]["mentor"] = mentor
        o[side]["mentee"] = made[1]
        o[side]["candidate"] = made[2]
        o[side]["mentorship"] = mentorship_start(actor=SYSTEM, mentor=mentor, mentee=made[1])


def _mentor_may(role: str, side: str) -> bool:
    return (role in OFFICERS and (side == "ours" or role == "national_admin")) or (
        role == "mentor" and side == "ours"
    )


def _own_mentor(role: str, side: str) -> bool:
    return role == "mentor" and side == "ours"


def _mentor_url(name: str) -> Callable[[World, str], str]:
    return lambda w, s: reverse(name, args=[_o(w, s, "mentor").pk])


def _session(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "mentee": str(_o(w, side, "mentee").pk), "happened_on": TODAY,
        "gained": ["vneid.install"],
    }  # fmt: skip


def _session_json(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "mentee_id": str(_o(w, side, "mentee").pk), "happened_on": TODAY,
        "gained": ["vneid.install"],
    }  # fmt: skip


ROUTES.update(
    {
        "mentoring:mentors": Route(_code_url("mentoring:mentors"), OFFICERS),
        "mentoring:mentor_create": Route(
            _code_url("mentoring:mentor_create"),
            KEEPERS,
            "POST",
            lambda w, s, role: {
                "person": str(_o(w, s, "candidate").pk),
                "username": f"m_cand_{s}",
                "capacity": "5",
            },
        ),
        "mentoring:matching": Route(_code_url("mentoring:matching"), KEEPERS),
        "mentoring:accept": Route(
            _code_url("mentoring:accept"),
            KEEPERS,
            "POST",
            lambda w, s, role: {"pair": f"{_o(w, s, 'p2').pk}:{_o(w, s, 'mentor').pk}"},
        ),
        "mentoring:mine": Route(
            lambda w, s: reverse("mentoring:mine"), set(), expect=lambda r, s: r == "mentor"
        ),
        "mentoring:mentor": Route(_mentor_url("mentoring:mentor"), set(), expect=_mentor_may),
        "mentoring:session": Route(
            _mentor_url("mentoring:session"), set(), "POST", _session, expect=_own_mentor
        ),
        "mentoring:mentorship_end": Route(
            lambda w, s: reverse("mentoring:mentorship_end", args=[_o(w, s, "mentorship").pk]),
            KEEPERS,
            "POST",
        ),
        "api:mentoring_mentors": Route(_code_url("api:mentoring_mentors"), OFFICERS, anonymous=401),
        "api:mentoring_mentor": Route(
            _mentor_url("api:mentoring_mentor"), set(), expect=_mentor_may, anonymous=401
        ),
        "api:mentoring_suggestions": Route(
            _code_url("api:mentoring_suggestions"), KEEPERS, anonymous=401
        ),
        "api:mentoring_accept": Route(
            _code_url("api:mentoring_accept"),
            KEEPERS,
            "POST",
            lambda w, s, role: {
                "pairs": [
                    {"person_id": str(_o(w, s, "p2").pk), "mentor_id": str(_o(w, s, "mentor").pk)}
                ]
            },
            ok=frozenset({200}),
            anonymous=401,
            json=True,
        ),
        "api:mentoring_session_record": Route(
            lambda w, s: reverse("api:mentoring_session_record"),
            set(),
            "POST",
            _session_json,
            expect=_own_mentor,
            ok=frozenset({200, 201}),
            anonymous=401,
            json=True,
        ),
    }
)
API_PATHS.update(
    {
        "/api/v1/mentoring/communes/{code}/mentors": "api:mentoring_mentors",
        "/api/v1/mentoring/mentors/{mentor_id}": "api:mentoring_mentor",
        "/api/v1/mentoring/communes/{code}/suggestions": "api:mentoring_suggestions",
        "/api/v1/mentoring/communes/{code}/accept": "api:mentoring_accept",
        "/api/v1/mentoring/sessions": "api:mentoring_session_record",
    }
)

# Community tech teams: officers read, keepers manage, the team's members (and keepers) work.
TEAM_READERS = OFFICERS | {"team_member"}
TEAM_WORKERS = KEEPERS | {"team_member"}


def _teams_world(o: dict[str, Any], users: dict[str, Any]) -> None:
    from django.utils import timezone

    from hocvuso.teams.services import claim_take, team_create, team_member_add, visit_record

    for side in ("ours", "other"):
        objs = o[side]
        team = team_create(
            actor=SYSTEM, commune=objs["v1"].commune, name=f"Tổ {side}", villages=[objs["v1"]]
        )
        worker = users["team_member"] if side == "ours" else make_user("m_team_other")
        team_member_add(actor=SYSTEM, team=team, user=worker)
        extra = team_member_add(actor=SYSTEM, team=team, user=make_user(f"m_team_extra_{side}"))
        objs["team"], objs["team_extra"] = team, extra
        objs["team_visit"] = visit_record(
            actor=worker, team=team, id=uuid7(), household=objs["h1"], visited_at=timezone.now()
        )
        objs["claim"] = claim_take(actor=worker, team=team, household=objs["h1"])


def _team_visit_form(w: World, side: str, role: str) -> dict[str, Any]:
    p1 = _o(w, side, "p1")
    return {
        "id": str(uuid7()), "visited_at": f"{TODAY}T00:01", "present": [str(p1.pk)],
        f"gained_{p1.pk}": ["pay.qr"], "issues": ["no_signal"],
    }  # fmt: skip


def _team_visit_json(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "id": str(uuid7()), "team_id": str(_o(w, side, "team").pk),
        "household_id": str(_o(w, side, "h1").pk), "visited_at": f"{TODAY}T00:01:00+07:00",
        "present": [{"person_id": str(_o(w, side, "p1").pk), "gained": ["pay.qr"]}],
    }  # fmt: skip


ROUTES.update(
    {
        "teams:list": Route(lambda w, s: reverse("teams:list", args=[_code(w, s)]), TEAM_READERS),
        "teams:create": Route(
            lambda w, s: reverse("teams:create", args=[_code(w, s)]),
            KEEPERS,
            "POST",
            lambda w, s, role: {"name": f"Tổ mới {role}", "villages": [str(_o(w, s, "v2").pk)]},
        ),
        "teams:coverage": Route(
            lambda w, s: reverse("teams:coverage", args=[_code(w, s)]), TEAM_READERS
        ),
        "teams:team": Route(
            lambda w, s: reverse("teams:team", args=[_o(w, s, "team").pk]), TEAM_READERS
        ),
        "teams:edit": Route(
            lambda w, s: reverse("teams:edit", args=[_o(w, s, "team").pk]),
            KEEPERS,
            "POST",
            lambda w, s, role: {"name": f"Tổ sửa {role}", "villages": [str(_o(w, s, "v1").pk)]},
        ),
        "teams:member_add": Route(
            lambda w, s: reverse("teams:member_add", args=[_o(w, s, "team").pk]),
            KEEPERS,
            "POST",
            lambda w, s, role: {"username": "m_desk", "role": "member", "organisation": "police"},
            ok=frozenset({302, 400}),  # 400: already added by an earlier role
        ),
        "teams:member_remove": Route(
            lambda w, s: reverse("teams:member_remove", args=[_o(w, s, "team_extra").pk]),
            KEEPERS,
            "POST",
        ),
        "teams:plan": Route(
            lambda w, s: reverse("teams:plan", args=[_o(w, s, "team").pk]), TEAM_READERS
        ),
        "teams:take": Route(
            lambda w, s: reverse("teams:take", args=[_o(w, s, "team").pk, _o(w, s, "h1").pk]),
            TEAM_WORKERS,
            "POST",
        ),
        "teams:release": Route(
            lambda w, s: reverse("teams:release", args=[_o(w, s, "claim").pk]),
            TEAM_WORKERS,
            "POST",
        ),
        "teams:visit": Route(
            lambda w, s: reverse("teams:visit", args=[_o(w, s, "team").pk, _o(w, s, "h1").pk]),
            TEAM_WORKERS,
            "POST",
            _team_visit_form,
            ok=frozenset({302}),
        ),
        "teams:visit_detail": Route(
            lambda w, s: reverse("teams:visit_detail", args=[_o(w, s, "team_visit").pk]),
            TEAM_READERS,
        ),
        "api:teams_list": Route(
            lambda w, s: reverse("api:teams_list", args=[_code(w, s)]), TEAM_READERS, anonymous=401
        ),
        "api:teams_plan": Route(
            lambda w, s: reverse("api:teams_plan", args=[_o(w, s, "team").pk]),
            TEAM_READERS,
            anonymous=401,
        ),
        "api:teams_claim": Route(
            lambda w, s: reverse("api:teams_claim", args=[_o(w, s, "team").pk]),
            TEAM_WORKERS,
            "POST",
            lambda w, s, role: {"household_id": str(_o(w, s, "h1").pk)},
            ok=frozenset({200, 201, 409}),  # 409: taken by an earlier role
            anonymous=401,
            json=True,
        ),
        "api:teams_visit_record": Route(
            lambda w, s: reverse("api:teams_visit_record"),
            TEAM_WORKERS,
            "POST",
            _team_visit_json,
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:teams_coverage": Route(
            lambda w, s: reverse("api:teams_coverage", args=[_code(w, s)]),
            TEAM_READERS,
            anonymous=401,
        ),
    }
)


def _code(w: World, side: str) -> str:
    return w.ours.code if side == "ours" else w.other.code


# Dashboards: a commune's for its officers (and the province's and national ones above it), a
# village's also for its team; the province's for its officers; the nation's for national admins.
# Targets: the nation sets the nation's and provinces', a province its remote communes' and its
# communes'.
DASH_PROVINCE = {"national_admin", "province_officer"}
DASH_VILLAGE = OFFICERS | {"team_member"}


def _province_url(name: str, *extra: str) -> Callable[[World, str], str]:
    return lambda w, s: reverse(
        name, args=[(w.ours if s == "ours" else w.other).province_id, *extra]
    )


def _dash_code_url(name: str, *extra: str) -> Callable[[World, str], str]:
    return lambda w, s: reverse(name, args=[_code(w, s), *extra])


def _dash_village_url(name: str, *extra: str) -> Callable[[World, str], str]:
    return lambda w, s: reverse(name, args=[_o(w, s, "v1").pk, *extra])


def _target_form(w: World, side: str, role: str) -> dict[str, Any]:
    province = (w.ours if side == "ours" else w.other).province_id
    return {"unit": f"r:{province}", "indicator": "bank_account", "year": "2026", "value": "50"}


def _target_json(w: World, side: str, role: str) -> dict[str, Any]:
    province = (w.ours if side == "ours" else w.other).province_id
    return {
        "indicator": "bank_account",
        "year": 2026,
        "province": province,
        "remote_only": True,
        "value": "55",
    }


ROUTES.update(
    {
        "kpi:home": Route(
            lambda w, s: reverse("kpi:home"),
            set(),
            expect=lambda role, side: role in OFFICERS | {"team_member"},
        ),
        "kpi:national": Route(
            lambda w, s: reverse("kpi:national"), {"national_admin"}, scoped=False
        ),
        "kpi:national_export": Route(
            lambda w, s: reverse("kpi:national_export", args=["xlsx"]),
            {"national_admin"},
            scoped=False,
        ),
        "kpi:national_report": Route(
            lambda w, s: reverse("kpi:national_report"), {"national_admin"}, scoped=False
        ),
        "kpi:province": Route(_province_url("kpi:province"), DASH_PROVINCE),
        # Exports prepared in the background: a job, then its page (ui:job).
        "kpi:national_export_job": Route(
            lambda w, s: reverse("kpi:national_export_job"),
            {"national_admin"},
            "POST",
            lambda w, s, r: {"fmt": "csv"},
            scoped=False,
        ),
        "kpi:province_export_job": Route(
            _province_url("kpi:province_export_job"),
            DASH_PROVINCE,
            "POST",
            lambda w, s, r: {"fmt": "xlsx"},
        ),
        # Background jobs: one's own (and every job for a national admin).
        "ui:jobs": Route(
            lambda w, s: reverse("ui:jobs"), {"national_admin", "province_officer"}, scoped=False
        ),
        "ui:job_start": Route(
            lambda w, s: reverse("ui:job_start"),
            {"national_admin"},
            "POST",
            lambda w, s, r: {"kind": "kpi.check"},
            scoped=False,
        ),
        "ui:job": Route(
            lambda w, s: reverse("ui:job", args=[_o(w, s, "bg_job").pk]),
            {"national_admin", "province_officer"},
        ),
        "ui:job_result": Route(
            lambda w, s: reverse("ui:job_result", args=[_o(w, s, "bg_job").pk]),
            {"national_admin", "province_officer"},
        ),
        "kpi:province_export": Route(_province_url("kpi:province_export", "csv"), DASH_PROVINCE),
        "kpi:province_report": Route(_province_url("kpi:province_report"), DASH_PROVINCE),
        "kpi:commune": Route(_dash_code_url("kpi:commune"), OFFICERS),
        "kpi:commune_export": Route(_dash_code_url("kpi:commune_export", "xlsx"), OFFICERS),
        "kpi:commune_report": Route(_dash_code_url("kpi:commune_report"), OFFICERS),
        "kpi:village": Route(_dash_village_url("kpi:village"), DASH_VILLAGE),
        "kpi:village_export": Route(_dash_village_url("kpi:village_export", "csv"), DASH_VILLAGE),
        "kpi:targets_national": Route(
            lambda w, s: reverse("kpi:targets_national"),
            {"national_admin"},
            "POST",
            lambda w, s, role: {
                "unit": "",
                "indicator": "bank_account",
                "year": "2026",
                "value": "80",
            },
            scoped=False,
        ),
        "kpi:targets_province": Route(
            _province_url("kpi:targets_province"), DASH_PROVINCE, "POST", _target_form
        ),
        "registry:area_flags": Route(
            _province_url("registry:area_flags"),
            DASH_PROVINCE,
            "POST",
            lambda w, s, role: {f"remote_{_code(w, s)}": "on"},
        ),
        "api:kpi_indicators": Route(
            lambda w, s: "/api/v1/dashboards/indicators",
            SIGNED_IN,
            scoped=False,
            anonymous=401,
        ),
        "api:kpi_national": Route(
            lambda w, s: "/api/v1/dashboards/national",
            {"national_admin"},
            scoped=False,
            anonymous=401,
        ),
        "api:kpi_province": Route(
            lambda w, s: (
                f"/api/v1/dashboards/provinces/{(w.ours if s == 'ours' else w.other).province_id}"
            ),
            DASH_PROVINCE,
            anonymous=401,
        ),
        "api:kpi_commune": Route(
            lambda w, s: f"/api/v1/dashboards/communes/{_code(w, s)}", OFFICERS, anonymous=401
        ),
        "api:kpi_village": Route(
            lambda w, s: f"/api/v1/dashboards/villages/{_o(w, s, 'v1').pk}",
            DASH_VILLAGE,
            anonymous=401,
        ),
        "api:kpi_target_set": Route(
            lambda w, s: "/api/v1/dashboards/targets",
            DASH_PROVINCE,
            "POST",
            _target_json,
            anonymous=401,
            json=True,
        ),
    }
)
API_PATHS.update(
    {
        "/api/v1/dashboards/indicators": "api:kpi_indicators",
        "/api/v1/dashboards/national": "api:kpi_national",
        "/api/v1/dashboards/provinces/{code}": "api:kpi_province",
        "/api/v1/dashboards/communes/{code}": "api:kpi_commune",
        "/api/v1/dashboards/villages/{village_id}": "api:kpi_village",
        "/api/v1/dashboards/targets": "api:kpi_target_set",
    }
)


# The field app: registering a device is for the roles that record in the field (for oneself,
# wherever one's scope is); pushing and pulling need the device's own token — a session alone
# is answered 401, whoever holds it (each kind's scope is tested in tests/sync).
FIELD_ROLES = {"national_admin", "commune_officer", "desk_staff", "team_member", "youth_volunteer"}
ROUTES.update(
    {
        "api:sync_device_register": Route(
            lambda w, s: "/api/v1/sync/devices",
            FIELD_ROLES,
            "POST",
            lambda w, s, role: {"name": f"Máy {role}"},
            scoped=False,
            ok=frozenset({201}),
            anonymous=401,
            json=True,
        ),
        "api:sync_pull": Route(
            lambda w, s: "/api/v1/sync/pull",
            SIGNED_IN,
            scoped=False,
            ok=frozenset({401}),
            anonymous=401,
        ),
        "api:sync_push": Route(
            lambda w, s: "/api/v1/sync/push",
            SIGNED_IN,
            "POST",
            lambda w, s, role: {"records": []},
            scoped=False,
            ok=frozenset({401}),
            anonymous=401,
            json=True,
        ),
    }
)
API_PATHS.update(
    {
        "/api/v1/sync/devices": "api:sync_device_register",
        "/api/v1/sync/push": "api:sync_push",
        "/api/v1/sync/pull": "api:sync_pull",
    }
)


# Online learning: every signed-in account learns for itself; a certificate is read by its
# holder and by those who may see the holder; verifying one is public (the page shows the
# holder's name and birth year by design, so the other side's learner is not one of its
# "secrets": a learner made for the purpose).
COURSE = "dien-thoai-an-toan"
LEARNING_ANSWERS = [[0], [1], [1], [0], [0, 1, 2]]


def _learning_world(o: dict[str, Any], users: dict[str, Any]) -> None:
    from hocvuso.learning.content import COURSES_DIR
    from hocvuso.learning.selectors import course_get
    from hocvuso.learning.services import (
        course_version_submit,
        courses_load,
        enrollment_start,
        quiz_attempt,
        step_done,
    )

    courses_load(actor=SYSTEM)
    course = course_get(COURSE)
    for side in ("ours", "other"):
        if side == "ours":
            learner = users["citizen"]
        else:
            person = person_register(
                actor=SYSTEM, household=o[side]["h1"], full_name="Học Viên other", sex="F",
                birth_year=1975,
            )  # fmt: skip
            learner = make_user("m_learner_other", "citizen", person=person)
        enrollment = enrollment_start(actor=learner, course=course, id=uuid7())
        for step in range(enrollment.version.steps):
            step_done(actor=learner, enrollment=enrollment, id=uuid7(), step=step)
        quiz_attempt(actor=learner, enrollment=enrollment, id=uuid7(), answers=LEARNING_ANSWERS)
        enrollment.refresh_from_db()
        o[side]["cert"] = enrollment.certificate
        text = (COURSES_DIR / "vneid.md").read_text(encoding="utf-8")
        o[side]["draft"] = course_version_submit(
            actor=SYSTEM, name="vneid.md", text=text.replace("Bài 1:", f"Bài 1 ({side}):")
        ).version


def _cert_url(name: str) -> Callable[[World, str], str]:
    return lambda w, s: reverse(name, args=[_o(w, s, "cert").pk])


def _the_learner(role: str, side: str) -> bool:
    """Progress is written into one's own enrolment only (the address names no one else's)."""
    return role == "citizen"


CERT_READERS = COMMUNE_READERS | {"citizen"}
EDITORS = {"national_admin", "content_editor"}  # the courses' content
ROUTES.update(
    {
        "learning:courses": Route(
            lambda w, s: reverse("learning:courses"), SIGNED_IN, scoped=False
        ),
        "learning:course": Route(
            lambda w, s: reverse("learning:course", args=[COURSE]), SIGNED_IN, scoped=False
        ),
        "learning:start": Route(
            lambda w, s: reverse("learning:start", args=[COURSE]),
            SIGNED_IN,
            "POST",
            lambda w, s, role: {"id": str(uuid7())},
            scoped=False,
        ),
        # Open for the learner; locked (403) for an account that has not started.
        "learning:lesson": Route(
            lambda w, s: reverse("learning:lesson", args=[COURSE, 1]),
            SIGNED_IN,
            scoped=False,
            ok=frozenset({200, 403}),
        ),
        "learning:step": Route(
            lambda w, s: reverse("learning:step", args=[COURSE]),
            set(),
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "step": "0"},
            expect=_the_learner,
        ),
        "learning:quiz": Route(
            lambda w, s: reverse("learning:quiz", args=[COURSE]),
            SIGNED_IN,
            scoped=False,
            ok=frozenset({302, 403}),  # passed: to the certificate; not started: locked
        ),
        "learning:certificate": Route(_cert_url("learning:certificate"), CERT_READERS),
        "learning:diagnostic": Route(
            lambda w, s: reverse("learning:diagnostic"), SIGNED_IN, scoped=False
        ),
        # Where one's own learning counts (an account linked to no person chooses it).
        "learning:unit": Route(
            lambda w, s: reverse("learning:unit"),
            SIGNED_IN,
            "POST",
            lambda w, s, role: {"commune": _code(w, s)},
            scoped=False,
        ),
        # A helper follows the progress of the people they may see (the registry's rule).
        "learning:learner": Route(
            lambda w, s: reverse("learning:learner", args=[_o(w, s, "p1").pk]),
            COMMUNE_READERS | {"citizen"},
        ),
        "learning:commune": Route(_code_url("learning:commune"), OFFICERS),
        # Course content: the national content editors (national admins for now).
        "learning:content": Route(lambda w, s: reverse("learning:content"), EDITORS, scoped=False),
        "learning:content_publish": Route(
            lambda w, s: reverse("learning:content_publish", args=[_o(w, s, "draft").pk]),
            EDITORS,
            "POST",
            scoped=False,
        ),
        # Confirming a learner's practical step: their helpers (who may record their skills).
        "learning:confirm": Route(
            lambda w, s: reverse("learning:confirm", args=[_o(w, s, "cert").person_id]),
            {"national_admin", "commune_officer", "desk_staff", "team_member"},
            "POST",
            lambda w, s, role: {
                "id": str(uuid7()),
                "enrollment": str(_o(w, s, "cert").enrollment_id),
                "step": "1",
            },
        ),
        "learning:certificate_print": Route(_cert_url("learning:certificate_print"), CERT_READERS),
        "learning:verify": Route(_cert_url("learning:verify"), set(ROLES), public=True),
        "learning:credential": Route(_cert_url("learning:credential"), set(ROLES), public=True),
        "learning:status_list": Route(
            lambda w, s: reverse("learning:status_list", args=[1]), set(ROLES), public=True
        ),
        "learning:did": Route(lambda w, s: reverse("learning:did"), set(ROLES), public=True),
        # Read-aloud files are named by what they say (no file made in this world: 404).
        "learning:audio": Route(
            lambda w, s: reverse("learning:audio", args=["0" * 32]), set(), public=True
        ),
        # Narrated lesson videos and their captions, likewise named by what makes them.
        "learning:video": Route(
            lambda w, s: reverse("learning:video", args=["0" * 32]), set(), public=True
        ),
        "learning:captions": Route(
            lambda w, s: reverse("learning:captions", args=["0" * 32]), set(), public=True
        ),
        "api:learning_courses": Route(
            lambda w, s: reverse("api:learning_courses"), SIGNED_IN, scoped=False, anonymous=401
        ),
        "api:learning_course": Route(
            lambda w, s: reverse("api:learning_course", args=[COURSE]),
            SIGNED_IN,
            scoped=False,
            anonymous=401,
        ),
        "api:learning_start": Route(
            lambda w, s: reverse("api:learning_start", args=[COURSE]),
            SIGNED_IN,
            "POST",
            lambda w, s, role: {"id": str(uuid7())},
            scoped=False,
            anonymous=401,
            json=True,
        ),
        "api:learning_lesson": Route(
            lambda w, s: reverse("api:learning_lesson", args=[COURSE, 1]),
            SIGNED_IN,
            scoped=False,
            ok=frozenset({200, 409}),
            anonymous=401,
        ),
        "api:learning_step": Route(
            lambda w, s: reverse("api:learning_step", args=[COURSE]),
            set(),
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "step": 0},
            expect=_the_learner,
            anonymous=401,
            json=True,
        ),
        "api:learning_quiz": Route(
            lambda w, s: reverse("api:learning_quiz", args=[COURSE]),
            SIGNED_IN,
            scoped=False,
            ok=frozenset({409}),  # passed already, or not started: locked
            anonymous=401,
        ),
        "api:learning_unit": Route(
            lambda w, s: reverse("api:learning_unit"), SIGNED_IN, scoped=False, anonymous=401
        ),
        "api:learning_unit_choose": Route(
            lambda w, s: reverse("api:learning_unit_choose"),
            SIGNED_IN,
            "POST",
            lambda w, s, role: {"commune": _code(w, s)},
            scoped=False,
            anonymous=401,
            json=True,
        ),
        "api:learning_attempt": Route(
            lambda w, s: reverse("api:learning_attempt", args=[COURSE]),
            set(),
            "POST",
            lambda w, s, role: {"id": str(uuid7()), "answers": LEARNING_ANSWERS},
            expect=_the_learner,
            ok=frozenset({409}),  # already passed
            anonymous=401,
            json=True,
        ),
    }
)
API_PATHS.update(
    {
        "/api/v1/learning/courses": "api:learning_courses",
        "/api/v1/learning/courses/{code}": "api:learning_course",
        "/api/v1/learning/courses/{code}/start": "api:learning_start",
        "/api/v1/learning/courses/{code}/lessons/{number}": "api:learning_lesson",
        "/api/v1/learning/courses/{code}/steps": "api:learning_step",
        "/api/v1/learning/courses/{code}/quiz": "api:learning_quiz",
        "/api/v1/learning/courses/{code}/attempts": "api:learning_attempt",
        "/api/v1/learning/unit": "api:learning_unit",
        "/api/v1/learning/unit/choice": "api:learning_unit_choose",
    }
)


def _sync_world(o: dict[str, Any], users: dict[str, Any]) -> None:
    """A field device of each side's commune officer, with a conflict to decide."""
    from django.utils import timezone

    from hocvuso.sync.models import Conflict, SyncRecord
    from hocvuso.sync.services import device_register

    for side in ("ours", "other"):
        officer = (
            users["commune_officer"]
            if side == "ours"
            else make_user("m_sync_other", "commune_officer", commune=o["other"]["h1"].commune)
        )
        device, _secret = device_register(actor=officer, name=f"Máy {side}")
        record = SyncRecord.objects.create(
            id=uuid7(), device=device, seq=1, kind="person_edit", content_hash="0" * 64,
            status="conflict", code="stale_edit", received_at=timezone.now(),
        )  # fmt: skip
        person = o[side]["p2"]
        o[side]["conflict"] = Conflict.objects.create(
            record=record, device=device, commune_id=person.commune_id, object_type="person",
            object_id=person.pk,
            fields={"occupation": {"base": "", "server": "", "theirs": "farmer"}},
        )  # fmt: skip


ROUTES.update(
    {
        # The field app's shell (no data of its own: the phone draws it from its copy), its
        # service worker and its manifest (public, nothing personal).
        "teams:field": Route(lambda w, s: reverse("teams:field"), SIGNED_IN, scoped=False),
        "desk:field": Route(lambda w, s: reverse("desk:field"), SIGNED_IN, scoped=False),
        "classes:field": Route(lambda w, s: reverse("classes:field"), SIGNED_IN, scoped=False),
        "ui:service_worker": Route(
            lambda w, s: reverse("ui:service_worker"), set(ROLES), public=True
        ),
        "ui:manifest": Route(lambda w, s: reverse("ui:manifest"), set(ROLES), public=True),
        "sync:devices": Route(lambda w, s: reverse("sync:devices", args=[_code(w, s)]), KEEPERS),
        "sync:conflict_resolve": Route(
            lambda w, s: reverse("sync:conflict_resolve", args=[_o(w, s, "conflict").pk]),
            KEEPERS,
            "POST",
            lambda w, s, role: {"decision": "keep"},
        ),
    }
)


def _url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str | None) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace if not namespace else f"{namespace}:{p.namespace}"
                walk(p, ns if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver(), None)
    return {n for n in names if not n.startswith("admin:")}  # the admin: see test_admin_*


def test_every_route_is_declared(client, units):
    missing = sorted(_url_names() - ROUTES.keys())
    assert missing == [], f"declare these routes in the scope matrix: {missing}"
    schema = client.get(reverse("api:openapi-json")).json()
    undeclared = sorted(set(schema["paths"]) - API_PATHS.keys())
    assert undeclared == [], f"declare these API paths in the scope matrix: {undeclared}"


def _secrets_of(w: World, side: str) -> list[str]:
    """Strings that only someone allowed to see ``side``'s people may find in a response."""
    objs = w.objects[side]
    return [objs["p1"].full_name, objs["p2"].full_name, objs["h1"].code, objs["h2"].code]


def _call(client: Client, route: Route, w: World, side: str, role: str) -> Any:
    url = route.url(w, side)
    if route.method == "POST" and route.json:
        body = json.dumps(route.data(w, side, role))
        return client.post(url, body, content_type="application/json")
    if route.method == "POST":
        return client.post(url, route.data(w, side, role))
    return client.get(url)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_scope(name, world):
    route = ROUTES[name]
    for role in ROLES:
        for side in ("ours", "other"):
            client = world.client(role)
            if route.expect is not None:
                allowed = route.expect(role, side)
            else:
                allowed = role in route.allowed and (
                    side == "ours" or not route.scoped or role == "national_admin" or route.public
                )
            before = db_fingerprint() if route.method == "POST" and not allowed else None
            response = _call(client, route, world, side, role)
            where = f"{name} as {role} on {side}"
            if role == "anonymous" and not route.public:
                assert response.status_code == route.anonymous, where
                if route.anonymous == 302:
                    assert "/login/" in response["Location"], where
            elif allowed:
                assert response.status_code in route.ok, f"{where}: {response.status_code}"
            else:
                assert response.status_code == 404, f"{where}: {response.status_code}"
            if before is not None:
                assert db_fingerprint() == before, f"{where} changed the database"
            if role != "national_admin" and response.status_code == 200:
                body = b"".join(response) if response.streaming else response.content
                text = body.decode("utf-8", "replace")
                leaked = [s for s in _secrets_of(world, "other") if s in text]
                assert leaked == [], f"{where} shows another commune's data: {leaked}"


def test_team_member_sees_only_their_villages(world):
    client = world.client("team_member")
    assert (
        client.get(reverse("registry:household", args=[_o(world, "ours", "h1").pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("registry:household", args=[_o(world, "ours", "h2").pk])).status_code
        == 404
    )
    page = client.get(reverse("ui:commune", args=[world.ours.code])).content.decode()
    assert "ours-H1" in page
    assert "ours-H2" not in page
    assert "Người Hai ours" not in page


def test_citizen_sees_only_themself(world):
    client = world.client("citizen")
    assert client.get(reverse("ui:person", args=[_o(world, "ours", "p1").pk])).status_code == 200
    assert client.get(reverse("ui:person", args=[_o(world, "ours", "p2").pk])).status_code == 404
    assert (
        client.get(reverse("registry:household", args=[_o(world, "ours", "h1").pk])).status_code
        == 404
    )


def test_province_officer_sees_province_but_keeps_nothing(world):
    client = world.client("province_officer")
    person_url = reverse("ui:person", args=[_o(world, "ours", "p1").pk])
    assert "Mông" in client.get(person_url).content.decode()  # sensitive: officers and above
    before = db_fingerprint()
    response = client.post(
        reverse("registry:household_create", args=[world.ours.code]), {"code": "P-1"}
    )
    assert response.status_code == 404
    assert db_fingerprint() == before


def test_admin_site_is_for_national_administrators_only(world):
    """No role opens the back office by itself: everyone, national admins included, is sent to
    its sign-in. Being staff — set by an administrator — is what opens it, and staff without
    the model's permission is refused."""
    for role in ROLES:
        response = world.client(role).get("/admin/registry/person/")
        assert response.status_code == 302, role
        assert "/admin/login/" in response["Location"], role
    admin = world.users["national_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    response = world.client("national_admin").get("/admin/registry/person/")
    assert response.status_code == 200
    assert "Người Một ours" in response.content.decode()
    officer = world.users["commune_officer"]
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    assert world.client("commune_officer").get("/admin/registry/person/").status_code == 403
