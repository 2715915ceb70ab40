"""What a sweep report shows, read from the sweep folder: inputs, outputs, runs, time series.

- the **inputs**: the swept keys that take more than one value; keys of a ``zip`` group that
  split the runs the same way (``materials.particle`` and ``physics.mechanics`` in the shipped
  sweep) are one input, shown as ``amorphous_silicon / finite_strain``;
- the **outputs**: the summary columns chosen by :data:`DEFAULT_QUANTITIES` (the mechanics
  peaks and crack maxima) or by the user's patterns (``--quantity``), which vary between
  complete runs;
- per run its state and, for a run that is not complete, the reason (``femsi status``);
- per run its ``timeseries.csv`` (the time series of the overlays), also of failed runs: they
  keep the steps up to the failure.
"""

from __future__ import annotations

import csv
import fnmatch
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from femsi.errors import InputError
from femsi.sweeps.catalogue import catalogue_rows, columns_of
from femsi.sweeps.folder import read_sweep, run_dir
from femsi.sweeps.labels import Label, input_label, output_label

#: Summary columns plotted by default (shell patterns): the stress peaks of every region and
#: the crack driving forces, not the timings.
DEFAULT_QUANTITIES = (
    "peaks.*.max_von_mises_Pa.value",
    "peaks.*.min_hydrostatic_Pa.value",
    "peaks.*.max_hydrostatic_Pa.value",
    "crack.*",
)
#: Columns of the results table after the plotted ones, when present.
TABLE_EXTRAS = ("final.soc",)


@dataclass
class Input:
    """One swept input: one key, or the keys of a zip group that move together."""

    keys: list[str]
    label: Label
    values: list[object]  # per run, in the display unit (numbers) or text
    numeric: bool

    def number(self, index: int) -> float:
        """The value of run ``index`` as a number (NaN for text)."""
        return _number(self.values[index])

    def text(self, index: int) -> str:
        """The value of run ``index`` as table text."""
        value = self.values[index]
        return f"{value:.4g}" if isinstance(value, float) else str(value)


@dataclass
class Output:
    """One summary column shown in the report."""

    column: str
    label: Label
    values: np.ndarray  # per run, display unit, NaN where missing


@dataclass
class ReportData:
    """Everything the report shows, per run in sweep order."""

    folder: Path
    sweep: dict
    rows: list[dict]
    inputs: list[Input]
    outputs: list[Output]
    extras: list[Output] = field(default_factory=list)

    @property
    def complete(self) -> list[int]:
        """Indices (into ``rows``) of the complete runs."""
        return [i for i, row in enumerate(self.rows) if row["state"] == "complete"]

    @property
    def not_complete(self) -> list[int]:
        """Indices of the runs that are not complete (failed, interrupted, running, pending)."""
        return [i for i, row in enumerate(self.rows) if row["state"] != "complete"]

    def input_named(self, key: str) -> Input:
        """The input holding swept ``key`` (``--color-by``)."""
        for entry in self.inputs:
            if key in entry.keys:
                return entry
        names = ", ".join(k for entry in self.inputs for k in entry.keys) or "none"
        raise InputError("--color-by", f"{key!r} is not a swept key that varies ({names})")


def read_report_data(folder: Path, patterns: list[str] | None = None) -> ReportData:
    """Read a sweep folder for its report.

    Args:
        folder: The sweep folder.
        patterns: Summary columns to plot (exact names or shell patterns such as
            ``peaks.*.max_von_mises_Pa.value``); default :data:`DEFAULT_QUANTITIES`.

    Raises:
        InputError: A pattern matches no column of the catalogue.
    """
    folder = Path(folder)
    sweep = read_sweep(folder)
    rows, keys = catalogue_rows(folder)
    geometry_type = _geometry_type(folder, sweep)
    inputs = swept_inputs(rows, keys, geometry_type)
    columns = choose_columns(rows, patterns)
    outputs = [_output(rows, column) for column in columns]
    extras = [_output(rows, c) for c in TABLE_EXTRAS if c in columns_of(rows) and c not in columns]
    return ReportData(folder, sweep, rows, inputs, outputs, extras)


def _geometry_type(folder: Path, sweep: dict) -> str | None:
    """``geometry.type`` of the study: from a run's resolved config, else the base file."""
    candidates = [run_dir(folder, run["name"]) / "config.yaml" for run in sweep["runs"][:5]]
    candidates.append(Path(sweep["base"]))
    for path in candidates:
        try:
            tree = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(tree, dict) and isinstance(tree.get("geometry"), dict):
            kind = tree["geometry"].get("type")
            return kind if isinstance(kind, str) else None
    return None


def swept_inputs(rows: list[dict], keys: list[str], geometry_type: str | None) -> list[Input]:
    """The swept keys that vary, zip partners that split the runs alike merged into one."""
    inputs: list[Input] = []
    partitions: list[tuple[object, ...]] = []
    for key in keys:
        raw = [row.get(key) for row in rows]
        if len({_hashable(v) for v in raw}) < 2:
            continue  # one value for every run: a setting, not an input
        partition = _partition(raw)
        label = input_label(key, raw, geometry_type)
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)
        values = [label.show(v) for v in raw]
        if partition in partitions and not numeric:
            merged = inputs[partitions.index(partition)]
            if not merged.numeric:
                merged.keys.append(key)
                merged.label = Label(f"{merged.label.text} / {label.text}")
                merged.values = [f"{a} / {b}" for a, b in zip(merged.values, values, strict=True)]
                continue
        inputs.append(Input([key], label, values, numeric))
        partitions.append(partition)
    return inputs


def _hashable(value: object) -> object:
    return value if isinstance(value, int | float | str | None) else repr(value)


def _partition(values: list[object]) -> tuple[object, ...]:
    """Which runs share a value, independent of the values themselves."""
    first: dict[object, int] = {}
    return tuple(first.setdefault(_hashable(v), len(first)) for v in values)


def choose_columns(rows: list[dict], patterns: list[str] | None) -> list[str]:
    """The summary columns to plot, in the order of the patterns.

    Default patterns keep only columns that vary between complete runs; a column the user
    names is kept even when constant.
    """
    columns = [c for c in columns_of(rows) if _is_number_column(rows, c)]
    done = [row for row in rows if row["state"] == "complete"]
    chosen: list[str] = []
    for pattern in patterns or DEFAULT_QUANTITIES:
        matches = [c for c in columns if fnmatch.fnmatchcase(c, pattern) and c not in chosen]
        if patterns and not matches:
            known = ", ".join(c for c in columns if c.startswith(("peaks.", "final.", "crack")))
            raise InputError(
                "--quantity",
                f"{pattern!r} matches no numeric column of the catalogue (e.g. {known[:300]})",
            )
        chosen += [c for c in matches if patterns or _varies(done, c)]
    return chosen


def _is_number_column(rows: list[dict], column: str) -> bool:
    values = [row.get(column) for row in rows if row.get(column) is not None]
    return bool(values) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    )


def _varies(rows: list[dict], column: str) -> bool:
    values = np.array([_number(row.get(column)) for row in rows])
    finite = values[np.isfinite(values)]
    return bool(finite.size) and np.ptp(finite) > 1e-12 * max(np.abs(finite).max(), 1e-300)


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def _output(rows: list[dict], column: str) -> Output:
    raw = [row.get(column) for row in rows]
    label = output_label(column, raw)
    return Output(column, label, np.array([_number(v) / label.factor for v in raw]))


# ----------------------------------------------------------------------------- time series


def series_column(column: str) -> str | None:
    """The ``timeseries.csv`` column of a peak column, or None for other summary columns.

    ``peaks.particle.max_von_mises_Pa.value`` → ``particle.max_von_mises_Pa``.
    """
    if column.startswith("peaks.") and column.endswith(".value"):
        return column[len("peaks.") : -len(".value")]
    return None


def read_series(run: Path, columns: list[str]) -> dict[str, np.ndarray] | None:
    """``time_s``, ``soc`` and ``columns`` of a run's ``timeseries.csv`` (None if absent)."""
    path = run / "timeseries.csv"
    if path.is_symlink() or not path.is_file():
        return None
    wanted = ["time_s", "soc", *columns]
    data: dict[str, list[float]] = {name: [] for name in wanted}
    try:
        with path.open(newline="") as stream:
            for record in csv.DictReader(stream):
                for name in wanted:
                    data[name].append(_float(record.get(name)))
    except (OSError, csv.Error, UnicodeDecodeError):
        return None
    return {name: np.array(values) for name, values in data.items()}


def _float(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan
