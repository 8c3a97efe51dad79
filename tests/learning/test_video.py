"""Narrated lesson videos: a ``{video}`` step's pictures shown one after the other while the
read-aloud voice says the text after each, made by a background job with ffmpeg, cached by what
makes them (a changed step makes a new file), served by us in byte ranges with cache headers,
with WebVTT captions of the step's text; light enough for a cheap phone. Skipped with a notice
where ffmpeg or the voice is missing."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess

import pytest
from django.urls import reverse

from hocvuso.core.ids import uuid7
from hocvuso.learning import speech, video
from hocvuso.learning.content import ContentInvalid, parse_course
from hocvuso.learning.services import enrollment_start
from hocvuso.learning.tasks import film_version

pytestmark = pytest.mark.django_db

needs_ffmpeg = pytest.mark.skipif(
    not (
        shutil.which("ffmpeg")
        and shutil.which("ffprobe")
        and shutil.which("espeak-ng")
        and shutil.which("opusenc")
    ),
    reason="ffmpeg, espeak-ng or opusenc is not installed (make installs them as root)",
)

STEP = {
    "title": "Mã OTP là bí mật",
    "kind": "video",
    "video": "",
    "markdown": (
        "Mã OTP là dãy số gửi qua tin nhắn.\n\n"
        "![Tin nhắn có mã OTP](hinh/khong-dua-otp.svg)\n\n"
        "Không đưa mã cho ai. Ngân hàng không bao giờ hỏi.\n\n"
        "![Tên người nhận](hinh/kiem-tra-ten-nguoi-nhan.svg)\n\n"
        "Xem tên người nhận."
    ),
}


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path


def test_each_picture_starts_a_slide_with_the_text_after_it():
    slides = video.slides_of(STEP)
    assert slides == [
        video.Slide(
            "khong-dua-otp.svg",
            "Mã OTP là bí mật\nMã OTP là dãy số gửi qua tin nhắn.\n"
            "Không đưa mã cho ai. Ngân hàng không bao giờ hỏi.",
        ),
        video.Slide("kiem-tra-ten-nguoi-nhan.svg", "Xem tên người nhận."),
    ]


def test_the_key_follows_the_text_the_pictures_and_the_voice(tmp_path, monkeypatch):
    key = video.key_of(STEP, "voice-a")
    assert key == video.key_of(dict(STEP), "voice-a")
    assert video.key_of(STEP, "voice-b") != key
    edited = {**STEP, "markdown": STEP["markdown"].replace("Xem tên", "Luôn xem tên")}
    assert video.key_of(edited, "voice-a") != key
    # A redrawn picture (same name, other bytes) makes a new video too.
    pictures = tmp_path / "hinh"
    pictures.mkdir()
    for name in ("khong-dua-otp.svg", "kiem-tra-ten-nguoi-nhan.svg"):
        shutil.copy(video.IMAGES_DIR / name, pictures / name)
    monkeypatch.setattr(video, "IMAGES_DIR", pictures)
    assert video.key_of(STEP, "voice-a") == key
    (pictures / "khong-dua-otp.svg").write_text("<svg/>", encoding="utf-8")
    assert video.key_of(STEP, "voice-a") != key


def test_captions_give_each_sentence_its_share_of_its_slide():
    slides = [video.Slide("a.svg", "Một hai.\nBa bốn năm sáu."), video.Slide("b.svg", "Bảy.")]
    # Slide 1 lasts 3.6 s (3.0 s said + the 0.6 s pause): "Một hai." is 8 characters of 23,
    # so 3.0 × 8 / 23 = 1.043 s; "Ba bốn năm sáu." the remaining 1.957 s. Slide 2 starts at 3.6.
    assert video.captions(slides, [3.6, 1.6]) == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:01.043\nMột hai.\n\n"
        "2\n00:00:01.043 --> 00:00:03.000\nBa bốn năm sáu.\n\n"
        "3\n00:00:03.600 --> 00:00:04.600\nBảy.\n"
    )


def test_a_narrated_step_needs_a_picture():
    base = (
        '---\ncode: thu\ntitle: Thử\narea: "0"\norder: 1\nskills: ["0.1"]\npass_mark: 1\n'
        "retry_wait_minutes: 0\n---\n"
        "# Bài 1\n## Xem {video}\n{body}\n# Bài 2\n## B\nChữ.\n# Bài 3\n## C\nChữ.\n"
        "# Kiểm tra {quiz}\n" + "".join(f"## Câu {n}\n- [x] Có\n- [ ] Không\n" for n in range(5))
    )
    step = parse_course("thu.md", base.replace("{body}", "![Mã](hinh/khong-dua-otp.svg)\nChữ."))
    step = step["lessons"][0]["steps"][0]
    assert (step["kind"], step["video"], video.is_narrated(step)) == ("video", "", True)
    with pytest.raises(ContentInvalid) as caught:
        parse_course("thu.md", base.replace("{body}", "Chỉ có chữ."))
    assert [(p.line, "at least one picture" in p.message) for p in caught.value.problems] == [
        (11, True)
    ]


def test_without_ffmpeg_the_job_says_so_and_makes_nothing(learning, monkeypatch, caplog):
    monkeypatch.setattr(video.shutil, "which", lambda name: None)
    with caplog.at_level(logging.WARNING, logger="hocvuso.learning.video"):
        result = film_version.call(str(learning.course.current.pk))
    narrated = video.steps_of(learning.course.current.content)
    assert narrated  # the smartphone course has narrated steps
    assert result == {"made": 0, "cached": 0, "skipped": len(narrated)}
    assert "lesson videos skipped" in caplog.text
    assert not video.video_dir().exists()


def _probe(path) -> dict:  # type: ignore[no-untyped-def]
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return json.loads(out)


@needs_ffmpeg
def test_the_job_makes_small_videos_once_and_the_lesson_plays_them(learning):
    version = learning.course.current
    narrated = video.steps_of(version.content)
    assert video.film(narrated[:1]) == {"made": 1, "cached": 0, "skipped": 0}
    assert film_version.call(str(version.pk)) == {
        "made": len(narrated) - 1,
        "cached": 1,
        "skipped": 0,
    }
    assert film_version.call(str(version.pk)) == {"made": 0, "cached": len(narrated), "skipped": 0}
    step = version.content["lessons"][0]["steps"][0]
    assert video.is_narrated(step)
    key = video.ready_key(step)
    assert key is not None
    data = video.path_of(key).read_bytes()
    assert data[4:8] == b"ftyp"
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: it plays while it downloads
    info = _probe(video.path_of(key))
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert (streams["video"]["codec_name"], streams["video"]["profile"]) == (
        "h264",
        "Constrained Baseline",
    )
    assert (streams["video"]["width"], streams["video"]["height"]) == (360, 360)
    assert (streams["audio"]["codec_name"], streams["audio"]["channels"]) == ("aac", 1)
    seconds = float(info["format"]["duration"])
    assert seconds > 5
    assert len(data) < 6_000 * seconds  # under 48 kbit/s, sound included
    captions = video.path_of(key, ".vtt").read_text(encoding="utf-8")
    assert captions.startswith("WEBVTT\n")
    assert "Chạm nhẹ một lần vào biểu tượng để mở ứng dụng đó." in captions
    # The lesson page offers it, with its captions.
    enrollment_start(actor=learning.learner, course=learning.course, id=uuid7())
    client = learning.client()
    page = client.get(reverse("learning:lesson", args=[learning.course.code, 1])).content.decode()
    assert f'src="{reverse("learning:video", args=[key])}"' in page
    captions_url = reverse("learning:captions", args=[key])
    track = f'<track kind="captions" srclang="vi" label="Tiếng Việt" src="{captions_url}" default>'
    assert track in page
    # Served by us, whole or in ranges, cached for good.
    url = reverse("learning:video", args=[key])
    whole = client.get(url)
    assert (whole.status_code, whole["Content-Type"], whole["Accept-Ranges"]) == (
        200,
        "video/mp4",
        "bytes",
    )
    assert "immutable" in whole["Cache-Control"]
    assert "max-age=31536000" in whole["Cache-Control"]
    assert whole.content == data
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert (part.status_code, part["Content-Range"]) == (206, f"bytes 100-199/{len(data)}")
    assert part.content == data[100:200]
    start = client.get(url, HTTP_RANGE="bytes=0-")
    assert (start.status_code, start["Content-Range"]) == (
        206,
        f"bytes 0-{len(data) - 1}/{len(data)}",
    )
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert (tail.status_code, tail.content) == (206, data[-10:])
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert (beyond.status_code, beyond["Content-Range"]) == (416, f"bytes */{len(data)}")
    vtt = client.get(reverse("learning:captions", args=[key]))
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    assert vtt.content.decode() == captions
    assert client.get(reverse("learning:video", args=["0" * 32])).status_code == 404
    assert client.get(reverse("learning:video", args=["..%2Fetc"])).status_code == 404
    assert client.get(reverse("learning:video", args=["Z" * 32])).status_code == 404


@needs_ffmpeg
def test_a_changed_step_gets_a_new_video():
    assert video.film([STEP]) == {"made": 1, "cached": 0, "skipped": 0}
    assert video.ready_key(STEP) is not None
    edited = {**STEP, "markdown": STEP["markdown"] + " Luôn luôn."}
    assert video.ready_key(edited) is None
    assert video.film([edited]) == {"made": 1, "cached": 0, "skipped": 0}
    assert video.ready_key(edited) not in (None, video.ready_key(STEP))
    assert speech.engine().available()
