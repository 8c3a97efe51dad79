"""Course files: the shipped courses are valid; a broken file is refused with its file and line;
a changed file becomes a new version and a learner keeps the version they started."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hocvuso.core.actors import SYSTEM
from hocvuso.core.models import AuditLog
from hocvuso.learning.content import COURSES_DIR, ContentInvalid, course_files, parse_course
from hocvuso.learning.models import Course, CourseVersion
from hocvuso.learning.services import courses_load, enrollment_start
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# The courses the issue asks for (group 0, VNeID, the online public service, bank + QR, scams,
# personal data, and one per T of the 4T path).
SHIPPED = {
    "dien-thoai-an-toan",
    "vneid",
    "dich-vu-cong",
    "ngan-hang-qr",
    "lua-dao",
    "du-lieu-ca-nhan",
    "4t-tieu-thuong",
    "4t-thuong-mai-dien-tu",
    "4t-thanh-toan",
    "4t-tiet-kiem-so",
    "tri-tue-nhan-tao",
}

GOOD = """---
code: {code}
title: Khóa thử
area: "0"
order: 1
skills: ["0.1"]
pass_mark: 4
retry_wait_minutes: 5
---
# Bài 1
## Bước một
Chữ một.
# Bài 2
## Bước hai
Chữ hai.
## Làm thử {{practical helper}}
Làm đi.
# Bài 3
## Bước ba
Chữ ba.
# Kiểm tra {{quiz}}
## Câu 1
- [x] Đúng
- [ ] Sai
## Câu 2
- [ ] Sai
- [x] Đúng
## Câu 3
- [x] A
- [x] B
- [ ] C
## Câu 4 {{order}}
1. Một
2. Hai
3. Ba
## Câu 5
- [x] Có
- [ ] Không
"""


def test_the_shipped_courses_are_all_there_and_valid(units):
    assert {p.stem for p in course_files()} == SHIPPED
    loaded = courses_load(actor=SYSTEM)
    assert {x.course.code for x in loaded} == SHIPPED
    for item in loaded:
        content = item.version.content
        assert len(content["lessons"]) >= 3, item.course.code
        assert len(content["quiz"]["questions"]) >= 5, item.course.code
        assert item.version.status == "published"
        assert item.course.current_id == item.version.pk
        assert content["sources"], f"{item.course.code} names no source"


def test_the_ai_course_grants_the_ai_area_and_the_diagnostic_points_to_it(units):
    # The course of framework area 6 (Circular 02/2025: understanding, using, evaluating AI).
    loaded = {x.course.code: x for x in courses_load(actor=SYSTEM)}
    content = loaded["tri-tue-nhan-tao"].version.content
    assert (content["area"], content["skills"]) == ("6", ["6.1", "6.2", "6.3"])
    assert [len(lesson["steps"]) for lesson in content["lessons"]] == [2, 2, 2]
    questions = content["quiz"]["questions"]
    assert len(questions) == 6
    assert [q["kind"] for q in questions] == [
        "single",
        "multiple",
        "single",
        "single",
        "single",
        "order",
    ]
    assert content["pass_mark"] == 4
    # Its picture choice: the official store is right, the stranger's link wrong.
    store = questions[3]
    assert store["answer"] == [0]
    assert "hinh/kho-ung-dung-cap-nhat.svg" in store["choices"][0]["html"]
    assert "hinh/link-nguoi-la.svg" in store["choices"][1]["html"]
    from hocvuso.learning.content import diagnostic_items

    asked = {i["skill"] for i in diagnostic_items() if i["area"] == "6"}
    assert asked == {"6.1", "6.2", "6.3"}


def test_parse_gives_steps_questions_and_answer_keys():
    course = parse_course("thu.md", GOOD.format(code="thu"))
    assert [len(lesson["steps"]) for lesson in course["lessons"]] == [1, 2, 1]
    practical = course["lessons"][1]["steps"][1]
    assert (practical["kind"], practical["helper_confirm"]) == ("practical", True)
    assert practical["html"] == "<p>Làm đi.</p>\n"
    assert practical["speech"] == "Làm thử\nLàm đi."
    kinds = [q["kind"] for q in course["quiz"]["questions"]]
    assert kinds == ["single", "single", "multiple", "order", "single"]
    assert [q["answer"] for q in course["quiz"]["questions"]] == [[0], [1], [0, 1], [0, 1, 2], [0]]


@pytest.mark.parametrize(
    ("change", "line", "said"),
    [
        (("pass_mark: 4", "pass_mark: bốn"), 7, "'pass_mark' must be a int"),
        (('skills: ["0.1"]', 'skills: ["9.9"]'), 6, "unknown skill '9.9'"),
        (('area: "0"', 'area: "Z"'), 4, "unknown area 'Z'"),
        (("order: 1\n", "order: 1\ncolour: red\n"), 6, "unknown key 'colour'"),
        (("title: Khóa thử", "title: [không đóng"), 4, "not valid YAML"),
        (("- [x] Có\n- [ ] Không", "- [ ] Có\n- [ ] Không"), 36, "exactly one '[x]'"),
        (("2. Hai\n3. Ba", "3. Hai\n2. Ba"), 34, "number the steps"),
        (("## Bước ba\nChữ ba.", "## Bước ba"), 19, "the step has no text"),
        (("## Làm thử {practical helper}", "## Làm thử {helper}"), 16, "only a practical step"),
        (("## Câu 5\n- [x] Có\n- [ ] Không\n", ""), 21, "at least 5 questions"),
    ],
)
def test_a_broken_file_is_refused_naming_file_and_line(units, tmp_path, change, line, said):
    text = GOOD.format(code="thu").replace(*change)
    assert text != GOOD.format(code="thu")
    (tmp_path / "thu.md").write_text(text, encoding="utf-8")
    with pytest.raises(ContentInvalid) as caught:
        courses_load(actor=SYSTEM, directory=tmp_path)
    problems = [(p.file, p.line) for p in caught.value.problems if said in p.message]
    assert problems == [("thu.md", line)], str(caught.value)
    assert not Course.objects.exists()


def test_one_broken_file_refuses_the_whole_load_and_the_command_says_where(units, tmp_path):
    (tmp_path / "tot.md").write_text(GOOD.format(code="tot"), encoding="utf-8")
    (tmp_path / "hong.md").write_text(GOOD.format(code="khac"), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_courses", "--dir", str(tmp_path))
    assert "hong.md:2: 'code' must be the file's name, hong" in str(caught.value)
    assert not Course.objects.exists()


def test_a_changed_file_is_a_new_version_and_a_learner_keeps_theirs(units, tmp_path):
    path = tmp_path / "thu.md"
    path.write_text(GOOD.format(code="thu"), encoding="utf-8")
    first = courses_load(actor=SYSTEM, directory=tmp_path)[0]
    assert (first.version.number, first.new) == (1, True)
    learner = make_user("hoc_vien")
    early = enrollment_start(actor=learner, course=first.course, id=_id())
    again = courses_load(actor=SYSTEM, directory=tmp_path)[0]
    assert (again.version.pk, again.new) == (first.version.pk, False)  # unchanged: nothing new
    path.write_text(GOOD.format(code="thu").replace("Chữ một.", "Chữ một, sửa."), encoding="utf-8")
    second = courses_load(actor=SYSTEM, directory=tmp_path)[0]
    assert (second.version.number, second.new) == (2, True)
    course = Course.objects.get(code="thu")
    assert course.current_id == second.version.pk
    early.refresh_from_db()
    assert early.version_id == first.version.pk  # the version they started
    late = enrollment_start(actor=make_user("hoc_vien_2"), course=course, id=_id())
    assert late.version_id == second.version.pk
    assert CourseVersion.objects.filter(course=course).count() == 2
    assert AuditLog.objects.filter(action="course.load").count() == 2


def test_a_draft_is_stored_but_not_published(units, tmp_path):
    path = tmp_path / "thu.md"
    path.write_text(GOOD.format(code="thu"), encoding="utf-8")
    courses_load(actor=SYSTEM, directory=tmp_path)
    path.write_text(
        GOOD.format(code="thu").replace("order: 1", "order: 1\nstatus: draft"), encoding="utf-8"
    )
    loaded = courses_load(actor=SYSTEM, directory=tmp_path)[0]
    assert (loaded.version.number, loaded.version.status) == (2, "draft")
    assert Course.objects.get(code="thu").current.number == 1


def test_only_national_admins_load_courses(units, tmp_path):
    shutil.copy(COURSES_DIR / "vneid.md", tmp_path / "vneid.md")
    officer = make_user("can_bo", "commune_officer", commune=_commune())
    from hocvuso.core.errors import NotFound

    with pytest.raises(NotFound):
        courses_load(actor=officer, directory=Path(tmp_path))
    assert not Course.objects.exists()


def _id():  # type: ignore[no-untyped-def]
    from hocvuso.core.ids import uuid7

    return uuid7()


def _commune():  # type: ignore[no-untyped-def]
    from hocvuso.geo.models import Commune

    return Commune.objects.get(code="00715")


def test_the_content_page_stores_a_draft_then_publishes_it(units):
    from django.test import Client
    from django.urls import reverse

    from hocvuso.learning.models import CourseVersion
    from tests.factories import db_fingerprint

    courses_load(actor=SYSTEM)
    admin = make_user("bien_tap", "national_admin")
    client = Client()
    client.force_login(admin)
    text = (COURSES_DIR / "vneid.md").read_text(encoding="utf-8")
    edited = text.replace("Hai mức tài khoản", "Hai mức của tài khoản")
    # A broken file: refused, its line shown, nothing stored.
    before = db_fingerprint()
    broken = client.post(
        reverse("learning:content"),
        {"name": "vneid", "text": edited.replace("pass_mark: 4", "pass_mark: many")},
    )
    assert broken.status_code == 400
    assert "vneid.md:8: &#x27;pass_mark&#x27; must be a int" in broken.content.decode()
    assert db_fingerprint() == before
    # A good one: a draft; the course's current version is unchanged until it is published.
    assert (
        client.post(reverse("learning:content"), {"name": "vneid", "text": edited}).status_code
        == 302
    )
    course = Course.objects.get(code="vneid")
    draft = CourseVersion.objects.get(course=course, number=2)
    assert (draft.status, course.current.number) == ("draft", 1)
    officer = make_user("can_bo_nd", "commune_officer", commune=_commune())
    other = Client()
    other.force_login(officer)
    before = db_fingerprint()
    assert other.post(reverse("learning:content_publish", args=[draft.pk])).status_code == 404
    assert other.get(reverse("learning:content")).status_code == 404
    assert db_fingerprint() == before
    assert client.post(reverse("learning:content_publish", args=[draft.pk])).status_code == 302
    course.refresh_from_db()
    assert course.current_id == draft.pk
    assert "Hai mức của tài khoản" in str(course.current.content)
    assert AuditLog.objects.filter(action="course.publish", actor=admin).count() == 1


def test_pictures_are_ours_and_say_what_they_show(units, tmp_path):
    text = GOOD.format(code="thu").replace(
        "Chữ một.", "Chữ một.\n![Màn hình](hinh/man-hinh-bieu-tuong.svg)"
    )
    course = parse_course("thu.md", text)
    assert 'src="hinh/man-hinh-bieu-tuong.svg"' in course["lessons"][0]["steps"][0]["html"]
    for picture, said in [
        ("![Ảnh](https://example.com/a.png)", "is not in learning/static/learning/hinh/"),
        ("![Ảnh](hinh/khong-co.svg)", "is not in learning/static/learning/hinh/"),
        ("![](hinh/man-hinh-bieu-tuong.svg)", "say what the picture shows"),
    ]:
        broken = GOOD.format(code="thu").replace("Chữ một.", f"Chữ một.\n{picture}")
        with pytest.raises(ContentInvalid) as caught:
            parse_course("thu.md", broken)
        assert [(p.line, said in p.message) for p in caught.value.problems] == [(13, True)]


def test_a_lesson_page_shows_its_pictures_from_our_static_files(units):
    from django.test import Client
    from django.urls import reverse

    courses_load(actor=SYSTEM)
    learner = make_user("hoc_hinh")
    enrollment_start(actor=learner, course=Course.objects.get(code="dien-thoai-an-toan"), id=_id())
    client = Client()
    client.force_login(learner)
    page = client.get(reverse("learning:lesson", args=["dien-thoai-an-toan", 1])).content.decode()
    assert 'src="/static/learning/hinh/man-hinh-bieu-tuong' in page
    assert 'alt="Màn hình điện thoại có nhiều biểu tượng ứng dụng' in page


def test_a_video_step_names_one_of_our_files(tmp_path, monkeypatch):
    from hocvuso.learning import content

    monkeypatch.setattr(content, "VIDEOS_DIR", tmp_path)
    (tmp_path / "vneid.mp4").write_bytes(b"\x00")
    text = GOOD.format(code="thu").replace("## Bước hai", "## Bước hai {video=vneid.mp4}")
    step = parse_course("thu.md", text)["lessons"][1]["steps"][0]
    assert (step["kind"], step["video"]) == ("video", "vneid.mp4")
    missing = GOOD.format(code="thu").replace("## Bước hai", "## Bước hai {video=khong.mp4}")
    with pytest.raises(ContentInvalid) as caught:
        parse_course("thu.md", missing)
    assert [p.line for p in caught.value.problems] == [14]


def test_the_content_editor_role_is_national_and_sees_only_the_courses(units):
    from django.test import Client
    from django.urls import reverse

    from hocvuso.accounts.selectors import requires_two_factor
    from hocvuso.core.errors import NotFound
    from hocvuso.roles.services import role_grant

    courses_load(actor=SYSTEM)
    editor = make_user("bien_tap_vien", "content_editor")
    assert requires_two_factor(editor)  # a national role: a second factor, like officers
    client = Client()
    client.force_login(editor)
    text = (COURSES_DIR / "lua-dao.md").read_text(encoding="utf-8").replace("5656", "5656 ")
    assert (
        client.post(reverse("learning:content"), {"name": "lua-dao", "text": text}).status_code
        == 302
    )
    draft = Course.objects.get(code="lua-dao").versions.get(number=2)
    assert client.post(reverse("learning:content_publish", args=[draft.pk])).status_code == 302
    assert Course.objects.get(code="lua-dao").current_id == draft.pk
    assert client.get(reverse("ui:commune", args=["00715"])).status_code == 404  # no registry
    # Only national admins appoint content editors.
    officer = make_user("can_bo_cap", "commune_officer", commune=_commune())
    with pytest.raises(NotFound):
        role_grant(actor=officer, user=make_user("muon_bien_tap"), role="content_editor")
    admin = make_user("quan_tri", "national_admin")
    granted = role_grant(actor=admin, user=make_user("bien_tap_2"), role="content_editor")
    assert granted.role == "content_editor"
