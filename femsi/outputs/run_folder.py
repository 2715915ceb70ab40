"""The run folder: created safely, a log file from rank 0, JSON written atomically.

A run never overwrites a non-empty folder unless told to, and then only one that holds a
previous femsi run; JSON files are written to a temporary name and renamed, so a reader never
sees half a file. A completed run writes :data:`COMPLETE_MARKER` last: a folder holding it has
every output (sweeps skip such runs and never touch them again).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from mpi4py import MPI

import numpy as np

import femsi.compat  # noqa: F401
from femsi.errors import InputError

logger = logging.getLogger("femsi")

#: Written last into the folder of a completed run.
COMPLETE_MARKER = "COMPLETE"


def prepare_output(output_dir: Path, overwrite: bool, comm: MPI.Comm) -> bool:
    """Create the run folder; refuse to reuse a non-empty one unless told to.

    Returns:
        Whether the folder was created by this call (so it may be removed on bad input).

    Raises:
        InputError: The folder exists with content and ``overwrite`` is false, or it does not
            look like a femsi run folder, or it cannot be written.
    """
    error = None
    created = False
    if comm.rank == 0:
        try:
            if output_dir.exists() and any(output_dir.iterdir()):
                if not overwrite:
                    raise InputError(
                        "--output",
                        f"{output_dir} exists and is not empty; choose another folder or pass "
                        "--overwrite to replace a previous femsi run",
                    )
                if (
                    not (output_dir / "manifest.json").exists()
                    and not (output_dir / "config.yaml").exists()
                ):
                    raise InputError(
                        "--output", f"{output_dir} is not a femsi run folder; not overwriting it"
                    )
                shutil.rmtree(output_dir)
            created = not output_dir.exists()
            (output_dir / "fields").mkdir(parents=True, exist_ok=True)
            (output_dir / "figures").mkdir(exist_ok=True)
        except InputError as err:
            error = err
        except OSError as err:
            error = InputError("--output", f"cannot write {output_dir}: {err.strerror}")
    error = comm.bcast(error, root=0)
    if error is not None:
        raise error
    return comm.bcast(created, root=0)


def setup_logging(output_dir: Path, comm: MPI.Comm) -> logging.Handler | None:
    """Send femsi's log to ``log.txt`` on rank 0; returns the handler to remove afterwards."""
    logger.setLevel(logging.INFO)
    if comm.rank != 0:
        return None
    handler = logging.FileHandler(output_dir / "log.txt", mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return handler


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON through a temporary file and an atomic rename."""
    tmp = path.with_suffix(".json.tmp")
    try:
        with tmp.open("w") as stream:
            json.dump(data, stream, indent=2, default=_jsonable)
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)  # never a torn file under the real name
        raise


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def write_complete_marker(output_dir: Path, config_hash: str) -> None:
    """Mark a run folder complete (atomically; call after every other output is written)."""
    write_json(output_dir / COMPLETE_MARKER, {"status": "completed", "config_hash": config_hash})
