"""Courses as data files: one Markdown file per course, with a YAML front matter.

The format (docs/learning.md shows a whole example)::

    ---
    code: vneid            # the file's name without .md
    title: Cài đặt và dùng VNeID
    summary: …
    area: "M"              # the framework area the diagnostic places it in
    order: 2               # its place on a path
    skills: [vneid.install, "2.6"]   # granted when the quiz is passed
    pass_mark: 4           # questions right to pass
    retry_wait_minutes: 10 # wait after a failed attempt
    status: published      # or draft
    sources: [https://…]   # where the facts come from
    ---
    # Bài 1: …                          a lesson
    ## Mở ứng dụng                      a step: text (Markdown)
    ## Tự cài VNeID {practical}         a practical step the learner does (``practical helper``:
                                        a helper may confirm it)
    ## Mã OTP là bí mật {video}        a narrated video: its pictures, one after the other,
                                        while the voice reads the text after each
    ## Xem video {video=vneid.mp4}      a video step from a file of ours
    # Bài kiểm tra {quiz}               the quiz, last
    ## Câu hỏi …                        a question: a list of choices, ``[x]`` marks the right
    - [ ] …                             ones (one: single choice, several: multiple choice)
    - [x] …
    ## Sắp xếp các bước {order}         order the steps: a numbered list in the right order
    1. …

:func:`parse_course` returns the course as plain data (lessons, steps with their HTML and
their plain text for the read-aloud, questions with their answer key) or raises
:class:`ContentInvalid` listing every problem with its file and line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

MIN_LESSONS = 3
MIN_QUESTIONS = 5
COURSES_DIR = Path(__file__).resolve().parent / "content" / "courses"

IMAGES_DIR = Path(__file__).resolve().parent / "static" / "learning" / "hinh"
VIDEOS_DIR = Path(__file__).resolve().parent / "static" / "learning" / "video"
IMAGE_PREFIX = "hinh/"  # pictures are written ![what it shows](hinh/name.svg)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)")
_HEADING = re.compile(r"^(#{1,2})\s+(.*?)\s*(?:\{([^}]*)\})?\s*$")
_CHOICE = re.compile(r"^[-*]\s+\[( |x|X)\]\s+(.+?)\s*$")
_ORDERED = re.compile(r"^(\d+)[.)]\s+(.+?)\s*$")
_KEYS = {
    "code": str,
    "title": str,
    "summary": str,
    "area": str,
    "order": int,
    "skills": list,
    "pass_mark": int,
    "retry_wait_minutes": int,
    "status": str,
    "sources": list,
}
_REQUIRED = ("code", "title", "area", "order", "skills", "pass_mark", "retry_wait_minutes")
STATUSES = ("draft", "published")
STEP_KINDS = ("text", "practical", "video")
QUESTION_KINDS = ("single", "multiple", "order")

_md = MarkdownIt("commonmark", {"html": False, "linkify": False})


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """Course files that break the schema: every problem, each with its file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def plain_text(markdown: str) -> str:
    """What a step says, without the Markdown (for the read-aloud)."""
    parts: list[str] = []
    for token in _md.parse(markdown):
        if token.type == "inline" and token.children:
            text = "".join(c.content for c in token.children if c.type in {"text", "code_inline"})
            if text.strip():
                parts.append(text.strip())
    return "\n".join(parts)


def html_of(markdown: str) -> str:
    return _md.render(markdown)


def _attrs(raw: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (raw or "").split():
        key, _, value = part.partition("=")
        out[key] = value
    return out


class _Parser:
    def __init__(self, name: str, text: str, skills: set[str] | None, areas: set[str] | None):
        self.name = name
        self.lines = text.splitlines()
        self.skills = skills
        self.areas = areas
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, message))

    # --- front matter ------------------------------------------------------------------------

    def front_matter(self) -> tuple[dict[str, Any], int]:
        if not self.lines or self.lines[0].strip() != "---":
            self.problem(1, "the file must start with a front matter between two '---' lines")
            return {}, 0
        try:
            end = next(i for i in range(1, len(self.lines)) if self.lines[i].strip() == "---")
        except StopIteration:
            self.problem(1, "the front matter is not closed by a '---' line")
            return {}, len(self.lines)
        raw = "\n".join(self.lines[1:end])
        try:
            meta = yaml.safe_load(raw) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            self.problem(
                line, f"the front matter is not valid YAML ({getattr(exc, 'problem', exc)})"
            )
            return {}, end + 1
        if not isinstance(meta, dict):
            self.problem(2, "the front matter must be a mapping of keys to values")
            return {}, end + 1
        self.check_meta(meta, end)
        return meta, end + 1

    def key_line(self, key: str, end: int) -> int:
        for i in range(1, end):
            if re.match(rf"^{re.escape(key)}\s*:", self.lines[i]):
                return i + 1
        return 1

    def check_meta(self, meta: dict[str, Any], end: int) -> None:
        for key in meta:
            if key not in _KEYS:
                self.problem(self.key_line(str(key), end), f"unknown key '{key}'")
        for key in _REQUIRED:
            if key not in meta:
                self.problem(1, f"the front matter lacks '{key}'")
        for key, kind in _KEYS.items():
            if key in meta and not isinstance(meta[key], kind):
                if kind is str and isinstance(meta[key], int | float):
                    meta[key] = str(meta[key])  # area: 0 written without quotes
                    continue
                self.problem(self.key_line(key, end), f"'{key}' must be a {kind.__name__}")
        if isinstance(meta.get("skills"), list):
            meta["skills"] = [str(s) for s in meta["skills"]]
            if not meta["skills"]:
                self.problem(self.key_line("skills", end), "a course grants at least one skill")
            if self.skills is not None:
                for code in meta["skills"]:
                    if code not in self.skills:
                        self.problem(self.key_line("skills", end), f"unknown skill '{code}'")
        area = meta.get("area")
        if self.areas is not None and isinstance(area, str) and area not in self.areas:
            self.problem(self.key_line("area", end), f"unknown area '{area}'")
        if meta.get("status", "published") not in STATUSES:
            self.problem(self.key_line("status", end), "'status' is draft or published")
        if isinstance(meta.get("retry_wait_minutes"), int) and meta["retry_wait_minutes"] < 0:
            self.problem(self.key_line("retry_wait_minutes", end), "the wait cannot be negative")
        expected = Path(self.name).stem
        if isinstance(meta.get("code"), str) and meta["code"] != expected:
            self.problem(self.key_line("code", end), f"'code' must be the file's name, {expected}")

    # --- body ----------------------------------------------------------------------------------

    def body(self, start: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
        lessons: list[dict[str, Any]] = []
        questions: list[dict[str, Any]] = []
        quiz_line = 0
        section: dict[str, Any] | None = None  # the lesson or the quiz
        item: dict[str, Any] | None = None  # the step or question being read
        for index in range(start, len(self.lines)):
            lineno = index + 1
            line = self.lines[index]
            heading = _HEADING.match(line)
            if heading:
                level, title, attrs = len(heading.group(1)), heading.group(2), heading.group(3)
                if level == 1:
                    if quiz_line:
                        self.problem(lineno, "the quiz must be the last section")
                    if "quiz" in _attrs(attrs):
                        quiz_line = lineno
                        section = {"quiz": True, "line": lineno}
                    else:
                        section = {"title": title, "steps": [], "line": lineno}
                        lessons.append(section)
                        for key in _attrs(attrs):
                            self.problem(lineno, f"unknown lesson attribute '{key}'")
                    item = None
                    continue
                if section is None:
                    self.problem(lineno, "a step or question must be inside a lesson or the quiz")
                    continue
                item = self.new_item(section, title, attrs, lineno)
                if section.get("quiz"):
                    questions.append(item)
                else:
                    section["steps"].append(item)
                continue
            if item is None:
                if line.strip():
                    self.problem(lineno, "text must be under a '## ' step or question heading")
                continue
            item["raw"].append((lineno, line))
        return lessons, questions, quiz_line

    def new_item(
        self, section: dict[str, Any], title: str, attrs: str | None, line: int
    ) -> dict[str, Any]:
        a = _attrs(attrs)
        if section.get("quiz"):
            kinds = [k for k in a if k in QUESTION_KINDS]
            for key in a:
                if key not in QUESTION_KINDS:
                    self.problem(line, f"unknown question attribute '{key}'")
            return {"prompt": title, "kind": kinds[0] if kinds else "", "line": line, "raw": []}
        kind = "text"
        step: dict[str, Any] = {"title": title, "line": line, "raw": [], "helper_confirm": False}
        for key, value in a.items():
            if key == "practical":
                kind = "practical"
            elif key == "helper":
                step["helper_confirm"] = True
            elif key == "video":
                kind = "video"  # {video}: narrated from its pictures; {video=f.mp4}: our file
                if value and ("/" in value or not (VIDEOS_DIR / value).is_file()):
                    self.problem(line, f"video '{value}' is not in learning/static/learning/video/")
                step["video"] = value
            else:
                self.problem(line, f"unknown step attribute '{key}'")
        if step["helper_confirm"] and kind != "practical":
            self.problem(line, "only a practical step can be confirmed by a helper")
        step["kind"] = kind
        return step

    def check_images(self, lineno: int, line: str) -> None:
        """A picture is one of ours (``hinh/…`` under the app's static files), with a text."""
        for alt, src in _IMAGE.findall(line):
            name = src[len(IMAGE_PREFIX) :] if src.startswith(IMAGE_PREFIX) else ""
            if not name or "/" in name or not (IMAGES_DIR / name).is_file():
                self.problem(lineno, f"picture '{src}' is not in learning/static/learning/hinh/")
            if not alt.strip():
                self.problem(lineno, "say what the picture shows: ![what it shows](hinh/…)")

    def finish_step(self, step: dict[str, Any]) -> dict[str, Any]:
        for lineno, line in step["raw"]:
            self.check_images(lineno, line)
        text = "\n".join(t for _, t in step.pop("raw")).strip()
        if not text:
            self.problem(step["line"], "the step has no text")
        if step["kind"] == "video" and not step.get("video") and not _IMAGE.search(text):
            self.problem(step["line"], "a narrated video step {video} shows at least one picture")
        out = {
            "title": step["title"],
            "kind": step["kind"],
            "markdown": text,
            "html": html_of(text),
            "speech": plain_text(f"{step['title']}\n\n{text}"),
            "helper_confirm": step["helper_confirm"],
        }
        if step["kind"] == "video":
            out["video"] = step.get("video", "")
        return out

    def finish_question(self, q: dict[str, Any]) -> dict[str, Any]:
        choices: list[str] = []
        answer: list[int] = []
        explanation: list[str] = []
        numbered = misnumbered = False
        for lineno, line in q.pop("raw"):
            self.check_images(lineno, line)
            choice = _CHOICE.match(line.strip())
            ordered = _ORDERED.match(line.strip())
            if choice:
                if choice.group(1).lower() == "x":
                    answer.append(len(choices))
                choices.append(choice.group(2))
            elif ordered:
                numbered = True
                if int(ordered.group(1)) != len(choices) + 1 and not misnumbered:
                    misnumbered = True
                    self.problem(lineno, "number the steps 1, 2, 3 … in the right order")
                choices.append(ordered.group(2))
            elif line.strip().startswith(("-", "*")):
                self.problem(lineno, "a choice is written '- [ ] text' or '- [x] text'")
            elif line.strip():
                explanation.append(line.strip())
        kind = q["kind"] or ("order" if numbered else "multiple" if len(answer) > 1 else "single")
        line = q["line"]
        if kind == "order":
            if answer or not numbered:
                self.problem(line, "an ordering question lists its steps as 1. 2. 3. (no [x])")
            if len(choices) < 3:
                self.problem(line, "an ordering question needs at least 3 steps")
            answer = list(range(len(choices)))
        else:
            if numbered:
                self.problem(line, "a choice question lists '- [ ]' choices, not numbers")
            if len(choices) < 2:
                self.problem(line, "a question needs at least 2 choices")
            if kind == "single" and len(answer) != 1:
                self.problem(line, "a single-choice question has exactly one '[x]'")
            if kind == "multiple" and not answer:
                self.problem(line, "mark the right choices with '[x]'")
        return {
            "prompt": q["prompt"],
            "kind": kind,
            "choices": [{"text": c, "html": _md.renderInline(c)} for c in choices],
            "answer": answer,
            "explanation": " ".join(explanation),
            "speech": plain_text(q["prompt"] + "\n\n" + "\n\n".join(choices)),
        }

    def parse(self) -> dict[str, Any]:
        meta, start = self.front_matter()
        lessons, questions, quiz_line = self.body(start)
        if len(lessons) < MIN_LESSONS:
            self.problem(start or 1, f"a course has at least {MIN_LESSONS} lessons")
        for lesson in lessons:
            if not lesson["steps"]:
                self.problem(lesson["line"], "the lesson has no step")
        if not quiz_line:
            self.problem(len(self.lines) or 1, "the course ends with a '# … {quiz}' section")
        elif len(questions) < MIN_QUESTIONS:
            self.problem(quiz_line, f"the quiz has at least {MIN_QUESTIONS} questions")
        out_lessons = [
            {"title": lesson["title"], "steps": [self.finish_step(s) for s in lesson["steps"]]}
            for lesson in lessons
        ]
        out_questions = [self.finish_question(q) for q in questions]
        pass_mark = meta.get("pass_mark")
        if isinstance(pass_mark, int) and not 1 <= pass_mark <= max(len(out_questions), 1):
            self.problem(
                self.key_line("pass_mark", start), "'pass_mark' must be between 1 and the questions"
            )
        if self.problems:
            raise ContentInvalid(self.problems)
        return {
            "code": meta["code"],
            "title": meta["title"],
            "summary": meta.get("summary", ""),
            "area": meta["area"],
            "order": meta["order"],
            "skills": meta["skills"],
            "pass_mark": meta["pass_mark"],
            "retry_wait_minutes": meta["retry_wait_minutes"],
            "status": meta.get("status", "published"),
            "sources": [str(s) for s in meta.get("sources", [])],
            "lessons": out_lessons,
            "quiz": {"questions": out_questions},
        }


def parse_course(
    name: str, text: str, *, skills: set[str] | None = None, areas: set[str] | None = None
) -> dict[str, Any]:
    """The course in ``text`` (read from the file ``name``), checked against the schema and,
    when given, the known skill and area codes."""
    return _Parser(name, text, skills, areas).parse()


def digest_of(text: str) -> str:
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


def course_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or COURSES_DIR).glob("*.md"))


def step_count(content: dict[str, Any]) -> int:
    return sum(len(lesson["steps"]) for lesson in content["lessons"])


def lesson_start(content: dict[str, Any], lesson: int) -> int:
    """The course-wide index of the first step of ``lesson`` (0-based)."""
    return sum(len(x["steps"]) for x in content["lessons"][:lesson])


DIAGNOSTIC_FILE = Path(__file__).resolve().parent / "content" / "diagnostic.yaml"


def diagnostic_items(
    path: Path | None = None, *, skills: set[str] | None = None
) -> list[dict[str, str]]:
    """The diagnostic's questions (area, skill, question, picture, alt), checked: every entry
    names a known skill once, with a question and a picture of ours (``hinh/…``) saying in
    words what it shows."""
    path = path or DIAGNOSTIC_FILE
    name = path.name
    try:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentInvalid(
            [Problem(name, mark.line + 1 if mark else 1, "not valid YAML")]
        ) from exc
    problems: list[Problem] = []
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for n, item in enumerate(items or [], 1):
        if not isinstance(item, dict) or not item.get("question") or not item.get("skill"):
            problems.append(Problem(name, n, f"entry {n}: give 'area', 'skill' and 'question'"))
            continue
        code = str(item["skill"])
        if skills is not None and code not in skills:
            problems.append(Problem(name, n, f"entry {n}: unknown skill '{code}'"))
        if code in seen:
            problems.append(Problem(name, n, f"entry {n}: skill '{code}' asked twice"))
        seen.add(code)
        src = str(item.get("picture") or "")
        picture = src[len(IMAGE_PREFIX) :] if src.startswith(IMAGE_PREFIX) else ""
        if not picture or "/" in picture or not (IMAGES_DIR / picture).is_file():
            problems.append(
                Problem(
                    name, n, f"entry {n}: picture '{src}' is not in learning/static/learning/hinh/"
                )
            )
        if not str(item.get("alt") or "").strip():
            problems.append(Problem(name, n, f"entry {n}: say what the picture shows ('alt')"))
        out.append(
            {
                "area": str(item.get("area", "")),
                "skill": code,
                "question": item["question"],
                "picture": picture,
                "alt": str(item.get("alt") or ""),
            }
        )
    if problems:
        raise ContentInvalid(problems)
    return out
