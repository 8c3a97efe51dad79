"""Narrated lesson videos: what they weigh and what they cost to make.

    python bench/learning_video_bench.py

Films every ``{video}`` step of the shipped courses into a temporary data folder with the
production recipe (``hocvuso.learning.video``: espeak-ng → Ogg Opus, the step's SVG pictures
drawn by ffmpeg's librsvg, H.264 Constrained Baseline 360 × 360 at 2 fps + mono AAC 24 kbit/s),
then prints, per video, its length, its size, its bit rate and the CPU time of the programs
that made it (``RUSAGE_CHILDREN``: espeak-ng, opusenc, ffmpeg, ffprobe — this process does
almost nothing), with the machine's load. Ends with one line of JSON. Needs ffmpeg, espeak-ng
and opusenc; timing never fails anything.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.config.settings")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings

    from hocvuso.learning import speech, video
    from hocvuso.learning.content import COURSES_DIR, course_files, parse_course

    if not video.available():
        print("ffmpeg, ffprobe or the speech engine is missing: nothing to measure")
        return
    load = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="hocvuso-video-bench-") as tmp:
        settings.DATA_DIR = Path(tmp)
        engine = speech.engine()
        for path in course_files(COURSES_DIR):
            content = parse_course(path.name, path.read_text(encoding="utf-8"))
            for step in video.steps_of(content):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall = time.perf_counter()
                key = video.make(step, engine)
                wall = time.perf_counter() - wall
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                mp4 = video.path_of(key)
                seconds = video.duration_of(mp4)
                size = mp4.stat().st_size
                rows.append(
                    {
                        "course": content["code"],
                        "step": step["title"],
                        "seconds": round(seconds, 1),
                        "bytes": size,
                        "kbit_s": round(size * 8 / seconds / 1000, 1),
                        "vtt_bytes": video.path_of(key, ".vtt").stat().st_size,
                        "cpu_s": round(cpu, 2),
                        "wall_s": round(wall, 2),
                    }
                )
    print(f"{platform.node()} · {os.cpu_count()} cores · load {load[0]:.2f} {load[1]:.2f}")
    print(f"{'course / step':58} {'s':>5} {'KB':>6} {'kbit/s':>7} {'cpu s':>6}")
    for r in rows:
        name = f"{r['course']} / {r['step']}"[:58]
        print(
            f"{name:58} {r['seconds']:5.1f} {r['bytes'] / 1000:6.1f} {r['kbit_s']:7.1f} "
            f"{r['cpu_s']:6.2f}"
        )
    total_s = sum(r["seconds"] for r in rows)
    total_b = sum(r["bytes"] for r in rows)
    summary = {
        "videos": len(rows),
        "seconds": round(total_s, 1),
        "bytes": total_b,
        "kbit_s": round(total_b * 8 / total_s / 1000, 1) if total_s else 0,
        "cpu_s": round(sum(r["cpu_s"] for r in rows), 2),
        "cpu_s_per_video_second": round(sum(r["cpu_s"] for r in rows) / total_s, 3)
        if total_s
        else 0,
        "load_1m": round(load[0], 2),
        "rows": rows,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
