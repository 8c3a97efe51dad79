"""The Vietnamese catalogues are complete and their compiled .mo files match the .po: the
project's own (``src/hocvuso/locale``) and those of apps that keep their own catalogue
(``src/hocvuso/<app>/locale``)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

import hocvuso

PACKAGE = Path(hocvuso.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
CATALOGUES = sorted(PACKAGE.glob("**/locale/vi/LC_MESSAGES/django*.po"))  # and djangojs


def read_po(path: Path) -> dict[str, list[str]]:
    """msgid (or msgid + NUL + msgid_plural; a context before it) → its msgstr list, for the
    live entries."""
    entries: dict[str, list[str]] = {}
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if current.get("msgid"):
            msgid = current["msgid"]
            if "msgctxt" in current:  # as gettext keys it: context, EOT, msgid
                msgid = current["msgctxt"] + "\x04" + msgid
            if "msgid_plural" in current:
                msgid += "\0" + current["msgid_plural"]
            entries[msgid] = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            flush()
            current, key = {}, ""
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries


@pytest.mark.parametrize("language", ["vi", "en"])
def test_catalogue_files_exist(language):
    assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file()
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file()


def test_every_string_has_a_vietnamese_translation():
    assert read_po(LOCALE / "vi" / "LC_MESSAGES" / "django.po").__len__() > 150
    for po in CATALOGUES:
        entries = read_po(po)
        untranslated = [msgid for msgid, strs in entries.items() if not all(strs)]
        assert untranslated == [], po


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_compiled_catalogue_matches_the_po(po: Path):
    entries = read_po(po)
    with po.with_suffix(".mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = []
    for msgid, strs in entries.items():
        if "\0" in msgid:
            singular, plural = msgid.split("\0")
            if catalog.ngettext(singular, plural, 1) != strs[0]:
                stale.append(msgid)
        elif catalog.gettext(msgid) != strs[0]:
            stale.append(msgid)
    assert stale == [], f"run `hocvuso compilemessages` for {po}"


def test_form_errors_follow_the_language(officer_client, household, head):
    from django.urls import reverse

    url = reverse("registry:person_add", args=[household.pk])
    data = {"full_name": "Thử", "sex": "M", "cccd": "12345"}
    assert "Số CCCD phải có đúng 12 chữ số." in officer_client.post(url, data).content.decode()
    officer_client.post(reverse("set_language"), {"language": "en"})
    page = officer_client.post(url, data).content.decode()
    assert "A CCCD number has exactly 12 digits." in page
    assert "Add a person" in page


def test_vietnamese_even_when_the_browser_asks_for_english(officer_client, commune):
    from django.urls import reverse

    page = officer_client.get(reverse("ui:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "vi"
    assert 'lang="vi"' in page.content.decode()
    officer_client.post(reverse("set_language"), {"language": "en"})
    page = officer_client.get(reverse("ui:home"), HTTP_ACCEPT_LANGUAGE="vi")
    assert page["Content-Language"] == "en"


def test_numbers_are_grouped_the_vietnamese_way():
    from django.utils import formats, translation

    with translation.override("vi"):
        assert formats.number_format(1234567, force_grouping=True) == "1.234.567"
        assert formats.number_format(85.3, 1) == "85,3"
    with translation.override("en"):
        assert formats.number_format(1234567, force_grouping=True) == "1,234,567"
