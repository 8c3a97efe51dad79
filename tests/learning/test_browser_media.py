"""What a learner sees on a 360-px phone in headless Chromium, under the site's own CSP: the
self-assessment with a picture on every question (each with its Vietnamese text), choosing
one's commune or ward (an account linked to no person), and a lesson's narrated video playing
from our server with its Vietnamese captions. Screenshots in ``artifacts/learning-media-*.png``."""

from __future__ import annotations

import shutil

import pytest
from django.urls import reverse

from hocvuso.core.actors import SYSTEM
from hocvuso.geo.models import Commune
from hocvuso.learning import video
from hocvuso.learning.content import diagnostic_items
from hocvuso.learning.models import Course, LearnerUnit
from hocvuso.learning.services import courses_load
from tests.browser import phone_page, shot
from tests.factories import OFFICER_PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}
needs_ffmpeg = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("espeak-ng") and shutil.which("opusenc")),
    reason="ffmpeg, espeak-ng or opusenc is not installed (make installs them as root)",
)


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.goto(base + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", OFFICER_PASSWORD)
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_pictures_on_the_diagnostic_and_choosing_a_commune(live_server, units, chromium_path):
    courses_load(actor=SYSTEM)
    guest = make_user("khach_dien_thoai")
    commune = Commune.objects.get(code="00715")
    base = live_server.url
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _login(page, base, guest.username)
        # The self-assessment: every question with its picture, drawn and described.
        page.goto(base + reverse("learning:diagnostic"))
        pictures = page.locator("fieldset.question img.picture")
        items = diagnostic_items()
        assert pictures.count() == len(items)
        for n, item in enumerate(items):
            picture = pictures.nth(n)
            picture.scroll_into_view_if_needed()
            assert picture.get_attribute("alt") == item["alt"]
            assert picture.evaluate("i => i.complete && i.naturalWidth > 0"), item["picture"]
            box = picture.bounding_box()
            assert box is not None
            assert 80 <= box["width"] <= 140
        _fits(page)
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "learning-media-01-diagnostic", full_page=False)
        page.locator("fieldset.question").nth(len(items) - 2).scroll_into_view_if_needed()
        shot(page, "learning-media-02-diagnostic-ai", full_page=False)
        # Where she lives: the province, then its communes and wards.
        page.goto(base + reverse("learning:courses"))
        assert "Bạn sống ở đâu?" in page.content()
        shot(page, "learning-media-03-courses-unit", full_page=False)
        page.click(f"a[href='{reverse('learning:unit')}']")
        page.select_option("#tinh", commune.province_id)
        page.click("form[method=get] button[type=submit]")
        page.wait_for_load_state()
        page.select_option("#commune", commune.code)
        _fits(page)
        shot(page, "learning-media-04-unit")
        page.click("form[method=post] button[type=submit].primary")
        page.wait_for_url("**" + reverse("learning:courses"))
        assert f"Việc học của bạn được tính cho {commune.name}" in page.content()
        assert LearnerUnit.objects.get(user=guest).commune_id == commune.code
        shot(page, "learning-media-05-unit-saved", full_page=False)
        assert page.errors == []


@needs_ffmpeg
def test_a_narrated_video_plays_with_its_captions(
    live_server, units, settings, chromium_path, tmp_path
):
    settings.DATA_DIR = tmp_path
    courses_load(actor=SYSTEM)
    course = Course.objects.get(code="tri-tue-nhan-tao")
    content = course.current.content
    step = content["lessons"][0]["steps"][0]
    assert video.film([step]) == {"made": 1, "cached": 0, "skipped": 0}
    key = video.ready_key(step)
    size = video.path_of(key).stat().st_size
    learner = make_user("hoc_video")
    base = live_server.url
    with phone_page(chromium_path, bypass_csp=False) as page:
        page.set_viewport_size(NARROW)
        _login(page, base, learner.username)
        page.goto(base + reverse("learning:course", args=[course.code]))
        shot(page, "learning-media-06-ai-course")
        _fits(page)
        page.click("main button[type=submit].primary")
        page.wait_for_url("**" + reverse("learning:lesson", args=[course.code, 1]))
        fetched: list[tuple[int, str]] = []
        page.on(
            "response",
            lambda r: (
                fetched.append((r.status, r.request.headers.get("range", "")))
                if "/hoc/video/" in r.url and r.url.endswith(".mp4")
                else None
            ),
        )
        player = page.locator("section.step video.lesson-video").first
        assert player.get_attribute("src") == reverse("learning:video", args=[key])
        # Chromium fetches it from us in ranges; it has its length and its captions.
        page.evaluate(
            """() => new Promise((done, fail) => {
                const v = document.querySelector('video.lesson-video');
                v.preload = 'auto'; v.muted = true;
                v.addEventListener('loadeddata', () => done(), {once: true});
                const failed = () => fail(String(v.error && v.error.code));
                v.addEventListener('error', failed, {once: true});
                v.load();
            })"""
        )
        assert fetched
        assert all(status == 206 and rng.startswith("bytes=") for status, rng in fetched)
        duration = player.evaluate("v => v.duration")
        assert 10 < duration < 60
        cues = page.evaluate(
            """() => new Promise(done => {
                const v = document.querySelector('video.lesson-video');
                const t = v.textTracks[0]; t.mode = 'showing';
                const read = () => t.cues && t.cues.length ? done(Array.from(t.cues, c => c.text))
                                                            : setTimeout(read, 100);
                read();
            })"""
        )
        assert cues[0] == "Trợ lý AI trên điện thoại"
        assert any("Trí tuệ nhân tạo, gọi tắt là AI" in c for c in cues)
        box = player.bounding_box()
        assert box is not None
        assert box["width"] <= NARROW["width"]
        # Seek into the middle and show the frame with its caption.
        player.evaluate("v => { v.currentTime = 4; }")
        page.wait_for_function("() => document.querySelector('video.lesson-video').readyState >= 2")
        player.scroll_into_view_if_needed()
        shot(page, "learning-media-07-video", full_page=False)
        _fits(page)
        assert page.errors == []
    assert size < 200_000
