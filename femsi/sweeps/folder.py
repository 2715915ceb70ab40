"""The sweep folder: its layout, creation and the expanded run list.

::

    DIR/sweep.json      the expanded sweep (written first; the runs' single source of truth)
    DIR/sweep.yaml      the sweep file, with ``base`` made absolute (resume with it)
    DIR/runs.csv        index, name and swept values of every run (for people)
    DIR/runs/NAME/      one femsi run folder per run (``COMPLETE`` written last)
    DIR/claims/         atomic claims of the runs being worked on
    DIR/logs/NAME.log   stdout/stderr of each local attempt
    DIR/sweep.sbatch    the Slurm job-array script (``--slurm``), ``DIR/slurm/`` its output
    DIR/dolfinx_jit_options.json   JIT options for the workers, which run in DIR

Workers share the FFCx JIT cache (``~/.cache/fenics``). FFCx makes it safe for concurrent
processes: the first creates the form's ``.c`` file exclusively (``open(..., "x")``) and
compiles; the others wait for its ``.c.cached`` ready file. They wait only DOLFINx's default
``timeout`` of 10 s, though, less than a large form takes to compile on a cold cache, so the
sweep folder carries a ``dolfinx_jit_options.json`` (read from the working directory) that
raises it to :data:`JIT_TIMEOUT_S`.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from femsi.errors import InputError

if TYPE_CHECKING:
    from femsi.sweeps.spec import Sweep

SWEEP_JSON = "sweep.json"
#: Seconds a worker waits for another process compiling the same form.
JIT_TIMEOUT_S = 3600


def prepare_sweep_folder(folder: Path, sweep: Sweep) -> None:
    """Create (or resume) the sweep folder and write the expanded run list.

    A folder that already holds this sweep is resumed; its run list may grow (a longer grid),
    but a run whose name it knows must have the same resolved config.

    Args:
        folder: The sweep folder.
        sweep: The expanded :class:`~femsi.sweeps.spec.Sweep`.

    Raises:
        InputError: The folder cannot be written, holds something else, or holds a sweep of a
            different base study.
    """
    folder = Path(folder)
    try:
        if folder.exists() and any(folder.iterdir()) and not (folder / SWEEP_JSON).exists():
            raise InputError(
                "--output", f"{folder} exists, is not empty and is not a femsi sweep folder"
            )
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("ok")
        probe.unlink()
        for sub in ("runs", "claims", "logs"):
            (folder / sub).mkdir(exist_ok=True)
        jit = folder / "dolfinx_jit_options.json"
        if not jit.exists():
            jit.write_text(json.dumps({"timeout": JIT_TIMEOUT_S}) + "\n")
    except OSError as err:
        raise InputError("--output", f"cannot write {folder}: {err.strerror or err}") from None
    data = sweep.as_json()
    if (folder / SWEEP_JSON).exists():
        _check_same_sweep(folder, read_sweep(folder), data)
    write_atomic(folder / SWEEP_JSON, json.dumps(data, indent=2))
    copy = folder / "sweep.yaml"
    if not copy.exists() or not copy.samefile(sweep.source):
        header = f"# femsi sweep file, from {sweep.source}; base made absolute\n"
        definition = {**sweep.definition, "base": str(sweep.base)}
        write_atomic(copy, header + yaml.safe_dump(definition, sort_keys=False))
    with (folder / "runs.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["index", "name", *sweep.keys])
        for run in sweep.runs:
            writer.writerow([run.index, run.name, *run.parameters.values()])


def _check_same_sweep(folder: Path, old: dict, new: dict) -> None:
    if old.get("base_config_hash") != new["base_config_hash"]:
        raise InputError(
            "base",
            f"{folder} holds a sweep of a different base study (config hash "
            f"{old.get('base_config_hash')}, now {new['base_config_hash']}); use another folder",
        )
    known = {run["name"]: run["config_hash"] for run in old.get("runs", [])}
    for run in new["runs"]:
        if run["name"] in known and known[run["name"]] != run["config_hash"]:
            raise InputError(
                "sweep", f"run {run['name']} in {folder} was made from a different config"
            )


def read_sweep(folder: Path) -> dict:
    """The content of ``DIR/sweep.json``.

    Raises:
        InputError: The folder is not a sweep folder.
    """
    path = Path(folder) / SWEEP_JSON
    try:
        sweep = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(str(folder), "not a femsi sweep folder (no sweep.json)") from None
    except (OSError, ValueError) as err:
        raise InputError(str(path), f"unreadable ({err})") from None
    _check_sweep(sweep, path)
    return sweep


def _check_sweep(sweep: object, path: Path) -> None:
    """A sweep.json is data from disk: its shape is checked, its run names are names."""
    if not isinstance(sweep, dict) or not isinstance(sweep.get("runs"), list):
        raise InputError(str(path), "malformed: not a femsi sweep (no list of runs)")
    for key in ("name", "base"):
        if not isinstance(sweep.get(key), str):
            raise InputError(str(path), f"malformed: '{key}' is missing or not text")
    for position, run in enumerate(sweep["runs"]):
        if not isinstance(run, dict) or not isinstance(run.get("name"), str):
            raise InputError(f"{path}: runs.{position}", "malformed run entry")
        if not re.fullmatch(NAME_PATTERN, run["name"]):
            raise InputError(f"{path}: runs.{position}.name", f"{run['name']!r} is not a run name")


def read_mapping(path: Path) -> tuple[dict, str | None]:
    """A JSON object from a run folder, and what is wrong with it (None if nothing).

    A missing file is no problem (an unfinished run); a truncated or malformed one, or JSON
    that is not an object, is reported by name and read as empty.
    """
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as err:
        return {}, f"{path.name} is unreadable ({err})"
    if not isinstance(data, dict):
        return {}, f"{path.name} is not a JSON object"
    return data, None


#: A run's or sweep's name: a folder name, never a path.
NAME_PATTERN = r"[A-Za-z0-9_=+][A-Za-z0-9_.+=-]*"


def run_dir(folder: Path, name: str) -> Path:
    """The run folder of run ``name``."""
    return Path(folder) / "runs" / name


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` through a temporary file and a rename."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
