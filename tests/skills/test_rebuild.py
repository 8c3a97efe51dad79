"""`hocvuso rebuild_status`: no difference after a mixed workload; finds and repairs a corrupted
row; --check writes nothing and exits 1 on a difference."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hocvuso.core.actors import SYSTEM
from hocvuso.core.ids import uuid7
from hocvuso.registry.services import household_create, person_register
from hocvuso.skills.models import PersonSkillStatus, Skill, SkillEvent
from hocvuso.skills.services import (
    EventInput,
    skill_event_record,
    skill_event_reverse,
    skill_events_record_batch,
)
from tests.factories import status_by_hand

pytestmark = pytest.mark.django_db

CHANNELS = ["home_visit", "class", "mentoring", "support_desk", "online_course", "self_declared"]


def _rebuild(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    out = StringIO()
    code = 0
    try:
        call_command("rebuild_status", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue().strip().splitlines()[-1])


def _population(commune, village, n: int):  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    people = []
    for h in range(n // 5):
        household = household_create(
            actor=SYSTEM, commune=commune, code=f"R-{h:04d}", village=village
        )
        for i in range(5):
            people.append(
                person_register(
                    actor=SYSTEM,
                    household=household,
                    full_name=f"Người {h}-{i}",
                    sex=rng.choice("MF"),
                    birth_year=rng.randint(1940, 2008),
                )
            )
    return people


def test_no_difference_after_10000_events_then_repairs_corruption(commune, village, officer):
    started = time.perf_counter()
    people = _population(commune, village, 500)
    skills = list(Skill.objects.all())
    rng = random.Random(2025)
    today = timezone.localdate()
    recorded: list[SkillEvent] = []
    total = 0
    while total < 10_000:
        roll = rng.random()
        if roll < 0.03 and recorded:  # a reversal (one at a time, as on the page)
            victim = recorded.pop(rng.randrange(len(recorded)))
            skill_event_reverse(actor=officer, event=victim, reason="Ghi nhầm", id=uuid7())
            total += 1
        elif roll < 0.06:  # one event through the single-event service, sometimes resent
            event = skill_event_record(
                actor=officer,
                id=uuid7(),
                person=rng.choice(people),
                skill=rng.choice(skills),
                happened_on=today - dt.timedelta(days=rng.randint(0, 365)),
                channel=rng.choice(CHANNELS),
                helped_by=officer,
            )
            again = skill_event_record(
                actor=officer,
                id=event.pk,
                person=event.person,
                skill=event.skill,
                happened_on=event.happened_on,
                channel=event.channel,
                helped_by=officer,
            )
            assert again.replayed
            recorded.append(event)
            total += 1
        else:  # a sync batch of up to 200 events, with one resent event in it
            size = min(200, 10_000 - total)
            batch = [
                EventInput(
                    id=uuid7(),
                    person=rng.choice(people),
                    skill=rng.choice(skills),
                    happened_on=today - dt.timedelta(days=rng.randint(0, 365)),
                    channel=rng.choice(CHANNELS),
                    helped_by=officer if rng.random() < 0.7 else None,
                )
                for _ in range(size)
            ]
            out = skill_events_record_batch(actor=officer, events=[*batch, batch[0]])
            assert out[-1].pk == out[0].pk
            recorded.extend(out[:-1])
            total += size
    assert SkillEvent.objects.count() == 10_000
    workload = time.perf_counter() - started

    code, report = _rebuild("--check")
    assert (code, report["differences"]) == (0, {})
    assert report["persons"] == PersonSkillStatus.objects.count() > 400

    # Every person's stored status equals a recount by hand from their raw events.
    rows = {r.person_id: r for r in PersonSkillStatus.objects.filter(person__in=people)}
    by_hand = status_by_hand([p.pk for p in people])
    assert len(rows) > 400

    def stored(row: PersonSkillStatus) -> dict:  # type: ignore[type-arg]
        return {f: sorted(row.t4) if f == "t4" else getattr(row, f) for f in by_hand[row.pk]}

    mismatched = [pk for pk, want in by_hand.items() if pk in rows and stored(rows[pk]) != want]
    assert mismatched == []
    # Nobody without a row holds anything; withdrawn gains were really recounted out.
    assert all(by_hand[pk]["skills"] == [] for pk in by_hand if pk not in rows)
    assert sum(1 for w in by_hand.values() if w["vneid_level"] == 2) > 10
    assert sum(1 for w in by_hand.values() if w["t4_mask"]) > 10

    # Corrupt two rows, delete a third: --check finds them and writes nothing; the rebuild repairs.
    a, b, c = PersonSkillStatus.objects.order_by("pk")[:3]
    a.vneid_level = 2 if a.vneid_level != 2 else 0
    a.skills = [*a.skills, "made.up"]
    a.save()
    b.has_bank_account = not b.has_bank_account
    b.save()
    c.delete()
    code, report = _rebuild("--check")
    assert code == 1
    assert report["differences"]["vneid_level"] >= 1  # a (and c when it had a level)
    assert report["differences"]["skills"] >= 2  # a, and c's missing row
    assert report["differences"]["has_bank_account"] >= 1
    assert report["differences"]["missing"] == 1
    assert report["repaired"] is False
    assert PersonSkillStatus.objects.filter(pk=c.pk).exists() is False
    code, report = _rebuild()
    assert code == 0
    assert report["repaired"] is True
    code, report = _rebuild("--check")
    assert (code, report["differences"]) == (0, {})
    print(f"workload {workload:.1f}s")


def test_changing_the_basic_set_recomputes_statuses_and_figures(
    commune, officer, head, settings, django_capture_on_commit_callbacks
):
    """A skill set changed by a national admin: once committed, the statuses of the set's scope
    are recomputed by a background job, and the dashboards follow (recount equal)."""
    from hocvuso.core.actors import SYSTEM
    from hocvuso.kpi import summaries
    from hocvuso.skills.facts import skill_sets
    from hocvuso.skills.models import PersonSkillStatus, SkillSet
    from hocvuso.skills.services import skill_set_members_set
    from tests.factories import record

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    basic = list(skill_sets().of("basic", None))
    for code in basic[:-1]:
        record(officer, head, code)
    assert PersonSkillStatus.objects.get(person=head).basic_complete is False
    national = SkillSet.objects.get(code="basic", province__isnull=True)
    with django_capture_on_commit_callbacks(execute=True):
        skill_set_members_set(actor=SYSTEM, skill_set=national, codes=basic[:-1])
    assert PersonSkillStatus.objects.get(person=head).basic_complete is True
    assert summaries.check() == []
