"""Read-aloud: made by a background job with espeak-ng (Vietnamese) as small Ogg Opus files,
cached by what they say (a changed text makes a new file), served to the lesson page; skipped
with a notice where the engine is not installed."""

from __future__ import annotations

import logging
import shutil

import pytest
from django.urls import reverse

from hocvuso.core.ids import uuid7
from hocvuso.learning import speech
from hocvuso.learning.services import enrollment_start
from hocvuso.learning.tasks import speak_version

pytestmark = pytest.mark.django_db

needs_engine = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("opusenc")),
    reason="espeak-ng and opusenc are not installed (make installs them as root)",
)


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path


@needs_engine
def test_the_job_makes_small_opus_files_once_and_the_lesson_offers_them(learning):
    version = learning.course.current
    first = speak_version.call(str(version.pk))
    texts = speech.texts_of(version.content)
    assert first == {"made": len(set(texts)), "cached": 0, "skipped": 0}
    again = speak_version.call(str(version.pk))
    assert again == {"made": 0, "cached": len(set(texts)), "skipped": 0}
    step = version.content["lessons"][0]["steps"][0]
    key = speech.key_of(step["speech"])
    data = speech.path_of(key).read_bytes()
    assert data[:4] == b"OggS"
    assert b"OpusHead" in data[:64]
    seconds = len(step["speech"]) / 12  # about 12 characters a second at this speed
    assert len(data) < 5000 * seconds  # well under the 44 KB a second of the engine's WAV
    enrollment_start(actor=learning.learner, course=learning.course, id=uuid7())
    page = learning.client().get(reverse("learning:lesson", args=[learning.course.code, 1]))
    assert reverse("learning:audio", args=[key]) in page.content.decode()
    audio = learning.client().get(reverse("learning:audio", args=[key]))
    assert audio["Content-Type"] == "audio/ogg"
    assert "immutable" in audio["Cache-Control"]
    assert b"".join(audio.streaming_content) == data


@needs_engine
def test_a_changed_text_gets_a_new_file():
    made = speech.speak(["Mở ứng dụng VNeID."])
    assert made["made"] == 1
    assert speech.ready_key("Mở ứng dụng VNeID.") is not None
    assert speech.ready_key("Mở ứng dụng VNeID rồi chọn đăng nhập.") is None
    assert speech.speak(["Mở ứng dụng VNeID rồi chọn đăng nhập."])["made"] == 1


class _Missing:
    name = "missing"

    def available(self) -> bool:
        return False

    def synthesize(self, text: str) -> bytes:  # pragma: no cover - never called
        raise AssertionError


def test_without_the_engine_the_job_says_so_and_makes_nothing(settings, caplog, tmp_path):
    settings.HOCVUSO_SPEECH_ENGINE = "tests.learning.test_speech._Missing"
    with caplog.at_level(logging.WARNING, logger="hocvuso.learning.speech"):
        result = speech.speak(["Một câu."])
    assert result == {"made": 0, "cached": 0, "skipped": 1}
    assert "read-aloud skipped" in caplog.text
    assert not (tmp_path / "speech").exists()


def test_an_unknown_or_malformed_key_is_not_found(learning):
    client = learning.client()
    assert client.get(reverse("learning:audio", args=["0" * 32])).status_code == 404
    assert client.get("/hoc/doc/..%2F..%2Fetc%2Fpasswd.opus").status_code == 404
    assert client.get("/hoc/doc/ABC.opus").status_code == 404
