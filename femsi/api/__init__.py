"""The Python API for scripts and notebooks: results as tables, meshes and pictures; sweeps.

:class:`RunResult` is what :func:`femsi.run` returns and :func:`load` reads from a run folder;
:class:`SweepResult` is a sweep folder's, and :class:`Sweep` builds and runs a sweep. Results
read the files of the documentation's "Outputs" page when first asked for. Everything here is
also at the top level: ``femsi.load``, ``femsi.Sweep``, ...
"""

from __future__ import annotations

from pathlib import Path

from femsi.api.picture import Picture
from femsi.api.run_result import RunResult
from femsi.api.snapshots import Snapshot, Snapshots
from femsi.api.sweep import Sweep
from femsi.api.sweep_result import SweepResult
from femsi.errors import InputError


def load(folder: str | Path) -> RunResult | SweepResult:
    """Read a finished (or stopped, or running) run or sweep.

    Args:
        folder: A run folder (``femsi run -o FOLDER``) or a sweep folder (``femsi sweep -o
            FOLDER``, holding ``sweep.json``).

    Returns:
        A :class:`RunResult` for a run folder, a :class:`SweepResult` for a sweep folder.

    Raises:
        InputError: ``folder`` is neither.
    """
    from femsi.sweeps.folder import SWEEP_JSON

    path = Path(folder)
    if not path.is_dir():
        raise InputError("folder", f"{path} is not a folder")
    if (path / SWEEP_JSON).is_file():
        return SweepResult(path)
    return RunResult.from_folder(path)


__all__ = ["Picture", "RunResult", "Snapshot", "Snapshots", "Sweep", "SweepResult", "load"]
