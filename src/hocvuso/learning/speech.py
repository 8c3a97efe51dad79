"""Read-aloud: every step's text (and every quiz question) as a small audio file made on the
server by a background job, cached by what it says.

The engine is pluggable (``settings.HOCVUSO_SPEECH_ENGINE``, a dotted path to a class with
``name``, ``available()`` and ``synthesize(text) -> bytes``). The default drives Debian's
``espeak-ng`` with its Vietnamese voice and compresses the sound to Ogg Opus with
``opusenc`` (about 2.5 KB a second of speech: a lesson step is a few tens of KB on a cheap
phone's data plan). A file is named by the hash of the engine, the voice and the text, so
editing a step's text makes a new file and an unchanged text is never made twice. Where the
programs are missing the job says so once and makes nothing; the page then simply has no
"listen" button.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

KEY_CHARS = 32


class Engine(Protocol):
    name: str

    def available(self) -> bool: ...

    def synthesize(self, text: str) -> bytes: ...


class EspeakEngine:
    """``espeak-ng -v vi`` → WAV on stdout → ``opusenc --speech`` → Ogg Opus."""

    name = "espeak-ng/vi/140/opus16"

    def available(self) -> bool:
        return bool(shutil.which("espeak-ng") and shutil.which("opusenc"))

    def synthesize(self, text: str) -> bytes:
        wav = subprocess.run(  # noqa: S603 (fixed program, text passed as one argument)
            ["espeak-ng", "-v", "vi", "-s", "140", "--stdout", text],  # noqa: S607
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        return subprocess.run(
            ["opusenc", "--quiet", "--speech", "--bitrate", "16", "-", "-"],  # noqa: S607
            input=wav,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout


def engine() -> Any:
    dotted = getattr(settings, "HOCVUSO_SPEECH_ENGINE", "hocvuso.learning.speech.EspeakEngine")
    return import_string(dotted)()


def speech_dir() -> Path:
    return Path(settings.DATA_DIR) / "speech"


def key_of(text: str, engine_name: str | None = None) -> str:
    name = engine_name or engine().name
    return hashlib.sha256(f"{name}\n{text}".encode()).hexdigest()[:KEY_CHARS]


def path_of(key: str) -> Path:
    return speech_dir() / key[:2] / f"{key}.opus"


def valid_key(key: str) -> bool:
    return len(key) == KEY_CHARS and all(c in "0123456789abcdef" for c in key)


def ready_key(text: str) -> str | None:
    """The key of ``text``'s audio if it has been made (None: not yet, or no engine)."""
    if not text:
        return None
    key = key_of(text)
    return key if path_of(key).is_file() else None


def texts_of(content: dict[str, Any]) -> list[str]:
    texts = [s["speech"] for lesson in content["lessons"] for s in lesson["steps"]]
    texts += [q["speech"] for q in content["quiz"]["questions"]]
    return [t for t in texts if t]


def speak(texts: list[str]) -> dict[str, int]:
    """Make the audio of every text not made yet. Idempotent: run again, it makes nothing."""
    eng = engine()
    if not eng.available():
        logger.warning(
            "read-aloud skipped: the speech engine %s is not installed (make installs espeak-ng "
            "and opus-tools when run as root)",
            eng.name,
        )
        return {"made": 0, "cached": 0, "skipped": len(texts)}
    made = cached = 0
    for text in dict.fromkeys(texts):
        target = path_of(key_of(text, eng.name))
        if target.is_file():
            cached += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(eng.synthesize(text))
        tmp.replace(target)  # never a half-written file under the final name
        made += 1
    return {"made": made, "cached": cached, "skipped": 0}
