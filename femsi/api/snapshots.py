"""A run's snapshots as PyVista meshes, each with its time, SOC and protocol step.

A run with mechanics writes a P1 copy of the body at every field output
(``fields/snapshots/NNNN.vtu``, listed in ``fields/snapshots/index.json``; see
:mod:`femsi.outputs.snapshots`). Each mesh carries the point arrays

- ``u``: displacement [m] (3 components; 0 out of plane in a 2D section),
- ``von_mises_Pa``, ``hydrostatic_stress_Pa``, ``max_principal_Pa``: Cauchy stress [Pa],
- ``concentration_mol_m3``: lithium concentration [mol/m³],
- ``damage``: the phase-field damage [-] (studies with ``phase_field`` only).

Points are reference (undeformed) coordinates in m; ``mesh(length_unit="um")`` gives points and
``u`` in µm, stresses and concentrations unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from femsi.errors import InputError
from femsi.outputs.snapshots import read_index

if TYPE_CHECKING:
    import pandas
    import pyvista

    from femsi.api.picture import Picture

#: ``length_unit`` names and their factor from metres.
LENGTH_UNITS = {"m": 1.0, "um": 1e6, "µm": 1e6}
#: Point arrays holding lengths (scaled with the coordinates).
LENGTH_ARRAYS = ("u",)


@dataclass(frozen=True)
class Snapshot:
    """One saved state of the body.

    Attributes:
        index: Position among the run's snapshots (0 is the initial state).
        file: The ``.vtu`` file.
        time_s: Time [s].
        soc: State of charge of the active material [-].
        step: The time-series step of this state (the ``step`` column of ``timeseries.csv``;
            None if the run's time series has no row at this time).
        protocol_step: Index of the protocol step it belongs to (None as for ``step``).
        protocol_kind: ``initial``, ``lithiate``, ``delithiate``, ``rest``, ... (None as for
            ``step``).
        run_dir: The run folder.
    """

    index: int
    file: Path
    time_s: float
    soc: float
    step: int | None
    protocol_step: int | None
    protocol_kind: str | None
    run_dir: Path

    def mesh(self, length_unit: str = "m") -> pyvista.UnstructuredGrid:
        """The snapshot as a PyVista mesh.

        Args:
            length_unit: ``"m"`` (as stored) or ``"um"`` (points and ``u`` × 1e6).

        Returns:
            The mesh with the point arrays of the module docstring, and ``field_data``
            ``time_s``, ``soc``, ``step``, ``protocol_step``, ``protocol_kind`` and
            ``length_unit``.

        Raises:
            InputError: An unknown ``length_unit``.
        """
        import pyvista

        factor = _length_factor(length_unit)
        grid = pyvista.UnstructuredGrid(str(self.file))
        if factor != 1.0:
            grid.points = grid.points * factor
            for name in LENGTH_ARRAYS:
                if name in grid.point_data:
                    grid.point_data[name] = grid.point_data[name] * factor
        for key, value in (
            ("time_s", self.time_s),
            ("soc", self.soc),
            ("step", self.step),
            ("protocol_step", self.protocol_step),
            ("protocol_kind", self.protocol_kind),
            ("length_unit", "um" if factor != 1.0 else "m"),
        ):
            if value is not None:
                grid.field_data[key] = [value]
        return grid

    def plot(self, field: str = "von_mises", **options) -> Picture:
        """Render one field of this snapshot (see :meth:`femsi.api.RunResult.plot`).

        Args:
            field: ``von_mises``, ``hydrostatic``, ``concentration``, ``displacement`` or
                ``damage``.
            **options: ``clip``, ``deformed`` and ``output`` of
                :meth:`~femsi.api.RunResult.plot`.

        Returns:
            The PNG written (shown inline by a notebook).
        """
        from femsi.api.plots import draw

        return draw(self.run_dir, field, time=self.time_s, **options)


def _length_factor(length_unit: str) -> float:
    try:
        return LENGTH_UNITS[length_unit]
    except KeyError:
        raise InputError(
            "length_unit", f"unknown length unit {length_unit!r}; choose m or um"
        ) from None


class Snapshots(Sequence[Snapshot]):
    """The snapshots of a run, oldest first (an empty sequence if it wrote none).

    Args:
        run_dir: The run folder.
        timeseries: Its time series (for each snapshot's step and protocol step).
    """

    def __init__(self, run_dir: Path, timeseries: pandas.DataFrame):
        folder = Path(run_dir) / "fields" / "snapshots"
        times = timeseries["time_s"].to_numpy(float) if "time_s" in timeseries else np.empty(0)
        items = []
        for position, entry in enumerate(read_index(folder)):
            time = float(entry["time_s"])
            match = np.flatnonzero(np.isclose(times, time, rtol=1e-12, atol=0.0))
            row = timeseries.iloc[int(match[-1])] if match.size else None
            items.append(
                Snapshot(
                    index=position,
                    file=folder / entry["file"],
                    time_s=time,
                    soc=float(entry["soc"]),
                    step=None if row is None else int(row["step"]),
                    protocol_step=None if row is None else int(row["protocol_step"]),
                    protocol_kind=None if row is None else str(row["protocol_kind"]),
                    run_dir=Path(run_dir),
                )
            )
        self._items = items

    @overload
    def __getitem__(self, index: int) -> Snapshot: ...
    @overload
    def __getitem__(self, index: slice) -> list[Snapshot]: ...
    def __getitem__(self, index: int | slice) -> Snapshot | list[Snapshot]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Snapshot]:
        return iter(self._items)

    def __repr__(self) -> str:
        return f"<{len(self)} snapshots>"

    @property
    def table(self) -> pandas.DataFrame:
        """One row per snapshot.

        Columns: ``index``, ``time_s``, ``soc``, ``step``, ``protocol_step``,
        ``protocol_kind``, ``file``.
        """
        import pandas

        columns = ["index", "time_s", "soc", "step", "protocol_step", "protocol_kind", "file"]
        rows = [[getattr(s, c) for c in columns] for s in self._items]
        frame = pandas.DataFrame(rows, columns=columns)
        return frame.astype({"step": "Int64", "protocol_step": "Int64"})

    def at_step(self, step: int) -> Snapshot:
        """The snapshot of time-series step ``step``.

        Raises:
            InputError: No snapshot was written at that step (naming the steps that have one).
        """
        for snapshot in self._items:
            if snapshot.step == step:
                return snapshot
        steps = ", ".join(str(s.step) for s in self._items if s.step is not None)
        raise InputError(
            "step",
            f"no snapshot at step {step}; snapshots are at steps {steps or '(none)'} "
            "(outputs.every sets how often)",
        )

    def nearest(self, time_s: float | None = None) -> Snapshot:
        """The snapshot closest to ``time_s`` [s] (the last one when None).

        Raises:
            InputError: The run has no snapshots.
        """
        if not self._items:
            raise InputError("snapshots", "this run has no snapshots")
        if time_s is None:
            return self._items[-1]
        times = np.array([s.time_s for s in self._items])
        return self._items[int(np.argmin(np.abs(times - time_s)))]

    def meshes(self, length_unit: str = "m") -> list[pyvista.UnstructuredGrid]:
        """Every snapshot as a mesh (see :meth:`Snapshot.mesh`)."""
        return [snapshot.mesh(length_unit) for snapshot in self._items]
