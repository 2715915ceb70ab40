"""``timeseries.csv``: one row per accepted step, flushed at once.

An interrupted run keeps every finished step. Written by rank 0 only; values are already
MPI-global.
"""

from __future__ import annotations

import csv
from pathlib import Path


class TimeSeries:
    """A CSV file with fixed columns.

    Args:
        path: Output file.
        columns: Column names, in order.
        write: Whether this process writes (rank 0).
    """

    def __init__(self, path: Path, columns: list[str], write: bool):
        self.columns = columns
        self.rows: list[dict] = []
        self._file = path.open("w", newline="") if write else None
        self._writer = csv.DictWriter(self._file, fieldnames=columns) if self._file else None
        if self._writer and self._file:
            self._writer.writeheader()
            self._file.flush()

    def append(self, row: dict) -> None:
        """Record a row and flush it to disk."""
        self.rows.append(row)
        if self._writer:
            self._writer.writerow({k: _fmt(row.get(k, "")) for k in self.columns})
            assert self._file is not None  # open while there is a writer
            self._file.flush()

    def close(self) -> None:
        """Close the file."""
        if self._file:
            self._file.close()
            self._file = None


def _fmt(value):
    if isinstance(value, float):
        return repr(value)
    return value
