"""What online learning holds about a person: their enrolments (progress, attempts, time spent)
and their certificates. Erasure keeps every enrolment and its events (the learning figures are
counted from them), revokes the person's certificates (their bits set in the status list) and
clears what identifies the holder — the name and birth year on the row and the signed
credential that carries the name."""

from __future__ import annotations

from typing import Any

from hocvuso.core.export import when
from hocvuso.core.personal_data import ERASED_TEXT, Provider, move_rows, register
from hocvuso.learning.certificates import certificates_revoke, verify_url
from hocvuso.learning.models import (
    Certificate,
    Diagnostic,
    Enrollment,
    EventKind,
    LearningEvent,
)


def export(person: Any) -> dict[str, Any]:
    enrollments = list(
        Enrollment.objects.filter(person=person)
        .select_related("course", "version")
        .order_by("created_at")
    )
    attempts: dict[Any, list[dict[str, Any]]] = {}
    for e in LearningEvent.objects.filter(
        enrollment__person=person, kind=EventKind.QUIZ_ATTEMPT
    ).order_by("at"):
        attempts.setdefault(e.enrollment_id, []).append(
            {"at": when(e.at), "score": e.score, "passed": e.passed}
        )
    certs = Certificate.objects.filter(person=person).select_related("course").order_by("issued_at")
    return {
        "learning": {
            "enrollments": [
                {
                    "course": e.course.code,
                    "title": e.version.content["title"],
                    "version": e.version.number,
                    "started": when(e.created_at),
                    "steps_done": e.steps_done,
                    "steps": e.version.steps,
                    "seconds": e.seconds,
                    "attempts": attempts.get(e.pk, []),
                    "passed": e.passed,
                    "completed_at": when(e.completed_at),
                }
                for e in enrollments
            ],
            "diagnostics": [
                {"taken_at": when(d.taken_at), "answers": d.answers}
                for d in Diagnostic.objects.filter(person=person).order_by("taken_at")
            ],
            "certificates": [
                {
                    "id": str(c.pk),
                    "course": c.course.code,
                    "issued_at": when(c.issued_at),
                    "revoked_at": when(c.revoked_at),
                    "verify": verify_url(c),
                    "credential": c.credential,
                }
                for c in certs
            ],
        }
    }


def erase(person: Any, actor: Any) -> dict[str, int]:
    """The certificates are revoked and stripped of the holder; progress rows stay (counted)."""
    certs = list(Certificate.objects.filter(person=person))
    revoked = certificates_revoke(
        actor=actor, certificates=certs, reason="Xoá dữ liệu cá nhân theo yêu cầu"
    )
    cleared = Certificate.objects.filter(person=person).update(
        holder_name=ERASED_TEXT, holder_birth_year=None, credential=""
    )
    return {"certificates_revoked": revoked, "certificates_cleared": cleared}


def reassign(
    source: Any, target: Any, rows: dict[str, list[str]] | None, actor: Any
) -> dict[str, list[str]]:
    """Enrolments, certificates (the name they were issued under stays) and self-assessments."""
    return {
        **move_rows("learning.enrollment", "person", source, target, rows),
        **move_rows("learning.certificate", "person", source, target, rows),
        **move_rows("learning.diagnostic", "person", source, target, rows),
    }


register(
    Provider(
        app="learning",
        models=("learning.enrollment", "learning.certificate", "learning.diagnostic"),
        export=export,
        erase=erase,
        reassign=reassign,
    )
)
