"""Derived ids: one helper, three schemes, and every id already stored stays the same. The
expected values were computed outside the code (``openssl dgst -sha1`` / ``-sha256`` over the
bytes each scheme hashes, the version and variant bits set by hand), so a change to the helper
that would re-key stored records fails here."""

from __future__ import annotations

import uuid

import pytest

from hocvuso.core.ids import IdScheme, RandomPool, derived_id, uuid7

VISIT = uuid.UUID("01900000-0000-7000-8000-000000000001")
PERSON = uuid.UUID("01900000-0000-7000-8000-0000000000aa")
MENTORING_NAMESPACE = uuid.UUID("6d3b1c2e-5a0f-4f57-9a51-6b0c8e2f7a10")

# sha1(VISIT bytes + "<PERSON>/pay.qr") = 995ac219eea48ff8c207ab48…: version 5, variant 10.
TEAM_VISIT_EVENT = uuid.UUID("995ac219-eea4-5ff8-8207-ab4891f34e4b")
# sha1(MENTORING_NAMESPACE bytes + "<VISIT>/vneid.level2") = 5a9ec90de1ccb022ecf3f09a…
MENTORING_EVENT = uuid.UUID("5a9ec90d-e1cc-5022-acf3-f09a89cce436")
# VISIT's first 6 bytes + sha256("hocvuso.desk.skill:" + VISIT bytes)[:10] = 1120f28368dec8a83617
DESK_EVENT = uuid.UUID("01900000-0000-7120-b283-68dec8a83617")
# sha256("class/<VISIT>/<PERSON>/bank.account") = 556c2e61ea235212af10498d0097bcb0…
CLASS_GAIN = uuid.UUID("556c2e61-ea23-7212-af10-498d0097bcb0")
# sha256("class/00715/0") = 9036c112c55e3968c701b3e907b29da2…
DEMO_CLASS = uuid.UUID("9036c112-c55e-7968-8701-b3e907b29da2")


def test_each_scheme_gives_the_ids_already_stored():
    assert derived_id(IdScheme.UUID5, PERSON, "pay.qr", namespace=VISIT) == TEAM_VISIT_EVENT
    assert (
        derived_id(IdScheme.UUID5, VISIT, "vneid.level2", namespace=MENTORING_NAMESPACE)
        == MENTORING_EVENT
    )
    assert derived_id(IdScheme.TIMED, "hocvuso.desk.skill:", namespace=VISIT) == DESK_EVENT
    assert derived_id(IdScheme.HASHED, "class", VISIT, PERSON, "bank.account") == CLASS_GAIN
    assert derived_id(IdScheme.HASHED, "class", "00715", "0") == DEMO_CLASS


def test_every_app_derives_through_the_helper_and_keeps_its_ids():
    from hocvuso.classes.services import gain_uuid
    from hocvuso.demo.registry import demo_uuid
    from hocvuso.desk.services import skill_event_id_for
    from hocvuso.mentoring.services import session_event_id
    from hocvuso.teams.services import visit_event_id

    assert visit_event_id(VISIT, PERSON, "pay.qr") == TEAM_VISIT_EVENT
    assert session_event_id(VISIT, "vneid.level2") == MENTORING_EVENT
    assert skill_event_id_for(VISIT) == DESK_EVENT
    assert gain_uuid(VISIT, PERSON, "bank.account") == CLASS_GAIN
    assert demo_uuid("class", "00715", "0") == DEMO_CLASS


def test_the_v7_schemes_mark_version_and_variant_and_the_timed_one_sorts_by_its_anchor():
    anchor = uuid7()
    timed = derived_id(IdScheme.TIMED, "x", namespace=anchor)
    hashed = derived_id(IdScheme.HASHED, "x")
    assert (timed.version, hashed.version) == (7, 7)
    assert timed.variant == hashed.variant == uuid.RFC_4122
    assert timed.bytes[:6] == anchor.bytes[:6]
    assert derived_id(IdScheme.HASHED, "x", "y") != derived_id(IdScheme.HASHED, "x/z")


def test_a_scheme_without_its_namespace_is_refused():
    with pytest.raises(ValueError, match="needs a namespace"):
        derived_id(IdScheme.UUID5, "a")
    with pytest.raises(ValueError, match="needs a namespace"):
        derived_id(IdScheme.TIMED, "a")
    with pytest.raises(ValueError, match="takes no namespace"):
        derived_id(IdScheme.HASHED, "a", namespace=VISIT)


def test_the_random_pool_hands_out_each_piece_once_and_a_forked_child_its_own():
    import multiprocessing

    pool = RandomPool(12, count=8)
    pieces = [pool.take() for _ in range(20)]  # across refills
    assert all(len(p) == 12 for p in pieces)
    assert len(set(pieces)) == 20
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        send.send([pool.take() for _ in range(4)])

    process = context.Process(target=child)
    process.start()
    from_child = receive.recv()
    process.join()
    # The parent's buffer still holds unused pieces: the child must not hand out the same ones.
    from_parent = [pool.take() for _ in range(4)]
    assert not set(from_child) & set(from_parent)
    ids = {uuid7() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(u.version == 7 for u in ids)


def test_a_v7_id_is_a_uuid_like_any_other():
    """uuid7() builds its UUID without the constructor's checks: it must still be the very UUID
    ``uuid.UUID(int=…)`` makes, in every way the code and the database drivers use one."""
    import copy
    import pickle
    import uuid

    from hocvuso.core.ids import uuid7

    ids = [uuid7() for _ in range(1000)]
    for made in ids:
        plain = uuid.UUID(int=made.int)
        assert made == plain
        assert hash(made) == hash(plain)
        assert (str(made), repr(made), made.bytes, made.hex) == (
            str(plain), repr(plain), plain.bytes, plain.hex,
        )  # fmt: skip
        assert (made.version, made.variant) == (7, uuid.RFC_4122)
        assert made.is_safe is uuid.SafeUUID.unknown
        assert pickle.loads(pickle.dumps(made)) == made == copy.deepcopy(made)  # noqa: S301
    assert len(set(ids)) == 1000
    assert ids == sorted(ids, key=lambda u: u.int >> 80)  # time-ordered
