"""The results of a sweep folder as pandas tables, and each run's :class:`RunResult`.

Everything is read from the folder each time it is asked for, so a table of a sweep that is
still running shows the runs done so far.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from femsi.api.run_result import RunResult
from femsi.errors import InputError

if TYPE_CHECKING:
    import pandas

    from femsi.sweeps.local import PoolResult

#: Columns of :attr:`SweepResult.table` besides the swept keys and the peaks.
TABLE_COLUMNS = ("index", "run", "state", "status", "end_reason", "message", "wall_time_s")


class SweepResult:
    """A sweep folder (``femsi sweep`` or :meth:`femsi.Sweep.run`).

    Args:
        folder: The sweep folder (holding ``sweep.json``).
        outcome: What the local pool did, when the sweep was just run.

    Attributes:
        folder: The sweep folder.
        outcome: Names of the runs done, skipped (already complete), failed and busy (claimed
            by another worker) by the call that returned this result; None when loaded.

    Raises:
        InputError: ``folder`` is not a sweep folder.
    """

    def __init__(self, folder: str | Path, outcome: PoolResult | None = None):
        from femsi.sweeps.folder import read_sweep

        self.folder = Path(folder)
        try:
            self._sweep = read_sweep(self.folder)
        except InputError as err:
            raise InputError("folder", err.message) from None
        self.outcome = outcome

    @classmethod
    def from_folder(cls, folder: str | Path) -> SweepResult:
        """Read a sweep folder (see the class)."""
        return cls(folder)

    def __repr__(self) -> str:
        return f"SweepResult({str(self.folder)!r}, name={self.name!r}, runs={len(self)})"

    @property
    def name(self) -> str:
        """The sweep's name."""
        return self._sweep["name"]

    @property
    def keys(self) -> list[str]:
        """The swept config keys, in sweep-file order."""
        return list(self._sweep.get("keys") or [])

    @property
    def names(self) -> list[str]:
        """The run names (folders under ``runs/``), in sweep order."""
        return [run["name"] for run in self._sweep["runs"]]

    def __len__(self) -> int:
        return len(self._sweep["runs"])

    @property
    def catalogue(self) -> pandas.DataFrame:
        """Every column of ``femsi collect`` (``catalogue.csv``), one row per run.

        ``index``, ``run``, the swept keys (SI values where numeric), ``state``, ``status``,
        ``message``, ``end_reason``, manifest columns and every numeric leaf of
        ``summary.json`` by dotted path (``peaks.particle.max_von_mises_Pa.value``,
        ``final.soc``); runs not finished have empty summary columns.
        """
        import pandas

        from femsi.sweeps.catalogue import catalogue_rows, columns_of

        rows, _ = catalogue_rows(self.folder)
        return pandas.DataFrame(rows, columns=columns_of(rows))

    @property
    def table(self) -> pandas.DataFrame:
        """One row per run: the swept inputs, state and status, and the peaks.

        Columns: ``index``, ``run``, the swept keys (SI values where numeric), ``state``,
        ``status``, ``end_reason``, ``message``, ``wall_time_s``, ``final.soc`` and every
        ``peaks.COLUMN.value`` (a subset of :attr:`catalogue`).
        """
        frame = self.catalogue
        peaks = [c for c in frame.columns if c.startswith("peaks.") and c.endswith(".value")]
        wanted = [*TABLE_COLUMNS[:2], *self.keys, *TABLE_COLUMNS[2:], "final.soc", *peaks]
        return frame[[c for c in dict.fromkeys(wanted) if c in frame.columns]]

    @property
    def status(self) -> pandas.DataFrame:
        """The state of every run (``femsi status``).

        Columns ``index``, ``run``, ``state`` (``complete``, ``running``, ``failed``,
        ``interrupted`` or ``pending``) and ``message``.
        """
        import pandas

        from femsi.sweeps.status import sweep_states

        rows = [(s.index, s.name, s.state, s.message) for s in sweep_states(self.folder)]
        return pandas.DataFrame(rows, columns=["index", "run", "state", "message"])

    def __getitem__(self, run: int | str) -> RunResult:
        """The result of one run, by index or name.

        Raises:
            InputError: No such run, or a run that has not started.
        """
        from femsi.sweeps.folder import run_dir

        names = self.names
        if isinstance(run, int) and not isinstance(run, bool):
            if not -len(names) <= run < len(names):
                raise InputError("run", f"the sweep has runs 0 to {len(names) - 1}, not {run}")
            name = names[run]
        elif run in names:
            name = str(run)
        else:
            raise InputError("run", f"no run {run!r} in {self.folder} (see .names)")
        folder = run_dir(self.folder, name)
        if not folder.is_dir():
            raise InputError("run", f"run {name} has not started (no {folder})")
        return RunResult.from_folder(folder)

    def __iter__(self) -> Iterator[RunResult]:
        """The results of the runs that have a run folder, in sweep order."""
        from femsi.sweeps.folder import run_dir

        for name in self.names:
            if run_dir(self.folder, name).is_dir():
                yield RunResult.from_folder(run_dir(self.folder, name))
