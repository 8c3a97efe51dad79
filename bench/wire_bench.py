"""What a page costs on the wire, measured in the browser: the production server (gunicorn with
the project's configuration, ``HOCVUSO_ENV=production``, static files collected, fingerprinted and
pre-compressed by whitenoise, pages gzipped) on loopback, Debian's headless Chromium driven by
Playwright, each role signed in through the log-in form (officers with the demo's second factor).

    python bench/wire_bench.py [--households 40]

For each page it prints the bytes transferred (compressed, headers included, as Chromium's network
layer counts them) on a first load with an empty cache, and on a repeat visit (the cache primed,
as a phone that opened the page yesterday): the page's HTML, and everything with it. Ends with
one line of JSON. The targets (issue: "light on the wire"): a field page ≤ 100 KB first, ≤ 10 KB
again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import pg_cluster  # noqa: E402

PASSWORD = "hocvuso-demo-2026"  # noqa: S105 - the demo's, in a throw-away database
PAGES = {
    "to.thenpa": ["/", "/thuc-dia/", "/xa/00715/gia-dinh-so/", "/xa/00715/dinh-danh-so/"],
    "motcua.lungcu": ["/", "/xa/00715/quay/ghi/", "/xa/00715/quay/luot/"],
    "doan.lungcu": ["/", "/xa/00715/lop/"],
    "dan.thenpa": ["/", "/hoc/", "/hoc/vneid/"],
    "canbo.lungcu": ["/", "/xa/00715/", "/bang-dieu-khien/xa/00715/"],
    "admin": ["/bang-dieu-khien/ca-nuoc/", "/bang-dieu-khien/tinh/08/"],
}
OFFICERS = {"canbo.lungcu", "admin", "canbo.tuyenquang"}
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _hocvuso(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hocvuso", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"hocvuso {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _measure(page: Any, url: str) -> dict[str, int]:
    """Bytes on the wire for one navigation: the document and everything it loads."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    sizes: dict[str, int] = {}
    kinds: dict[str, str] = {}
    session.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    session.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    session.detach()
    document = sum(n for r, n in sizes.items() if kinds.get(r) == "Document")
    return {"total": sum(sizes.values()), "document": document, "requests": len(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=40)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not installed (make browser installs it)")
    from playwright.sync_api import sync_playwright

    data = Path(tempfile.mkdtemp(prefix="hocvuso-wire-"))
    keys = {
        "HOCVUSO_SECRET_KEY": secrets.token_urlsafe(48),
        "HOCVUSO_ID_KEY": secrets.token_urlsafe(48),
        "HOCVUSO_SIGNING_KEY": secrets.token_urlsafe(48),
    }
    env = pg_cluster.platform_env(data, f"sqlite:///{data}/wire.sqlite3", **keys)
    _hocvuso(["migrate", "--verbosity", "0"], env)
    _hocvuso(["load_units"], env)
    _hocvuso(["demo", "--households", str(args.households), "--no-migrate"], env)
    production = {
        **env,
        "HOCVUSO_ENV": "production",
        "HOCVUSO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "HOCVUSO_SSL_REDIRECT": "0",
        "HOCVUSO_HSTS_SECONDS": "0",
        "HOCVUSO_STATIC_ROOT": str(data / "static"),
    }
    _hocvuso(["collectstatic", "--noinput", "--verbosity", "0"], production)
    rows = []
    try:
        with (
            pg_cluster.web_server(production, data / "web.log", workers=2) as base,
            sync_playwright() as pw,
        ):
            base = base.replace("127.0.0.1", "localhost")  # secure cookies: localhost only
            browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
            for username, paths in PAGES.items():
                context = browser.new_context(
                    viewport={"width": 360, "height": 780}, locale="vi-VN", is_mobile=True
                )
                page = context.new_page()
                page.goto(base + "/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD if username != "admin" else "hocvuso-admin-2026")
                page.click("button[type=submit].primary")
                page.wait_for_load_state()
                if username in OFFICERS and page.locator("#id_code").count():
                    code = _hocvuso(["demo_code", username], env).strip()
                    page.fill("#id_code", code)
                    page.click("button[type=submit].primary")
                    page.wait_for_load_state()
                for path in paths:
                    # A cold cache for the first load: a fresh context with the same session.
                    cookies = context.cookies()
                    cold = browser.new_context(
                        viewport={"width": 360, "height": 780}, locale="vi-VN", is_mobile=True
                    )
                    cold.add_cookies(cookies)
                    cold_page = cold.new_page()
                    first = _measure(cold_page, base + path)
                    again = _measure(cold_page, base + path)
                    cold.close()
                    rows.append({"user": username, "path": path, "first": first, "again": again})
                    print(
                        f"{username:>15} {path:<32} first {first['total'] / 1024:6.1f} KB "
                        f"(page {first['document'] / 1024:5.1f} KB, {first['requests']} requests) "
                        f"| again {again['total'] / 1024:5.1f} KB ({again['requests']} requests)",
                        flush=True,
                    )
                context.close()
            browser.close()
    finally:
        if not os.environ.get("WIRE_BENCH_KEEP"):
            shutil.rmtree(data, ignore_errors=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(json.dumps({"bench": "wire", "machine": machine, "pages": rows}))


if __name__ == "__main__":
    main()
