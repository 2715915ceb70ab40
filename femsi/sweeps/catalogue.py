"""``femsi collect DIR``: one table row per run, as ``catalogue.parquet`` and ``catalogue.csv``.

Columns, in order:

- ``index``, ``run``: the run's index and folder name;
- one column per swept key (``geometry.radius``): the SI value from the resolved config when
  the key is numeric, else the value as written in the sweep file;
- ``state`` (:mod:`femsi.sweeps.status`), ``status`` and ``message`` from ``summary.json``;
- ``config_hash``, ``mpi_size``, ``wall_time_s`` and ``wall_time_s.<phase>`` from
  ``manifest.json``, ``cells`` and ``dofs.<field>``;
- every numeric leaf of ``summary.json`` under its dotted path (``peaks.particle.max_von_mises_Pa
  .value``, ``final.soc``, ``protocol.0.time_s``, ``capacity_mAh``, and whatever later models
  add, e.g. ``crack.*`` or ``stack_pressure.*``), plus ``end_reason``.

Runs that have not finished have empty summary columns.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from femsi.sweeps.folder import read_mapping, read_sweep, run_dir
from femsi.sweeps.status import run_state

CATALOGUE = "catalogue"


def flatten(tree: object, prefix: str = "") -> dict[str, float]:
    """The numeric leaves of a JSON tree by dotted path (booleans and strings left out)."""
    leaves: dict[str, float] = {}
    items: Iterable[tuple[object, object]]
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, list):
        items = enumerate(tree)
    else:
        if isinstance(tree, int | float) and not isinstance(tree, bool):
            leaves[prefix.rstrip(".")] = float(tree)
        return leaves
    for key, value in items:
        leaves |= flatten(value, f"{prefix}{key}.")
    return leaves


def catalogue_rows(folder: Path) -> tuple[list[dict], list[str]]:
    """The catalogue of a sweep folder.

    Returns:
        The rows (one dict per run, in sweep order) and the swept keys.
    """
    folder = Path(folder)
    sweep = read_sweep(folder)
    keys = sweep.get("keys") or []
    rows = []
    for run in sweep["runs"]:
        out = run_dir(folder, run["name"])
        state = run_state(folder, run)
        summary, broken = read_mapping(out / "summary.json")
        manifest, broken_manifest = read_mapping(out / "manifest.json")
        problem = broken or broken_manifest
        row: dict[str, object] = {"index": run["index"], "run": run["name"]}
        for key in keys:
            si = run["parameters_si"].get(key)
            row[key] = si if si is not None else _text(run["parameters"][key])
        row |= {
            "state": state.state,
            "status": summary.get("status"),
            "message": problem or summary.get("message") or state.message or None,
            "end_reason": summary.get("end_reason"),
            "config_hash": manifest.get("config_hash") or run["config_hash"],
            "mpi_size": manifest.get("mpi_size"),
            "cells": manifest.get("mesh", {}).get("cells"),
        }
        row |= {f"dofs.{k}": v for k, v in manifest.get("dofs", {}).items()}
        wall = manifest.get("wall_time_s", {})
        row["wall_time_s"] = wall.get("total")
        row |= {f"wall_time_s.{k}": v for k, v in wall.items() if k != "total"}
        row |= {k: v for k, v in flatten(summary).items() if k not in row}
        rows.append(row)
    return rows, keys


def _text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def columns_of(rows: list[dict]) -> list[str]:
    """The union of the rows' columns, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        seen |= dict.fromkeys(row)
    return list(seen)


def write_catalogue(folder: Path) -> tuple[list[Path], list[dict]]:
    """Write ``DIR/catalogue.parquet`` and ``DIR/catalogue.csv``.

    Returns:
        The paths written and the rows.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    rows, _ = catalogue_rows(folder)
    columns = columns_of(rows)
    arrays = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        try:
            arrays[column] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: keep them as text
            arrays[column] = pa.array([None if v is None else str(v) for v in values])
    parquet = folder / f"{CATALOGUE}.parquet"
    pq.write_table(pa.table(arrays), parquet)
    csv_path = folder / f"{CATALOGUE}.csv"
    with csv_path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return [parquet, csv_path], rows
