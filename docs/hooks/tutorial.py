"""MkDocs hook: execute the tutorials at build time.

Fenced blocks marked ``bash exec`` (femsi commands) and ``python exec`` (run in one namespace
per page) are executed in order in a scratch folder that holds the repository's ``configs/``;
each block is followed by what it printed. Images the page links under ``results/`` are taken
from the runs and added to the site. A command that fails fails the build.

The pages run in parallel, ``FEMSI_DOCS_JOBS`` at a time (default: 2, or the number of cores if
fewer); the blocks of one page run in order, in that page's folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import multiprocessing
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = (
    "tutorials/electrode.md",  # the longest first
    "tutorials/first-day.md",
    "tutorials/particle.md",
    "tutorials/axisymmetric.md",
    "tutorials/film-cycle.md",
    "tutorials/crack.md",
    "tutorials/phase-field.md",
    "tutorials/sweeps.md",
)
BLOCK = re.compile(r"^```(bash|python) exec\n(.*?)^```\n", re.M | re.S)
IMAGE = re.compile(r"\]\((results/[^)]+\.png)\)")

_outputs: dict[str, list[str]] = {}
log = logging.getLogger("mkdocs.hooks.tutorial")


def _femsi(command: str) -> list[str]:
    words = shlex.split(command.replace("\\\n", " "))  # continued lines
    if words[0] not in ("femsi", ".venv/bin/femsi"):
        raise PluginError(f"tutorial: only femsi commands are executed: {command}")
    return [sys.executable, "-m", "femsi", *words[1:]]


def _environment() -> dict[str, str]:
    """The environment of the commands: this repository's femsi first on the path.

    The commands run in a scratch folder, where a relative ``PYTHONPATH`` (``.``) would no
    longer find the sources being documented.
    """
    paths = [str(ROOT), *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def _execute(page: str, source: str, work: Path) -> list[str]:
    outputs = []
    namespace: dict[str, object] = {}
    for kind, code in BLOCK.findall(source):
        if kind == "bash":
            done = subprocess.run(
                _femsi(code.strip()),
                cwd=work,
                env=_environment(),
                capture_output=True,
                text=True,
                check=False,
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


def _jobs() -> int:
    return max(1, int(os.environ.get("FEMSI_DOCS_JOBS", min(2, os.cpu_count() or 1))))


def _child(page: str, source: str, work: Path) -> None:
    """Execute one page in a forked process; the outputs (or the error) go to ``work``."""
    try:
        outputs = _execute(page, source, work)
    except Exception as error:  # noqa: BLE001 - reported by the parent
        (work / ".error.txt").write_text(str(error))
        os._exit(1)
    (work / ".outputs.json").write_text(json.dumps(outputs))
    os._exit(0)


def _run_pages(sources: dict[str, str], works: dict[str, Path], jobs: int) -> None:
    """Execute the pages, ``jobs`` at a time, each in a forked process of its own.

    The hook is no importable module, so nothing is pickled: the outputs come back as files.
    """
    context = multiprocessing.get_context("fork")
    pending, running, started = list(sources), {}, {}
    while pending or running:
        while pending and len(running) < jobs:
            page = pending.pop(0)
            running[page] = context.Process(target=_child, args=(page, sources[page], works[page]))
            running[page].start()
            started[page] = time.perf_counter()
        for page, process in list(running.items()):
            process.join(timeout=0.1)
            if process.exitcode is None:
                continue
            del running[page]
            error = works[page] / ".error.txt"
            if process.exitcode != 0:
                for other in running.values():
                    other.terminate()
                message = error.read_text() if error.is_file() else f"exit {process.exitcode}"
                raise PluginError(message)
            _outputs[page] = json.loads((works[page] / ".outputs.json").read_text())
            log.info(f"tutorial {page}: executed in {time.perf_counter() - started[page]:.0f} s")


def on_files(files: Files, config) -> Files:
    """Run every tutorial and add the images it links to the site."""
    scratch = Path(tempfile.mkdtemp(prefix="femsi-docs-"))
    sources, works = {}, {}
    for page in TUTORIALS:
        sources[page] = (Path(config["docs_dir"]) / page).read_text()
        works[page] = scratch / Path(page).stem
        works[page].mkdir()
        (works[page] / "configs").symlink_to(ROOT / "configs")
    _run_pages(sources, works, _jobs())
    for page in TUTORIALS:
        source, work = sources[page], works[page]
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
