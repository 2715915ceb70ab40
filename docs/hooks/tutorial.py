"""MkDocs hook: execute the tutorials at build time.

Fenced blocks marked ``bash exec`` (femsi commands) and ``python exec`` (run in one namespace
per page) are executed in order in a scratch folder that holds the repository's ``configs/``;
each block is followed by what it printed. Images the page links under ``results/`` are taken
from the runs and added to the site. A command that fails fails the build.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ("tutorials/first-day.md",)
BLOCK = re.compile(r"^```(bash|python) exec\n(.*?)^```\n", re.M | re.S)
IMAGE = re.compile(r"\]\((results/[^)]+\.png)\)")

_outputs: dict[str, list[str]] = {}


def _femsi(command: str) -> list[str]:
    words = shlex.split(command)
    if words[0] not in ("femsi", ".venv/bin/femsi"):
        raise PluginError(f"tutorial: only femsi commands are executed: {command}")
    return [sys.executable, "-m", "femsi", *words[1:]]


def _execute(page: str, source: str, work: Path) -> list[str]:
    outputs = []
    namespace: dict[str, object] = {}
    for kind, code in BLOCK.findall(source):
        if kind == "bash":
            done = subprocess.run(
                _femsi(code.strip()), cwd=work, capture_output=True, text=True, check=False
            )
            text = (done.stdout + done.stderr).strip()
            if done.returncode != 0:
                raise PluginError(f"{page}: `{code.strip()}` failed ({done.returncode}): {text}")
        else:
            buffer = io.StringIO()
            cwd = Path.cwd()
            os.chdir(work)
            try:
                with contextlib.redirect_stdout(buffer):
                    exec(compile(code, page, "exec"), namespace)  # noqa: S102
            finally:
                os.chdir(cwd)
            text = buffer.getvalue().rstrip()
        outputs.append(text)
    return outputs


def on_files(files: Files, config) -> Files:
    """Run every tutorial and add the images it links to the site."""
    scratch = Path(tempfile.mkdtemp(prefix="femsi-docs-"))
    for page in TUTORIALS:
        source = (Path(config["docs_dir"]) / page).read_text()
        work = scratch / Path(page).stem
        work.mkdir()
        (work / "configs").symlink_to(ROOT / "configs")
        _outputs[page] = _execute(page, source, work)
        for image in IMAGE.findall(source):
            path = work / image
            if not path.is_file():
                raise PluginError(f"{page}: the runs made no {image}")
            name = str(Path(page).parent / image)
            files.append(File.generated(config, name, content=path.read_bytes()))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Show each executed block as plain code, followed by its output."""
    outputs = iter(_outputs.get(page.file.src_uri, []))
    if page.file.src_uri not in _outputs:
        return markdown

    def block(match: re.Match[str]) -> str:
        kind, code = match.groups()
        shown = f"```{kind}\n{code}```\n"
        out = next(outputs)
        return shown + (f"\n```text\n{out}\n```\n" if out else "")

    return BLOCK.sub(block, markdown)
