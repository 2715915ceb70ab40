"""Look at a femsi sweep report the way a person would: a headless-Chromium screenshot.

Usage::

    python scripts/check_report.py results/my-sweep/report.html [-o report.png]

Finds a Chromium (``$FEMSI_CHROMIUM``, ``chromium-headless-shell``, ``chromium``,
``chromium-browser``, ``google-chrome``; on Debian/Ubuntu ``apt-get install
chromium-headless-shell``), renders the page off screen without network access, writes a
full-width PNG and checks it is not blank. Exit code 0 on success, 1 if the screenshot failed
or is blank, 77 if no browser is installed (the test suite skips then).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
NO_BROWSER = 77


def find_browser() -> str | None:
    """The first Chromium found ($FEMSI_CHROMIUM first), or None."""
    candidates = [os.environ.get("FEMSI_CHROMIUM"), *BROWSERS]
    return next((shutil.which(c) for c in candidates if c and shutil.which(c)), None)


def screenshot(browser: str, page: Path, png: Path, width: int = 1280, height: int = 2400) -> None:
    """Render ``page`` to ``png`` in headless Chromium (no sandbox: CI runs as root)."""
    with tempfile.TemporaryDirectory(prefix="femsi-chromium-") as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--proxy-server=127.0.0.1:9",  # no network: the report must be self-contained
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def is_blank(png: Path) -> bool:
    """Whether the image is (nearly) one colour."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        spread = ImageStat.Stat(image.convert("L")).stddev[0]
    return spread < 2.0


def main() -> int:
    """Screenshot the report given on the command line; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="PNG (default: REPORT with .png)")
    args = parser.parse_args()
    browser = find_browser()
    if browser is None:
        print("no Chromium found; install chromium-headless-shell", file=sys.stderr)
        return NO_BROWSER
    png = args.output or args.report.with_suffix(".png")
    screenshot(browser, args.report, png)
    if not png.exists() or is_blank(png):
        print(f"{png}: missing or blank", file=sys.stderr)
        return 1
    print(f"{png}: screenshot of {args.report} by {browser}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
