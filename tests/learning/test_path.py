"""The diagnostic sets the path: the courses that fill the gaps, in order, skipping what the
citizen already holds (their recorded skills and their "yes" answers) and what they passed; a
retake shows the progress. Helpers and officers see the progress of the people they cover."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hocvuso.core.errors import DomainError
from hocvuso.core.ids import uuid7
from hocvuso.learning.content import diagnostic_items
from hocvuso.learning.models import Diagnostic
from hocvuso.learning.selectors import path_for
from hocvuso.learning.services import diagnostic_record
from tests.factories import db_fingerprint, make_user, record

pytestmark = pytest.mark.django_db


def _answers(yes=()):  # type: ignore[no-untyped-def]
    return {i["skill"]: i["skill"] in yes for i in diagnostic_items()}


def test_the_path_skips_what_is_held_and_keeps_course_order(learning):
    # Already recorded in the registry: VNeID installed (by a home visit, say).
    record(learning.officer, learning.person, "vneid.install")
    record(learning.officer, learning.person, "2.6")
    yes = {"0.1", "0.2", "4.1", "safety.scams", "1.2"}  # smartphone course and scams course
    diagnostic_record(actor=learning.learner, id=uuid7(), answers=_answers(yes))
    path = path_for(learning.learner)
    assert path is not None
    assert [s.course.code for s in path.steps] == [
        "dich-vu-cong",
        "ngan-hang-qr",
        "du-lieu-ca-nhan",
        "4t-tieu-thuong",
        "4t-thuong-mai-dien-tu",
        "4t-thanh-toan",
        "4t-tiet-kiem-so",
        "tri-tue-nhan-tao",
    ]
    assert path.uncovered == []  # every skill asked is taught by a course


def test_the_ai_area_of_the_diagnostic_points_to_the_ai_course(learning):
    # Everything but AI held: the path is the AI course alone, with the AI skills still missing.
    ai = {"6.1", "6.2", "6.3"}
    everything = {i["skill"] for i in diagnostic_items()}
    assert ai <= everything
    diagnostic_record(actor=learning.learner, id=uuid7(), answers=_answers(everything - ai))
    path = path_for(learning.learner)
    assert path is not None
    assert [(s.course.code, s.missing) for s in path.steps] == [
        ("tri-tue-nhan-tao", ["6.1", "6.2", "6.3"])
    ]
    # Only "evaluating AI" not yet: the AI course still, for that one skill.
    diagnostic_record(actor=learning.learner, id=uuid7(), answers=_answers(everything - {"6.3"}))
    path = path_for(learning.learner)
    assert [(s.course.code, s.missing) for s in path.steps] == [("tri-tue-nhan-tao", ["6.3"])]
    diagnostic_record(actor=learning.learner, id=uuid7(), answers=_answers(everything))
    assert path_for(learning.learner).steps == []


def test_no_path_before_the_diagnostic_and_every_question_must_be_answered(learning):
    assert path_for(learning.learner) is None
    answers = _answers()
    answers.pop("0.1")
    with pytest.raises(DomainError) as caught:
        diagnostic_record(actor=learning.learner, id=uuid7(), answers=answers)
    assert caught.value.field == "answers"
    assert not Diagnostic.objects.exists()


def test_a_resent_diagnostic_is_stored_once(learning):
    sent = uuid7()
    diagnostic_record(actor=learning.learner, id=sent, answers=_answers())
    before = db_fingerprint()
    diagnostic_record(actor=learning.learner, id=sent, answers=_answers())
    assert db_fingerprint() == before
    with pytest.raises(DomainError):
        diagnostic_record(actor=learning.learner, id=sent, answers=_answers({"0.1"}))


def test_the_pages_take_the_diagnostic_and_show_the_path_and_progress(learning):
    client = learning.client()
    page = client.get(reverse("learning:courses")).content.decode()
    assert reverse("learning:diagnostic") in page
    form = {"id": str(uuid7())}
    for item in diagnostic_items():
        form[f"s_{item['skill']}"] = "no"
    response = client.post(reverse("learning:diagnostic"), form)
    assert response.status_code == 302
    first = Diagnostic.objects.get()
    Diagnostic.objects.filter(pk=first.pk).update(taken_at=first.taken_at - dt.timedelta(days=9))
    form.update({"id": str(uuid7()), "s_0.1": "yes", "s_0.2": "yes"})
    client.post(reverse("learning:diagnostic"), form)
    page = client.get(reverse("learning:courses")).content.decode()
    assert "2" in page.split('id="path"')[1].split("</p>")[0]  # two more things than last time
    assert reverse("learning:course", args=["dien-thoai-an-toan"]) in page


def test_helpers_and_officers_see_the_progress_of_the_people_they_cover(learning):
    from hocvuso.learning.services import enrollment_start

    enrollment_start(actor=learning.learner, course=learning.course, id=uuid7())
    officer = learning.client(learning.officer)
    page = officer.get(reverse("learning:learner", args=[learning.person.pk]))
    assert page.status_code == 200
    assert "Dùng điện thoại thông minh an toàn" in page.content.decode()
    commune = officer.get(reverse("learning:commune", args=[learning.commune.code]))
    assert commune.status_code == 200
    assert "Lò Thị Học" in commune.content.decode()
    from hocvuso.geo.models import Commune

    elsewhere = make_user(
        "can_bo_khac", "commune_officer", commune=Commune.objects.get(code="00004")
    )
    other = learning.client(elsewhere)
    assert other.get(reverse("learning:learner", args=[learning.person.pk])).status_code == 404
    assert other.get(reverse("learning:commune", args=[learning.commune.code])).status_code == 404


def test_a_helper_confirms_a_practical_step_the_learner_did(learning):
    from hocvuso.learning.models import Course, Enrollment, LearningEvent
    from hocvuso.learning.services import enrollment_start, practical_confirm, step_done

    course = Course.objects.get(code="vneid")  # step 1 (install VNeID) asks for a helper
    enrollment = enrollment_start(actor=learning.learner, course=course, id=uuid7())
    officer = learning.client(learning.officer)
    url = reverse("learning:confirm", args=[learning.person.pk])
    body = {"id": str(uuid7()), "enrollment": str(enrollment.pk), "step": "1"}
    before = db_fingerprint()
    officer.post(url, body)  # not done by the learner yet: refused
    assert db_fingerprint() == before
    for step in range(2):
        step_done(actor=learning.learner, enrollment=enrollment, id=uuid7(), step=step)
    page = officer.get(reverse("learning:learner", args=[learning.person.pk])).content.decode()
    assert "Cài ứng dụng VNeID" in page
    assert officer.post(url, body).status_code == 302
    assert officer.post(url, body).status_code == 302  # a double tap
    confirmations = LearningEvent.objects.filter(kind="step_confirmed", enrollment=enrollment)
    assert [(c.step, c.by_id) for c in confirmations] == [(1, learning.officer.pk)]
    # The learner cannot confirm their own step; a text step is not confirmed by anyone.
    enrollment = Enrollment.objects.select_related("version", "person").get(pk=enrollment.pk)
    with pytest.raises(DomainError):
        practical_confirm(actor=learning.officer, enrollment=enrollment, step=0, id=uuid7())
    from hocvuso.core.errors import NotFound

    with pytest.raises(NotFound):
        practical_confirm(actor=learning.learner, enrollment=enrollment, step=1, id=uuid7())


def test_every_diagnostic_question_has_its_picture_with_a_vietnamese_text(learning):
    from django.contrib.staticfiles import finders

    items = diagnostic_items()
    page = learning.client().get(reverse("learning:diagnostic")).content.decode()
    for item in items:
        assert item["alt"], item["skill"]
        assert item["picture"].endswith(".svg"), item["skill"]
        assert finders.find(f"learning/hinh/{item['picture']}"), item["picture"]
        tag = (
            f'<img class="picture" src="/static/learning/hinh/{item["picture"]}" '
            f'alt="{item["alt"]}"'
        )
        assert tag in page, item["skill"]
    assert page.count('<img class="picture"') == len(items)
    assert 'alt="Điện thoại với trợ lý AI đang trả lời một câu hỏi"' in page  # Vietnamese


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ('- area: "0"\n  skill: "0.1"\n  question: Có?\n  alt: Hình\n', "picture '' is not in"),
        (
            '- area: "0"\n  skill: "0.1"\n  question: Có?\n  picture: hinh/khong-co.svg\n'
            "  alt: Hình\n",
            "picture 'hinh/khong-co.svg' is not in",
        ),
        (
            '- area: "0"\n  skill: "0.1"\n  question: Có?\n  picture: hinh/ai-la-gi.svg\n',
            "say what the picture shows",
        ),
    ],
)
def test_a_diagnostic_question_without_its_picture_is_refused(tmp_path, entry, said):
    from hocvuso.learning.content import ContentInvalid

    path = tmp_path / "diagnostic.yaml"
    path.write_text(entry, encoding="utf-8")
    with pytest.raises(ContentInvalid) as caught:
        diagnostic_items(path)
    assert [said in p.message for p in caught.value.problems] == [True]
