"""The result of one run: what :func:`femsi.run` returns and :func:`femsi.load` reads back.

Everything is read from the run folder (see the documentation's "Outputs" page) when first
asked for, so loading a large run is instant and a result works the same whether it was just
computed or loaded from disk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from femsi.api.picture import Picture
from femsi.api.plots import draw
from femsi.api.snapshots import Snapshots
from femsi.api.units import unit_of, units_of
from femsi.errors import InputError

if TYPE_CHECKING:
    import pandas

#: The status of a run folder that has no ``summary.json`` (still running, or killed).
UNFINISHED = "unfinished"
#: Columns of :attr:`RunResult.peaks`, after the quantity (the index).
PEAK_COLUMNS = ["value", "unit", "kind", "time_s", "step", "soc", "region"]


@dataclass(repr=False)
class RunResult:
    """What a finished (or stopped) run produced.

    Returned by :func:`femsi.run`; :func:`femsi.load` (or :meth:`from_folder`) reads one back
    from a run folder. The tables, meshes and files are read from the folder when first used.

    Attributes:
        output_dir: The run folder.
        status: ``completed``, ``failed`` or ``interrupted`` (``unfinished`` for a folder
            without ``summary.json``: a run still going, or killed).
        summary: The content of ``summary.json`` (peaks, final row, protocol steps).
        rows: The time-series rows, one dict per accepted step.
    """

    output_dir: Path
    status: str
    summary: dict
    rows: list[dict] = field(default_factory=list)

    @classmethod
    def from_folder(cls, folder: str | Path) -> RunResult:
        """Read the result of a run folder.

        Args:
            folder: A folder written by ``femsi run`` or :func:`femsi.run` (also one run of
                a sweep, ``SWEEP/runs/NAME``).

        Returns:
            The result; ``rows`` are those of ``timeseries.csv``.

        Raises:
            InputError: ``folder`` is not a femsi run folder, or its ``summary.json`` is
                unreadable.
        """
        from femsi.outputs.run_folder import is_run_folder
        from femsi.sweeps.folder import SWEEP_JSON, read_mapping

        folder = Path(folder)
        if not folder.is_dir():
            raise InputError("folder", f"{folder} is not a folder")
        if (folder / SWEEP_JSON).is_file():
            raise InputError(
                "folder", f"{folder} is a sweep folder: femsi.load reads it as a SweepResult"
            )
        if not is_run_folder(folder):
            raise InputError(
                "folder", f"{folder} is not a femsi run folder (no .femsi-run or manifest.json)"
            )
        summary, problem = read_mapping(folder / "summary.json")
        if problem is not None:
            raise InputError("folder", f"{folder}: {problem}")
        result = cls(folder, str(summary.get("status", UNFINISHED)), summary)
        result.rows = result.timeseries.to_dict("records")
        return result

    def __repr__(self) -> str:
        steps = len(self.rows) if self.rows else "?"
        return f"RunResult({str(self.output_dir)!r}, status={self.status!r}, rows={steps})"

    @cached_property
    def timeseries(self) -> pandas.DataFrame:
        """``timeseries.csv``: one row per accepted step, its columns as in the file.

        Column units are in the names (``time_s``, ``particle.max_von_mises_Pa``) and in
        ``timeseries.attrs["units"]`` (:attr:`units`). Floats are read back exactly.
        """
        import pandas

        path = Path(self.output_dir) / "timeseries.csv"
        if path.is_file():
            frame = pandas.read_csv(path, **_exact_floats(pandas.__version__))
        else:  # a rank without the file, or a run stopped before its first row
            frame = pandas.DataFrame(self.rows)
        frame.attrs["units"] = units_of(frame.columns)
        return frame

    @property
    def units(self) -> dict[str, str]:
        """The unit of every time-series column (``"1"``: dimensionless or a count)."""
        return dict(self.timeseries.attrs["units"])

    @cached_property
    def peaks(self) -> pandas.DataFrame:
        """The peak of every time-series column, from ``summary.json``.

        One row per quantity (the index: the column name, ``NAME.min`` for a kept minimum)
        with ``value``, ``unit``, ``kind`` (``max`` or ``min``), and the ``time_s``, ``step``,
        ``soc`` and ``region`` where it occurred.
        """
        import pandas

        rows = {
            name: {**peak, "unit": unit_of(name.removesuffix(".min"))}
            for name, peak in (self.summary.get("peaks") or {}).items()
        }
        frame = pandas.DataFrame.from_dict(rows, orient="index", columns=PEAK_COLUMNS)
        frame.index.name = "quantity"
        return frame.astype({"step": "Int64"})

    @cached_property
    def snapshots(self) -> Snapshots:
        """The saved states of the body as PyVista meshes (empty without mechanics)."""
        return Snapshots(Path(self.output_dir), self.timeseries)

    @cached_property
    def config(self) -> dict:
        """The resolved study (``config.yaml``): every value the run used, in SI.

        Raises:
            InputError: The folder has no ``config.yaml``.
        """
        path = Path(self.output_dir) / "config.yaml"
        if not path.is_file():
            raise InputError("folder", f"{self.output_dir} has no config.yaml")
        return yaml.safe_load(path.read_text())

    @cached_property
    def manifest(self) -> dict:
        """``manifest.json`` (empty while the run goes on).

        Versions, config hash, MPI size, wall times, DOFs and solver iterations.
        """
        from femsi.sweeps.folder import read_mapping

        return read_mapping(Path(self.output_dir) / "manifest.json")[0]

    @property
    def complete(self) -> bool:
        """Whether the run completed and wrote every output (its ``COMPLETE`` marker)."""
        from femsi.outputs.run_folder import COMPLETE_MARKER

        return (Path(self.output_dir) / COMPLETE_MARKER).is_file()

    def plot(
        self,
        field: str = "von_mises",
        *,
        step: int | None = None,
        time: float | None = None,
        clip: str | None = None,
        deformed: bool = True,
        output: str | Path | None = None,
    ) -> Picture:
        """Render one field on the body at a snapshot, as ``femsi plot`` does.

        Args:
            field: ``von_mises``, ``hydrostatic``, ``concentration``, ``displacement``
                (magnitude) or ``damage``.
            step: The time-series step to draw (it must have a snapshot; see
                :attr:`snapshots`). Default: the last snapshot.
            time: Or a time [s]: the nearest snapshot is drawn.
            clip: ``x``, ``y`` or ``z``: cut the body by that plane through its centre (a full
                body is cut at ``y`` by default, as the run's own figures are).
            deformed: Draw the deformed shape (displacement × 1).
            output: The PNG file, or a folder (default ``RUN_DIR/figures/replot``).

        Returns:
            The PNG written; a notebook shows it inline, and it is a path
            (``picture.path``).

        Raises:
            InputError: An unknown field or clip, a step without a snapshot, both ``step``
                and ``time``, or a run without snapshots.
        """
        if step is not None and time is not None:
            raise InputError("step", "give step or time, not both")
        if step is not None:
            time = self.snapshots.at_step(_step_number(step)).time_s
        return draw(
            Path(self.output_dir), field, time=time, clip=clip, deformed=deformed, output=output
        )

    def animate(
        self,
        field: str = "von_mises",
        *,
        clip: str | None = None,
        deformed: bool = True,
        output: str | Path | None = None,
    ) -> Picture:
        """An animated GIF of one field over every snapshot (one colour scale for all).

        Args:
            field: As for :meth:`plot`.
            clip: As for :meth:`plot`.
            deformed: As for :meth:`plot`.
            output: The GIF file, or a folder (default ``RUN_DIR/figures/replot``).

        Returns:
            The GIF written (shown inline by a notebook).

        Raises:
            InputError: As for :meth:`plot`.
        """
        return draw(
            Path(self.output_dir), field, clip=clip, deformed=deformed, gif=True, output=output
        )


def _step_number(step: object) -> int:
    """A step given as any whole number (``peaks.loc[q, "step"]`` is a NumPy integer)."""
    try:
        number = float(step)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number.is_integer()):
        raise InputError("step", f"a time-series step is a whole number, not {step!r}")
    return int(number)


def _exact_floats(version: str) -> dict:
    """``read_csv`` options that read every float back exactly.

    pandas before 3.1 parses floats with a fast converter that can be one unit in the last
    place off unless asked for ``round_trip``; 3.1 always round-trips and deprecates the
    option.
    """
    major, minor = (int(part) for part in version.split(".")[:2])
    return {"float_precision": "round_trip"} if (major, minor) < (3, 1) else {}
