"""``timeseries.csv``: one row per accepted step, flushed at once.

An interrupted run keeps every finished step, and every row is whole: a row that cannot be
written completely (a full disk) is cut off again before the error is raised. Written by rank
0 only; values are already MPI-global.
"""

from __future__ import annotations

import csv
import io
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
        # Unbuffered bytes: what write() returns is on its way to the disk, nothing is held
        # back to fail later in close().
        self._file = path.open("wb", buffering=0) if write else None
        if self._file is not None:
            header = io.StringIO()
            csv.DictWriter(header, fieldnames=columns).writeheader()
            self._file.write(header.getvalue().encode())

    def append(self, row: dict) -> None:
        """Record a row and flush it to disk.

        Raises:
            OSError: The row could not be written (the file keeps the rows before it).
        """
        self.rows.append(row)
        if self._file is None:
            return
        line = io.StringIO()
        csv.DictWriter(line, fieldnames=self.columns).writerow(
            {k: _fmt(row.get(k, "")) for k in self.columns}
        )
        end = self._file.tell()
        try:
            self._file.write(line.getvalue().encode())
        except OSError:
            self._truncate(end)
            raise

    def _truncate(self, size: int) -> None:
        assert self._file is not None
        try:
            self._file.seek(size)
            self._file.truncate()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        """Close the file."""
        if self._file:
            try:
                self._file.close()
            except OSError:
                pass  # unbuffered: nothing is lost
            self._file = None


def _fmt(value):
    if isinstance(value, float):
        return repr(value)
    return value
