"""Sweeps from Python: build, run on this machine, and read the results as a pandas table.

A sweep is built from a sweep file or from a base study and its axes. It is a thin layer on
what ``femsi sweep`` does: the same expansion (:func:`femsi.sweeps.spec.load_sweep`), the same
sweep folder (:func:`femsi.sweeps.folder.prepare_sweep_folder`) and the same pool of worker
processes (:func:`femsi.sweeps.local.run_local`). So a sweep built here has the runs, names and
config hashes of the equivalent sweep file, and the folder it writes can be resumed, reported
or sent to Slurm with the command line.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from femsi.errors import InputError

if TYPE_CHECKING:
    import pandas

    from femsi.api.sweep_result import SweepResult
    from femsi.sweeps.spec import Sweep as Expanded

#: The command line's names of the options, and their Python names.
PYTHON_NAMES = {"--output": "output_dir", "--set": "overrides"}


class Sweep:
    """Many runs of one base study: a grid, pairwise (zip) lists and random samples of keys.

    Build it from a sweep file (:meth:`from_file`) or from a base study and the keys to vary;
    the values are written as in a sweep file (``"500 nm"``, ``2``, ``"small_strain"``). The
    runs are expanded and every run's config is checked when the sweep is built.

    Args:
        base: The base study (a YAML file).
        grid: Keys to their lists of values; the runs are the Cartesian product.
        zip: Keys to lists of equal length, taken pairwise (one factor of the product).
        samples: ``{"n": 8, "seed": 1, "ranges": {KEY: [LOW, HIGH]}, "method":
            "latin_hypercube" or "random"}`` (one factor of the product).
        name: The sweep's name (default ``<base file name>-sweep``); the default folder is
            ``results/<name>``.
        description: Free text kept in the sweep folder.
        execution: ``{"workers": ..., "ranks": ..., "runs_per_process": ..., "slurm":
            {...}}``, as in a sweep file.
        overrides: ``dotted.key=value`` assignments applied to the base study of every run
            (``femsi sweep --set``).

    Raises:
        InputError: What ``femsi sweep`` would refuse, naming the key (``grid.geometry.radius``).

    Example:
        >>> sweep = femsi.Sweep("configs/particle.yaml",
        ...                     grid={"geometry.radius": ["0.5 um", "1 um"]})
        >>> result = sweep.run("results/sizes", workers=2)
        >>> result.table
    """

    def __init__(
        self,
        base: str | Path,
        grid: dict[str, list] | None = None,
        *,
        zip: dict[str, list] | None = None,
        samples: dict | None = None,
        name: str | None = None,
        description: str = "",
        execution: dict | None = None,
        overrides: list[str] | None = None,
    ):
        if not (grid or zip or samples):
            raise InputError("grid", "nothing to sweep: give grid, zip or samples")
        base_path = Path(base).resolve()
        block: dict[str, object] = {}
        for key, value in (("grid", grid), ("zip", zip), ("samples", samples)):
            if value:
                block[key] = value
        self.definition: dict = {
            "base": str(base_path),
            "name": name or f"{base_path.stem}-sweep",
            "description": description,
            "sweep": block,
            **({"execution": execution} if execution else {}),
        }
        self.file: Path | None = None
        self.overrides = list(overrides or [])
        self._expanded = self._load()

    @classmethod
    def from_file(cls, path: str | Path, overrides: list[str] | None = None) -> Sweep:
        """A sweep file (``femsi sweep PATH``), with ``--set`` overrides of its base study.

        Raises:
            InputError: A file ``femsi sweep`` would refuse, naming the key.
        """
        from femsi.config.loader import read_yaml

        sweep = cls.__new__(cls)
        sweep.file = Path(path).resolve()
        if not sweep.file.is_file():
            raise InputError("path", f"no such sweep file {sweep.file}")
        sweep.definition = read_yaml(sweep.file)
        sweep.overrides = list(overrides or [])
        sweep._expanded = sweep._load()
        return sweep

    @contextlib.contextmanager
    def _sweep_file(self) -> Iterator[Path]:
        """The sweep file (a temporary one for a sweep built in Python)."""
        if self.file is not None:
            yield self.file
            return
        with tempfile.TemporaryDirectory(prefix="femsi-python-sweep-") as tmp:
            path = Path(tmp) / f"{self.definition['name']}.yaml"
            path.write_text(yaml.safe_dump(self.definition, sort_keys=False))
            yield path

    def _load(self) -> Expanded:
        from femsi.sweeps.spec import load_sweep

        with self._sweep_file() as path:
            return self._named(load_sweep, path, self.overrides)

    def _named(self, function, *args, **kwargs):
        """Call ``function``; its InputErrors name Python arguments, not the file or flags."""
        try:
            return function(*args, **kwargs)
        except InputError as err:
            where = err.field
            if self.file is None:
                where = where.removeprefix("sweep.")
            where = PYTHON_NAMES.get(where.split(" ")[0], where)
            raise InputError(where, err.message) from None

    def __repr__(self) -> str:
        return f"Sweep({self.name!r}, runs={len(self._expanded.runs)}, keys={self.keys})"

    @property
    def name(self) -> str:
        """The sweep's name."""
        return self._expanded.name

    @property
    def keys(self) -> list[str]:
        """The swept keys."""
        return self._expanded.keys

    @property
    def runs(self) -> pandas.DataFrame:
        """The expanded runs.

        Columns: ``index``, ``name`` (the run folder), each swept key as written, and
        ``config_hash``.
        """
        import pandas

        rows = [
            {"index": r.index, "name": r.name, **r.parameters, "config_hash": r.config_hash}
            for r in self._expanded.runs
        ]
        return pandas.DataFrame(rows, columns=["index", "name", *self.keys, "config_hash"])

    def save(self, path: str | Path) -> Path:
        """Write the sweep file (``base`` absolute), for ``femsi sweep PATH --slurm`` etc.

        Returns:
            The file written.
        """
        target = Path(path)
        target.write_text(yaml.safe_dump(self.definition, sort_keys=False))
        return target

    def run(
        self,
        output_dir: str | Path | None = None,
        *,
        workers: int | None = None,
        ranks: int | None = None,
        runs_per_process: int | None = None,
        progress: bool = True,
    ) -> SweepResult:
        """Run the sweep on this machine, as ``femsi sweep SWEEP -o OUTPUT_DIR`` does.

        Each run is a separate process (``femsi sweep-task``); complete runs of an earlier
        call are skipped, so calling it again resumes the sweep (a longer grid adds runs).

        Args:
            output_dir: The sweep folder (default ``results/<name>``).
            workers: Runs at a time (default ``execution.workers``).
            ranks: MPI ranks per run (default ``execution.ranks``).
            runs_per_process: Runs done in turn by one worker process (default
                ``execution.runs_per_process``).
            progress: Show a progress bar.

        Returns:
            The sweep's results; ``outcome`` says which runs were done, skipped or failed.

        Raises:
            InputError: A folder that holds something else, a count below 1, or a base study
                changed since the sweep was built.
        """
        from femsi.api.sweep_result import SweepResult
        from femsi.sweeps.folder import prepare_sweep_folder, read_sweep
        from femsi.sweeps.local import run_local

        execution = self._expanded.spec.execution
        counts = {
            "workers": execution.workers if workers is None else workers,
            "ranks": execution.ranks if ranks is None else ranks,
            "runs_per_process": (
                execution.runs_per_process if runs_per_process is None else runs_per_process
            ),
        }
        for option, value in counts.items():
            if value < 1:
                raise InputError(option, f"must be at least 1, got {value}")
        folder = Path(output_dir) if output_dir is not None else Path("results") / self.name
        expanded = self._load()  # the base study as it is now
        if expanded.base_config_hash != self._expanded.base_config_hash:
            raise InputError("base", f"{expanded.base} changed since the sweep was built")
        with self._sweep_file() as path:
            expanded.source = path  # the copy in the folder is written from the definition
            self._named(prepare_sweep_folder, folder, expanded)
        outcome = run_local(
            folder,
            read_sweep(folder)["runs"],
            counts["workers"],
            counts["ranks"],
            progress=progress,
            runs_per_process=counts["runs_per_process"],
        )
        return SweepResult(folder, outcome)
