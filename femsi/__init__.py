"""femsi: finite-element studies of lithiation-induced stress in silicon anodes.

The Python API mirrors the command line, for scripts and notebooks:

    import femsi
    config = femsi.load_config("configs/particle.yaml", ["geometry.radius=500 nm"])
    result = femsi.run(config, "results/particle")
    result.timeseries                    # pandas DataFrame of timeseries.csv
    result.peaks.loc["particle.max_von_mises_Pa", "value"]
    result.snapshots[-1].mesh("um")      # PyVista mesh, lengths in µm
    result.plot("hydrostatic", step=2)   # PNG, shown inline in a notebook

    again = femsi.load("results/particle")   # the same, from the folder

    sweep = femsi.Sweep("configs/particle.yaml", grid={"geometry.radius": ["0.5 um", "1 um"]})
    sweep.run("results/sizes", workers=2).table   # one row per run

See the documentation's "Python API" page.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import femsi.compat  # noqa: F401  (loads MPI before anyone imports dolfinx or petsc4py)
from femsi.api import Picture, RunResult, Snapshot, Snapshots, Sweep, SweepResult, load
from femsi.config import StudyConfig, load_config
from femsi.errors import InputError, SolveError

if TYPE_CHECKING:
    from mpi4py import MPI

try:
    __version__ = metadata.version("femsi")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"


def run(
    config: StudyConfig | str | Path,
    output_dir: str | Path | None = None,
    *,
    overrides: list[str] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    force: bool = False,
    comm: MPI.Comm | None = None,
) -> RunResult:
    """Run a study and write its run folder (``femsi run``).

    Args:
        config: A study from :func:`load_config`, or the path of a YAML file.
        output_dir: The run folder (default ``results/<study>``).
        overrides: ``dotted.key=value`` assignments (``--set``) when ``config`` is a path.
        overwrite: Replace an existing femsi run folder.
        progress: Show a progress bar.
        force: Mesh a geometry estimated too large for the machine anyway.
        comm: MPI communicator (default ``MPI.COMM_WORLD``).

    Returns:
        The result, also when the solve failed: check ``status``.

    Raises:
        InputError: Invalid input, found before anything is solved.
    """
    from mpi4py import MPI

    from femsi.study import run as _run

    return _run(
        config,
        output_dir,
        overrides=overrides,
        overwrite=overwrite,
        progress=progress,
        force=force,
        comm=MPI.COMM_WORLD if comm is None else comm,
    )


__all__ = [
    "InputError",
    "Picture",
    "RunResult",
    "Snapshot",
    "Snapshots",
    "SolveError",
    "StudyConfig",
    "Sweep",
    "SweepResult",
    "__version__",
    "load",
    "load_config",
    "run",
]
