"""The run folder: created safely, a log file from rank 0, JSON written atomically.

A run never overwrites a non-empty folder unless told to, and then only one that holds a
previous femsi run (its marker :data:`RUN_MARKER`), and only once the new run has passed its
checks (:class:`RunFolder`); JSON files are written to a temporary name and renamed, so a
reader never sees half a file. A completed run writes :data:`COMPLETE_MARKER` last: a folder
holding it has every output (sweeps skip such runs and never touch them again).
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from mpi4py import MPI

import numpy as np

import femsi.compat  # noqa: F401
from femsi.errors import InputError

logger = logging.getLogger("femsi")

#: Written last into the folder of a completed run.
COMPLETE_MARKER = "COMPLETE"


#: Written first into every run folder femsi creates: the mark that the folder is femsi's.
RUN_MARKER = ".femsi-run"


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a femsi run: its marker, or the manifest of an older run."""
    if (folder / RUN_MARKER).is_file():
        return True
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"versions", "config_hash"} <= manifest.keys()


@dataclass
class RunFolder:
    """Where a run writes, and how it replaces a previous run (``--overwrite``).

    A previous run is never touched before the new one has passed every check: the new run
    is written into a staging folder beside it, and :meth:`commit` swaps the two once the run
    is built (the staging path then links to the final folder, so paths the run holds stay
    valid, until :meth:`close`).

    Attributes:
        path: Where the run writes now.
        final: The folder the user asked for.
        created: Whether this run created the final folder (removed again on bad input).
    """

    path: Path
    final: Path
    created: bool

    @property
    def staged(self) -> bool:
        """Whether the run writes beside a previous run that it will replace."""
        return self.path != self.final

    def commit(self, comm: MPI.Comm) -> None:
        """Replace the previous run by this one (after the run was built)."""
        if not self.staged:
            return

        def swap() -> None:
            trash = self.final.with_name(f".{self.final.name}.femsi-old")
            shutil.rmtree(trash, ignore_errors=True)
            self.final.rename(trash)
            self.path.rename(self.final)
            self.path.symlink_to(self.final.resolve(), target_is_directory=True)
            shutil.rmtree(trash, ignore_errors=True)

        from femsi.parallel import on_rank0

        on_rank0(comm, swap, "--output", f"replacing {self.final}")

    def abandon(self, comm: MPI.Comm) -> None:
        """Remove what a run that failed its checks wrote (the previous run stays)."""
        if comm.rank == 0 and (self.staged or self.created):
            shutil.rmtree(self.path, ignore_errors=True)

    def close(self, comm: MPI.Comm) -> None:
        """Remove the staging link of a replacing run."""
        comm.barrier()
        if comm.rank == 0 and self.staged and self.path.is_symlink():
            self.path.unlink()


def prepare_output(output_dir: Path, overwrite: bool, comm: MPI.Comm) -> RunFolder:
    """Create the run folder; refuse to reuse a non-empty one unless told to.

    Returns:
        Where the run writes (a staging folder beside a previous run it replaces).

    Raises:
        InputError: The folder exists with content and ``overwrite`` is false, or it does not
            hold a femsi run (its marker), or it cannot be written.
    """

    def prepare() -> RunFolder:
        try:
            path, created = output_dir, not output_dir.exists()
            if output_dir.exists() and any(output_dir.iterdir()):
                if not overwrite:
                    raise InputError(
                        "--output",
                        f"{output_dir} exists and is not empty; choose another folder or pass "
                        "--overwrite to replace a previous femsi run",
                    )
                if output_dir.is_symlink() or not is_run_folder(output_dir):
                    raise InputError(
                        "--output",
                        f"{output_dir} is not a femsi run folder (no {RUN_MARKER} marker); "
                        "not overwriting it",
                    )
                path = output_dir.with_name(f".{output_dir.name}.femsi-new")
                if path.is_symlink():
                    path.unlink()
                shutil.rmtree(path, ignore_errors=True)
            (path / "fields").mkdir(parents=True, exist_ok=True)
            (path / "figures").mkdir(exist_ok=True)
            (path / RUN_MARKER).write_text(json.dumps({"femsi": "run folder"}) + "\n")
            return RunFolder(path, output_dir, created)
        except OSError as err:
            raise InputError("--output", f"cannot write {output_dir}: {err.strerror}") from None

    from femsi.parallel import on_rank0

    return on_rank0(comm, prepare, "--output", "preparing the run folder")


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
