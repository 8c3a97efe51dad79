"""Vietnamese all through: every page every role can reach, read for what a Vietnamese reader
should never see — a raw code (``safety.scams``, ``home_visit``), a Python literal (``None``,
``{'a': 1}``), an English word, a year printed with a thousands dot ("1.977"), a date as the
program writes it ("2026-12-02")."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.factories import login
from tests.ui.sweep import crawl, demo_accounts, shape

pytestmark = pytest.mark.django_db

# Words a Vietnamese page never needs in English (case-sensitive, whole words). Abbreviations the
# movement itself uses (CCCD, VNeID, OTP, QR, CSV, API, PDF, 4T) are not on it.
ENGLISH = {
    "None", "True", "False", "null", "Submit", "Save", "Cancel", "Delete", "Search", "Next",
    "Previous", "Page", "Home", "Login", "Logout", "Dashboard", "Report", "Household",
    "Households", "Person", "People", "Village", "Commune", "Province", "Skill", "Skills",
    "Class", "Classes", "Status", "Error", "Warning", "Unknown", "Total", "Name", "Date",
    "Yes", "No", "Created", "Updated", "Enter", "valid", "required", "field", "the", "and",
    "of", "with", "for", "is", "not", "Access", "attempts", "devices", "TOTP", "Team",
    "Mentor", "Visit", "Visits", "Course", "Courses", "Certificate", "Lesson", "Back",
    "Add", "Edit", "View", "Details", "Filter", "Reset", "Close", "Open", "Done",
}  # fmt: skip
# Choice values as stored (one word, lower case): shown raw when a label was forgotten.
RAW_VALUES = {
    "class", "level", "province", "commune", "village", "household", "person", "pending",
    "accepted", "rejected", "open", "closed", "active", "inactive", "draft", "published",
    "passed", "failed", "unchecked", "confirmed", "head", "spouse", "child", "male", "female",
    "farmer", "mentoring", "visit", "desk", "import", "create", "update", "delete",
}  # fmt: skip
_WORD = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z'’]*(?![\w.])")  # a whole word, not part of a code
# A code as the program spells it: snake_case or dotted lower-case (``vneid.install``).
_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z]+\.[a-z][a-z_]+\b")
_LITERAL = re.compile(r"\{'[^']*':|\[\s*'[^']*'\s*[,\]]|<[A-Z][A-Za-z]+: |object at 0x")
_ISO_DATE = re.compile(r"\b(?:19|20)\d\d-[01]\d-[0-3]\d\b")  # a date as the program writes it
_GROUPED_YEAR = re.compile(r"(?:[Nn]ăm(?: sinh)?:?|/)\s*(?:19|20)?[12]\.\d{3}\b")


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles, templates or attribute values; ``title``,
    ``aria-label`` and ``placeholder`` are read too (a screen reader speaks them). Text marked
    as English (``lang="en"``: a record's English name) is meant to be English and is left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._english: list[str] = []  # the tags open since an element marked lang="en"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marked = (dict(attrs).get("lang") or "").startswith("en")
        if (tag == self._english[0]) if self._english else marked:
            self._english.append(tag)
        if tag in ("script", "style", "template", "code", "pre", "kbd", "samp"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._english and tag == self._english[0]:
            self._english.pop()
        if tag in ("script", "style", "template", "code", "pre", "kbd", "samp") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and not self._english:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _around(text: str, match: re.Match[str]) -> str:
    return " in “…" + text[max(0, match.start() - 30) : match.end() + 30] + "…”"


def problems(text: str, allowed: set[str], english: set[str] = ENGLISH) -> list[str]:
    found = []
    for match in _WORD.finditer(text):
        if match[0] in english:
            found.append(f"English word “{match[0]}”")
        elif match[0] in RAW_VALUES:
            found.append(f"raw value “{match[0]}”{_around(text, match)}")
    for match in _CODE.finditer(text):
        if match[0] not in allowed:
            found.append(f"raw code “{match[0]}”{_around(text, match)}")
    for literal in _LITERAL.findall(text):
        found.append(f"Python literal “{literal}”")
    for year in _GROUPED_YEAR.findall(text):
        found.append(f"grouped year “{year}”")
    for match in _ISO_DATE.finditer(text):
        found.append(f"date not in the Vietnamese format “{match[0]}”{_around(text, match)}")
    return found


def test_the_sweep_finds_what_it_looks_for():
    """The checks themselves: each kind of slip is caught, plain Vietnamese passes."""
    assert problems("Hình thức: home_visit", set()) == [
        "raw code “home_visit” in “…Hình thức: home_visit…”"
    ]
    assert problems("Kỹ năng safety.scams", set()) == [
        "raw code “safety.scams” in “…Kỹ năng safety.scams…”"
    ]
    assert problems("Thay đổi {'status': 'done'}", set()) == ["Python literal “{'status':”"]
    assert problems("Năm sinh 1.977", set()) == ["grouped year “Năm sinh 1.977”"]
    assert problems("Ngày 26/11/2.026", set()) == ["grouped year “/2.026”"]
    assert problems("Created at 2026", set()) == ["English word “Created”"]
    assert problems("Hình thức: class", set()) == ["raw value “class” in “…Hình thức: class…”"]
    assert problems("Kiểm tra 2026-12-02", set()) == [
        "date not in the Vietnamese format “2026-12-02” in “…Kiểm tra 2026-12-02…”"
    ]
    assert problems("Năm sinh 1977 · 1.950 người · VNeID mức 2 · CCCD", set()) == []
    assert problems("Tài khoản canbo.lungcu", {"canbo.lungcu"}) == []
    assert visible_text('<td>Tên <span lang="en">Digital <b>savings</b></span> · Có</td>') == (
        "Tên · Có"
    )


def test_every_page_of_every_role_is_vietnamese(units):
    accounts = demo_accounts()
    # Usernames are shown as the user typed them (they are dotted, as the demo's).
    allowed = {u.username for u in accounts.values()}
    from django.contrib.auth import get_user_model

    allowed |= set(get_user_model().objects.values_list("username", flat=True))
    report: list[str] = []
    seen = 0
    for role, user in accounts.items():
        pages = crawl(login(user), role)
        assert pages, role
        seen += len(pages)
        for page in pages:
            for problem in problems(visible_text(page.html), allowed):
                report.append(f"{shape(page.path)}: {problem}")
    assert seen > 100  # every role's pages, not a handful
    assert report == [], "\n" + "\n".join(sorted(set(report)))
