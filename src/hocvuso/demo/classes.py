"""Demo data for classes and back-checks: a few classes over recent months with attendance and
skills gained, and one back-check round with outcomes. Idempotent: every id is derived from the
commune and an index (:func:`hocvuso.demo.registry.demo_uuid`), so a replay adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from hocvuso.classes.models import ClassRegistration
from hocvuso.classes.services import (
    NewPerson,
    class_attendance_set,
    class_create,
    class_gains_record,
    class_register,
)
from hocvuso.demo.registry import demo_uuid
from hocvuso.geo.models import Commune
from hocvuso.registry.models import Person
from hocvuso.skills.checks import check_outcome_record, check_round_draw
from hocvuso.skills.models import BackCheck, CheckOutcome, Skill

CLASSES = [
    ("Lớp cài đặt và định danh VNeID", "Chi đoàn thôn", ["vneid.install", "vneid.level2"]),
    ("Mở tài khoản ngân hàng số an toàn", "Đoàn xã", ["bank.account"]),
    ("Dùng dịch vụ công trực tuyến", "Tổ công nghệ số cộng đồng", ["vneid.install"]),
]
NAMES = ["Lò Văn Tú", "Giàng Thị Mỷ", "Vàng Seo Chứ", "Hoàng Thị Lan", "Sùng Mí Dế", "Lý Thị Xuân"]


def demo_classes(*, commune: Commune, organiser: Any, officer: Any, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    people = list(
        Person.objects.filter(commune=commune, erased_at__isnull=True)
        .exclude(household__code__startswith="LOP-")  # not the people added at the door
        .order_by("pk")[:60]
    )
    skills = {s.code: s for s in Skill.objects.filter(is_active=True)}
    out = {"classes": 0, "registrations": 0, "gains": 0, "checks": 0}
    for i, (title, branch, codes) in enumerate(CLASSES):
        starts = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=25 + 30 * i), dt.time(8, 0))
        )
        klass = class_create(
            actor=officer,
            id=demo_uuid("class", commune.code, str(i)),
            commune=commune,
            title=title,
            branch=branch,
            starts_at=starts,
            capacity=20,
            skills=[skills[c] for c in codes if c in skills],
            organiser=organiser,
            volunteers=[organiser],
        )
        out["classes"] += 1
        chosen = rng.sample(people, min(len(people), 8)) if people else []
        for j, person in enumerate(chosen):
            class_register(
                actor=officer, id=demo_uuid("class-reg", str(klass.pk), str(j)), klass=klass,
                person=person,
            )  # fmt: skip
        for j, name in enumerate(NAMES[: 2 + i]):  # added at the door
            class_register(
                actor=officer,
                id=demo_uuid("class-door", str(klass.pk), str(j)),
                klass=klass,
                # Newcomers on purpose (the matches a real door would offer are skipped).
                new_person=NewPerson(
                    full_name=name, sex="MF"[j % 2], birth_year=1960 + 7 * j, confirmed_new=True
                ),
            )
        regs = list(ClassRegistration.objects.filter(klass=klass).order_by("pk"))
        present = [r.person_id for k, r in enumerate(regs) if k % 5 != 4]
        class_attendance_set(actor=officer, klass=klass, present=present)
        topic = [c for c in codes if c in skills]
        gains = [(p, c) for k, p in enumerate(present) for c in topic[: 1 + k % 2]]
        class_gains_record(actor=officer, klass=klass, gains=gains)
        out["registrations"] += len(regs)
        out["gains"] += len(gains)
    rnd = check_round_draw(
        actor=officer,
        id=demo_uuid("check-round", commune.code),
        commune=commune,
        period_from=today - dt.timedelta(days=120),
        period_to=today,
        percent=Decimal(10),
        seed=seed,
    )
    pattern = [CheckOutcome.CONFIRMED] * 5 + [CheckOutcome.NOT_CONFIRMED, CheckOutcome.UNREACHABLE]
    for k, check in enumerate(BackCheck.objects.filter(round=rnd).order_by("event_id")):
        out["checks"] += 1
        if check.outcome != CheckOutcome.PENDING or k % 8 == 7:  # one in eight left to do
            continue
        check_outcome_record(
            actor=officer, check=check, outcome=pattern[k % len(pattern)], note="Gọi điện"
        )
    return out
