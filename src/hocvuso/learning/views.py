"""Pages of online learning: the courses, a course, a lesson, the quiz; the certificate and its
public verification; the issuer's DID document and the status list.

Thin: parse input, call one selector or service, render. A locked lesson or quiz is answered
with a page that says why (403), whatever the way in — a typed address, a stale tab, a replayed
form; the services refuse the write again under a lock.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.access.learning import (
    can_confirm_practical,
    can_edit_content,
    can_read_learning_figures,
)
from hocvuso.access.units import access_commune
from hocvuso.accounts.qr import qr_svg
from hocvuso.core.errors import DomainError, Kind, NotFound
from hocvuso.core.fetch import as_uuid
from hocvuso.core.ids import uuid7
from hocvuso.core.replicas import replica_reads
from hocvuso.core.web import not_found_as_404, paginate
from hocvuso.geo import selectors as geo_selectors
from hocvuso.learning import certificates, selectors, services, speech, video
from hocvuso.learning.content import ContentInvalid
from hocvuso.learning.errors import LearningError
from hocvuso.learning.models import Enrollment
from hocvuso.registry import selectors as registry_selectors

STATUS_LIST_MAX_AGE = 300  # seconds a verifier may cache the status list


def _refused(request: HttpRequest, course: Any, exc: DomainError) -> HttpResponse:
    status = 429 if exc.kind == Kind.LIMITED else 403
    return render(
        request, "learning/locked.html", {"course": course, "message": exc.message}, status=status
    )


@login_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_enrollments(request.user)
    rows = [(c, mine.get(c.pk)) for c in selectors.course_list()]
    diagnostics = selectors.my_diagnostics(request.user, limit=2)
    progress = None
    if len(diagnostics) == 2:  # a retake: how many more "yes" than the time before
        progress = sum(diagnostics[0].answers.values()) - sum(diagnostics[1].answers.values())
    return render(
        request,
        "learning/courses.html",
        {
            "rows": rows,
            "path": selectors.path_for(request.user),
            "progress": progress,
            "unit": selectors.my_unit(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def learner_unit(request: HttpRequest) -> HttpResponse:
    """Where the learner lives (an account linked to no registry person): the province first,
    then its communes and wards, from the official list; the choice can be changed later."""
    mine = selectors.my_unit(request.user)
    error = ""
    if request.method == "POST":
        try:
            commune = geo_selectors.commune_get(code=request.POST.get("commune", ""))
            services.learner_unit_set(actor=request.user, commune=commune)
        except NotFound:
            error = _("Choose your commune or ward from the list.")
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request, _("Saved: your learning counts in %(unit)s.") % {"unit": commune.name}
            )
            return redirect(_safe_next(request) or reverse("learning:courses"))
    province = request.GET.get("tinh") or (mine.commune.province_id if mine.commune else "")
    provinces = list(geo_selectors.province_search())
    communes = (
        list(geo_selectors.commune_search(province=province).filter(retired_at__isnull=True))
        if province
        else []
    )
    return render(
        request,
        "learning/unit.html",
        {
            "mine": mine,
            "provinces": provinces,
            "province": province,
            "communes": communes,
            "error": error,
            "next": _safe_next(request),
        },
        status=400 if error else 200,
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/hoc/") and "//" not in target else ""


@login_required
@require_GET
@not_found_as_404
def course_detail(request: HttpRequest, code: str) -> HttpResponse:
    course = selectors.course_get(code)
    enrollment = selectors.my_enrollment(request.user, course)
    content = enrollment.version.content if enrollment else selectors.published(course).content
    return render(
        request,
        "learning/course.html",
        {
            "course": course,
            "content": content,
            "enrollment": enrollment,
            "lessons": selectors.lessons(enrollment, content),
            "quiz": selectors.quiz_state(enrollment),
            "new_id": uuid7(),
            "unit": selectors.my_unit(request.user) if enrollment is None else None,
        },
    )


@login_required
@require_POST
@not_found_as_404
def course_start(request: HttpRequest, code: str) -> HttpResponse:
    course = selectors.course_get(code)
    try:
        services.enrollment_start(
            actor=request.user, course=course, id=as_uuid(request.POST.get("id"))
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("learning:course", code=code)
    enrollment = selectors.my_enrollment(request.user, course)
    number = 1
    if enrollment is not None:
        opened = [v for v in selectors.lessons(enrollment, enrollment.version.content) if v.open]
        number = opened[-1].number if opened else 1  # resume where they left
    return redirect("learning:lesson", code=code, number=number)


@login_required
@require_GET
@not_found_as_404
def lesson_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    course = selectors.course_get(code)
    enrollment = selectors.my_enrollment(request.user, course)
    try:
        view = selectors.lesson_get(enrollment, number)
    except DomainError as exc:
        if exc.kind == Kind.NOT_FOUND:
            raise
        return _refused(request, course, exc)
    assert enrollment is not None
    done = enrollment.steps_done
    steps = [
        {
            **s,
            "index": view.first_step + i,
            "done": view.first_step + i < done,
            "audio": speech.ready_key(s["speech"]),
            "video_key": video.ready_key(s),
        }
        for i, s in enumerate(view.steps)
    ]
    last = len(enrollment.version.content["lessons"])
    return render(
        request,
        "learning/lesson.html",
        {
            "course": course,
            "enrollment": enrollment,
            "lesson": view,
            "steps": steps,
            "next_step": done,
            "lesson_count": last,
            "is_last": number == last,
            "new_id": uuid7(),
            "drawn": int(time.time()),
        },
    )


@login_required
@require_POST
@not_found_as_404
def step_done(request: HttpRequest, code: str) -> HttpResponse:
    course = selectors.course_get(code)
    enrollment = selectors.my_enrollment_for_write(request.user, code)
    try:
        step = int(request.POST.get("step", ""))
        drawn = int(request.POST.get("drawn", "0"))
    except ValueError:
        raise NotFound() from None
    try:
        result = services.step_done(
            actor=request.user,
            enrollment=enrollment,
            id=as_uuid(request.POST.get("id")),
            step=step,
            seconds=max(0, int(time.time()) - drawn) if drawn else 0,
        )
    except DomainError as exc:
        if exc.kind == Kind.NOT_FOUND:
            raise
        return _refused(request, course, exc)
    full = selectors.my_enrollment(request.user, course)
    if full is None:
        raise NotFound()
    if result.enrollment.steps_done >= result.steps:
        return redirect("learning:quiz", code=code)
    opened = [v for v in selectors.lessons(full, full.version.content) if v.open]
    return redirect(f"{_lesson_url(code, opened[-1].number)}#step-{result.enrollment.steps_done}")


def _lesson_url(code: str, number: int) -> str:
    return reverse("learning:lesson", args=[code, number])


def _order(enrollment: Enrollment, index: int, n: int) -> list[int]:
    """The display order of an ordering question's steps: shuffled, the same for one attempt."""
    seed = hashlib.sha256(f"{enrollment.pk}/{enrollment.attempts}/{index}".encode()).digest()
    order = list(range(n))
    random.Random(seed).shuffle(order)  # noqa: S311 (a display order, not a secret)
    if order == list(range(n)):
        order.reverse()
    return order


def _answers(post: Any, questions: list[dict[str, Any]]) -> list[list[int]]:
    answers: list[list[int]] = []
    for i, q in enumerate(questions):
        if q["kind"] == "order":
            positions = []
            for j in range(len(q["choices"])):
                try:
                    positions.append((int(post.get(f"q{i}_{j}", "")), j))
                except ValueError:
                    positions.append((0, j))
            if len({p for p, _j in positions}) != len(positions):
                answers.append([])  # two steps in one place: the service says so
            else:
                answers.append([j for _p, j in sorted(positions)])
        else:
            try:
                answers.append([int(v) for v in post.getlist(f"q{i}")])
            except ValueError:
                answers.append([])
    return answers


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def quiz(request: HttpRequest, code: str) -> HttpResponse:
    course = selectors.course_get(code)
    enrollment = selectors.my_enrollment(request.user, course)
    if enrollment is not None and enrollment.passed and request.method == "GET":
        cert = getattr(enrollment, "certificate", None)
        if cert is not None:
            return redirect("learning:certificate", certificate_id=cert.pk)
    try:
        questions = selectors.quiz_get(enrollment)
    except DomainError as exc:
        if request.method == "POST" and enrollment is not None:
            # A replayed form of an attempt already stored: show what it scored.
            replay = _replayed_attempt(request, enrollment)
            if replay is not None:
                return replay
        return _refused(request, course, exc)
    assert enrollment is not None
    error = ""
    if request.method == "POST":
        try:
            result = services.quiz_attempt(
                actor=request.user,
                enrollment=enrollment,
                id=as_uuid(request.POST.get("id")),
                answers=_answers(request.POST, questions),
            )
        except DomainError as exc:
            if exc.kind == Kind.NOT_FOUND:
                raise
            if exc.code != LearningError.BAD_ANSWERS:
                return _refused(request, course, exc)
            error = exc.message
        else:
            return _attempt_page(request, course, result.enrollment, result.event)
    for i, q in enumerate(questions):
        if q["kind"] == "order":
            q["display"] = [(j, q["choices"][j]) for j in _order(enrollment, i, len(q["choices"]))]
            q["positions"] = list(range(1, len(q["choices"]) + 1))
        else:
            q["display"] = list(enumerate(q["choices"]))
        q["number"] = i
    return render(
        request,
        "learning/quiz.html",
        {
            "course": course,
            "enrollment": enrollment,
            "questions": questions,
            "new_id": uuid7(),
            "error": error,
            "pass_mark": enrollment.version.content["pass_mark"],
        },
    )


def _replayed_attempt(request: HttpRequest, enrollment: Enrollment) -> HttpResponse | None:
    try:
        event = services.attempt_stored(enrollment=enrollment, id=as_uuid(request.POST.get("id")))
    except NotFound:
        return None
    if event is None:
        return None
    return _attempt_page(request, enrollment.course, enrollment, event)


def _attempt_page(
    request: HttpRequest, course: Any, enrollment: Enrollment, event: Any
) -> HttpResponse:
    if event.passed:
        cert = getattr(enrollment, "certificate", None)
        if cert is not None:
            messages.success(request, _("You passed! Here is your certificate."))
            return redirect("learning:certificate", certificate_id=cert.pk)
    return render(
        request,
        "learning/attempt.html",
        {
            "course": course,
            "event": event,
            "questions": len(enrollment.version.content["quiz"]["questions"]),
            "pass_mark": enrollment.version.content["pass_mark"],
            "retry_at": services.retry_at(enrollment),
        },
    )


# --- Certificates ---------------------------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
def certificate_detail(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    cert = selectors.certificate_get(request.user, certificate_id)
    url = certificates.verify_url(cert)
    return render(
        request,
        "learning/certificate.html",
        {
            "cert": cert,
            "verify_url": url,
            "qr": qr_svg(url, label=_("QR code of the verification page")),
        },
    )


@login_required
@require_GET
@not_found_as_404
def certificate_print(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    cert = selectors.certificate_get(request.user, certificate_id)
    url = certificates.verify_url(cert)
    return render(
        request,
        "learning/certificate_print.html",
        {
            "cert": cert,
            "verify_url": url,
            "qr": qr_svg(url, label=_("QR code of the verification page")),
        },
    )


@require_GET
@replica_reads
def verify(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """Public: genuine / revoked / unknown, the issuer, the course, the date, the holder's name
    and birth year — checked from the signed credential, not only from our rows."""
    cert = selectors.certificate_public(certificate_id)
    result = certificates.verification(cert)
    response = render(
        request,
        "learning/verify.html",
        {"cert": cert, "result": result},
        status=200 if cert is not None else 404,
    )
    patch_cache_control(response, no_store=True)
    return response


@require_GET
@replica_reads
def credential(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """Public: the signed credential (VC-JWT) to download."""
    cert = selectors.certificate_public(certificate_id)
    if cert is None:
        return HttpResponse(status=404)
    response = HttpResponse(cert.credential, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="chung-chi-{cert.pk}.jwt"'
    return response


@require_GET
@replica_reads
def status_list(request: HttpRequest, list_id: int) -> HttpResponse:
    token = certificates.status_list_credential(list_id)
    if token is None:
        return HttpResponse(status=404)
    response = HttpResponse(token, content_type="application/vc+jwt")
    patch_cache_control(response, public=True, max_age=STATUS_LIST_MAX_AGE)
    response["ETag"] = '"' + hashlib.sha256(token.encode()).hexdigest()[:32] + '"'
    return response


@require_GET
def did_document(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(certificates.did_document(), content_type="application/did+json")
    patch_cache_control(response, public=True, max_age=3600)
    return response


# --- The diagnostic, the path, helpers and officers ------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def diagnostic(request: HttpRequest) -> HttpResponse:
    questions = selectors.diagnostic_questions()
    error = ""
    if request.method == "POST":
        answers = {}
        for q in questions:
            value = request.POST.get(f"s_{q['skill']}")
            if value in {"yes", "no"}:
                answers[q["skill"]] = value == "yes"
        try:
            services.diagnostic_record(
                actor=request.user, id=as_uuid(request.POST.get("id")), answers=answers
            )
        except NotFound:
            raise
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(reverse("learning:courses") + "#path")
    previous = selectors.my_diagnostics(request.user, limit=1)
    return render(
        request,
        "learning/diagnostic.html",
        {
            "questions": questions,
            "new_id": uuid7(),
            "error": error,
            "previous": previous[0].answers if previous else {},
        },
    )


@login_required
@require_GET
@not_found_as_404
def learner_progress(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """A helper's view of the progress of someone they guide."""
    person = registry_selectors.person_get(request.user, person_id)
    enrollments = selectors.person_enrollments(request.user, person)
    for e in enrollments:  # one new id per confirmation button (a double tap stores one)
        e.practicals = [(*p, uuid7()) for p in e.practicals]  # type: ignore[attr-defined]
    return render(
        request,
        "learning/learner.html",
        {
            "person": person,
            "enrollments": enrollments,
            "can_confirm": can_confirm_practical(request.user, person),
        },
    )


@login_required
@require_POST
@not_found_as_404
def practical_confirm(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """A helper confirms a practical step the learner did (install VNeID, pay by QR …)."""
    person = registry_selectors.person_get(request.user, person_id)
    enrollment = selectors.enrollment_of_person(
        request.user, person, request.POST.get("enrollment")
    )
    try:
        step = int(request.POST.get("step", ""))
    except ValueError:
        raise NotFound() from None
    try:
        services.practical_confirm(
            actor=request.user, enrollment=enrollment, step=step, id=as_uuid(request.POST.get("id"))
        )
    except DomainError as exc:
        if exc.kind == Kind.NOT_FOUND:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Confirmed."))
    return redirect("learning:learner", person_id=person.pk)


@login_required
@require_GET
@not_found_as_404
def commune_learning(request: HttpRequest, code: str) -> HttpResponse:
    commune = access_commune(request.user, code, allowed=can_read_learning_figures)
    page = paginate(
        selectors.commune_enrollments(request.user, commune),
        request.GET.get("page"),
        rows=selectors.enrollment_rows,
    )
    return render(
        request,
        "learning/commune.html",
        {"commune": commune, "page": page, "figures": selectors.commune_figures(commune.code)},
    )


@require_GET
def audio(request: HttpRequest, key: str) -> HttpResponse | FileResponse:
    """A step's read-aloud (Ogg Opus), named by what it says: cached for good."""
    if not speech.valid_key(key) or not speech.path_of(key).is_file():
        return HttpResponse(status=404)
    response = FileResponse(speech.path_of(key).open("rb"), content_type="audio/ogg")
    patch_cache_control(response, public=True, max_age=31_536_000, immutable=True)
    return response


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _ranged(request: HttpRequest, path: Path, content_type: str) -> HttpResponse:
    """A file of ours, named by what it holds (cached for good), in part when the request asks
    for a byte range (``Range: bytes=a-b``, one range: what video players send to seek)."""
    size = path.stat().st_size
    found = _RANGE.match(request.headers.get("Range", "").strip())
    ranged = bool(found and (found.group(1) or found.group(2)))
    first, last = 0, size - 1
    if found and ranged:
        if found.group(1):
            first = int(found.group(1))
            last = min(int(found.group(2)), size - 1) if found.group(2) else size - 1
        else:  # the last n bytes
            first = max(size - int(found.group(2)), 0)
        if first > last or first >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
    with path.open("rb") as f:
        f.seek(first)
        body = f.read(last - first + 1)
    response = HttpResponse(body, content_type=content_type, status=206 if ranged else 200)
    if ranged:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{path.stem}"'
    patch_cache_control(response, public=True, max_age=31_536_000, immutable=True)
    return response


@require_GET
def video_file(request: HttpRequest, key: str) -> HttpResponse:
    """A step's narrated video (MP4), named by what makes it: served in ranges, cached for good."""
    if not video.valid_key(key) or not video.path_of(key).is_file():
        return HttpResponse(status=404)
    return _ranged(request, video.path_of(key), "video/mp4")


@require_GET
def video_captions(request: HttpRequest, key: str) -> HttpResponse:
    """The video's captions (WebVTT), made with it from the step's text."""
    if not video.valid_key(key) or not video.path_of(key, ".vtt").is_file():
        return HttpResponse(status=404)
    return _ranged(request, video.path_of(key, ".vtt"), "text/vtt; charset=utf-8")


# --- The content page (national content editors) --------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def content(request: HttpRequest) -> HttpResponse:
    """Submit an edited course file (checked, stored as a draft version) and see every version:
    the national content editors."""
    if not can_edit_content(request.user):
        raise NotFound()
    problems: list[str] = []
    text = ""
    status = 200
    if request.method == "POST":
        name = str(request.POST.get("name", "")).strip()
        text = str(request.POST.get("text", ""))
        if not name.endswith(".md"):
            name += ".md"
        try:
            loaded = services.course_version_submit(actor=request.user, name=name, text=text)
        except ContentInvalid as exc:
            problems = [str(p) for p in exc.problems]
            status = 400
        else:
            if loaded.new:
                messages.success(
                    request,
                    _("Version %(n)s of %(course)s is stored as a draft.")
                    % {"n": loaded.version.number, "course": loaded.course.code},
                )
            else:
                messages.info(request, _("This text is already stored: nothing changed."))
            return redirect("learning:content")
    return render(
        request,
        "learning/content.html",
        {"courses": selectors.content_courses(), "problems": problems, "text": text},
        status=status,
    )


@login_required
@require_POST
@not_found_as_404
def content_publish(request: HttpRequest, version_id: UUID) -> HttpResponse:
    if not can_edit_content(request.user):
        raise NotFound()
    version = selectors.version_get(version_id)
    services.course_version_publish(actor=request.user, version=version)
    messages.success(request, _("Published: new learners start this version."))
    return redirect("learning:content")
