"""Narrated videos of lesson steps, made on the server from what the step already has: its
pictures (our SVG drawings) shown one after the other while the read-aloud voice says the text
that goes with each, with WebVTT captions of the same text.

A step written ``## Title {video}`` is such a video: each picture of the step starts a slide,
and the text after it (up to the next picture) is what is said while it shows; the text before
the first picture (and the step's title) goes with the first one. The sound comes from the
read-aloud engine (:mod:`hocvuso.learning.speech`, espeak-ng by default), the pictures are drawn
by ``ffmpeg``'s SVG decoder (librsvg), and ``ffmpeg`` puts them together as a small MP4 a cheap
phone plays: 360 × 360 pixels, H.264 (Constrained Baseline, two frames a second — the pictures
are still), mono AAC at 24 kbit/s, ``faststart`` so it plays while it downloads. The captions
(``.vtt``) give each sentence its share of its slide's time.

Like the audio, a file is named by the hash of everything that makes it — the recipe below, the
engine, each picture's bytes and each slide's text — so a changed step makes a new file and an
unchanged one is never made twice. A background job makes them (``tasks.film_version``); where
``ffmpeg`` or the voice is missing it says so once and makes nothing, and the step simply shows
its pictures and text without a player.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from hocvuso.learning import speech
from hocvuso.learning.content import IMAGE_PREFIX, IMAGES_DIR, plain_text

logger = logging.getLogger(__name__)

SIDE = 360  # pixels: the frame is square, the picture fitted inside a 320-pixel box
BOX = 320
FPS = 2
RECIPE = f"slides-v1/{SIDE}/{BOX}/h264-baseline-crf30-{FPS}fps/aac-24k-mono"
PAUSE = 0.6  # seconds of silence after each slide's speech
KEY_CHARS = speech.KEY_CHARS
_PICTURE = re.compile(r"!\[[^\]]*\]\(([^)\s]*)\)")
_VIEWBOX = re.compile(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+")


@dataclass(frozen=True)
class Slide:
    picture: str  # file name under learning/static/learning/hinh/
    text: str  # what is said (and captioned) while it shows


def slides_of(step: dict[str, Any]) -> list[Slide]:
    """The slides of a narrated step: each picture with the text that follows it."""
    parts: list[tuple[str, list[str]]] = []
    before: list[str] = [step["title"], ""]  # the title is a paragraph of its own
    for line in step["markdown"].splitlines():
        found = _PICTURE.search(line)
        if found and found.group(1).startswith(IMAGE_PREFIX):
            parts.append((found.group(1)[len(IMAGE_PREFIX) :], []))
            rest = _PICTURE.sub("", line).strip()
            if rest:
                parts[-1][1].append(rest)
        elif parts:
            parts[-1][1].append(line)
        else:
            before.append(line)
    if not parts:
        return []
    parts[0] = (parts[0][0], before + parts[0][1])
    return [Slide(picture, plain_text("\n".join(lines))) for picture, lines in parts]


def is_narrated(step: dict[str, Any]) -> bool:
    return step.get("kind") == "video" and not step.get("video")


def key_of(step: dict[str, Any], engine_name: str | None = None) -> str:
    name = engine_name or speech.engine().name
    digest = hashlib.sha256(f"{RECIPE}\n{name}\n".encode())
    for slide in slides_of(step):
        digest.update(hashlib.sha256((IMAGES_DIR / slide.picture).read_bytes()).digest())
        digest.update(f"\n{slide.text}\n".encode())
    return digest.hexdigest()[:KEY_CHARS]


def video_dir() -> Path:
    return Path(settings.DATA_DIR) / "video"


def path_of(key: str, suffix: str = ".mp4") -> Path:
    return video_dir() / key[:2] / f"{key}{suffix}"


def valid_key(key: str) -> bool:
    return speech.valid_key(key)


def ready_key(step: dict[str, Any]) -> str | None:
    """The key of a narrated step's video if it has been made (None: not yet, or none)."""
    if not is_narrated(step):
        return None
    key = key_of(step)
    return key if path_of(key).is_file() and path_of(key, ".vtt").is_file() else None


def steps_of(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for lesson in content["lessons"] for s in lesson["steps"] if is_narrated(s)]


def available() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe") and speech.engine().available())


# --- Making one ---------------------------------------------------------------------------------


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, check=True, timeout=300, **kwargs)  # noqa: S603


def duration_of(path: Path) -> float:
    out = _run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)]
    ).stdout
    return float(out.decode().strip())


def _fit(svg: Path) -> tuple[int, int]:
    """The picture's size fitted in the box, keeping its proportions (even numbers)."""
    found = _VIEWBOX.search(svg.read_text(encoding="utf-8"))
    w, h = (float(found.group(1)), float(found.group(2))) if found else (1.0, 1.0)
    scale = BOX / max(w, h)
    return max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def captions(slides: list[Slide], durations: list[float]) -> str:
    """WebVTT: each sentence of a slide gets its share (by length) of the slide's speech."""
    lines = ["WEBVTT", ""]
    start = 0.0
    n = 0
    for slide, duration in zip(slides, durations, strict=True):
        sentences = [
            s for line in slide.text.splitlines() for s in _SENTENCE.split(line) if s.strip()
        ]
        spoken = max(duration - PAUSE, 0.1)
        total = sum(len(s) for s in sentences) or 1
        at = start
        for sentence in sentences:
            end = at + spoken * len(sentence) / total
            n += 1
            lines += [str(n), f"{_stamp(at)} --> {_stamp(end)}", sentence.strip(), ""]
            at = end
        start += duration
    return "\n".join(lines)


def make(step: dict[str, Any], eng: Any) -> str:
    """Make the step's video and captions under their key (nothing if made already)."""
    key = key_of(step, eng.name)
    target = path_of(key)
    if target.is_file() and path_of(key, ".vtt").is_file():
        return key
    slides = slides_of(step)
    with tempfile.TemporaryDirectory(prefix="hocvuso-video-") as tmp:
        work = Path(tmp)
        inputs: list[str] = []
        graph: list[str] = []
        durations: list[float] = []
        for i, slide in enumerate(slides):
            sound = work / f"{i}.ogg"
            sound.write_bytes(eng.synthesize(slide.text))
            duration = round(duration_of(sound) + PAUSE, 3)
            durations.append(duration)
            w, h = _fit(IMAGES_DIR / slide.picture)
            picture = work / f"{i}.png"
            _run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-width",
                    str(w),
                    "-height",
                    str(h),
                    "-i",
                    str(IMAGES_DIR / slide.picture),
                    "-filter_complex",
                    f"color=white:s={SIDE}x{SIDE}[bg];[bg][0:v]overlay=(W-w)/2:(H-h)/2:shortest=1",
                    "-frames:v",
                    "1",
                    str(picture),
                ]
            )
            inputs += [
                "-loop",
                "1",
                "-framerate",
                str(FPS),
                "-t",
                str(duration),
                "-i",
                str(picture),
            ]
            inputs += ["-i", str(sound)]
            graph.append(
                f"[{2 * i}:v]format=yuv420p,setsar=1[v{i}];"
                f"[{2 * i + 1}:a]aresample=24000,apad=whole_dur={duration}[a{i}]"
            )
        joined = "".join(f"[v{i}][a{i}]" for i in range(len(slides)))
        graph.append(f"{joined}concat=n={len(slides)}:v=1:a=1[v][a]")
        out = work / "out.mp4"
        _run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                *inputs,
                "-filter_complex",
                ";".join(graph),
                "-map",
                "[v]",
                "-map",
                "[a]",
                "-c:v",
                "libx264",
                "-profile:v",
                "baseline",
                "-level",
                "3.0",
                "-preset",
                "veryslow",
                "-tune",
                "stillimage",
                "-crf",
                "30",
                "-r",
                str(FPS),
                "-g",
                str(FPS * 5),
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-b:a",
                "24k",
                "-ac",
                "1",
                "-movflags",
                "+faststart",
                str(out),
            ]
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        vtt = path_of(key, ".vtt")
        vtt.with_suffix(".tmp").write_text(captions(slides, durations), encoding="utf-8")
        vtt.with_suffix(".tmp").replace(vtt)
        shutil.move(out, target.with_suffix(".part"))
        target.with_suffix(".part").replace(target)  # never a half-written file under its name
    return key


def film(steps: list[dict[str, Any]]) -> dict[str, int]:
    """Make the video of every narrated step not made yet. Idempotent: run again, nothing."""
    eng = speech.engine()
    if not steps:
        return {"made": 0, "cached": 0, "skipped": 0}
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe") and eng.available()):
        logger.warning(
            "lesson videos skipped: ffmpeg or the speech engine %s is not installed (make "
            "installs ffmpeg, espeak-ng and opus-tools when run as root)",
            eng.name,
        )
        return {"made": 0, "cached": 0, "skipped": len(steps)}
    made = cached = 0
    for step in steps:
        key = key_of(step, eng.name)
        if path_of(key).is_file() and path_of(key, ".vtt").is_file():
            cached += 1
            continue
        make(step, eng)
        made += 1
    return {"made": made, "cached": cached, "skipped": 0}
