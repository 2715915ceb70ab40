"""Peaks (value, time, region) and the final state, for ``summary.json``."""

from __future__ import annotations

import math


class PeakTracker:
    """Track the extreme of every numeric time-series column."""

    def __init__(self):
        self.peaks: dict[str, dict] = {}

    def update(self, row: dict) -> None:
        """Fold one time-series row into the peaks."""
        for key, value in row.items():
            if not isinstance(value, float) or not math.isfinite(value) or key in ("time_s",):
                continue
            use_min = key.endswith("min_hydrostatic_Pa")
            best = self.peaks.get(key)
            better = best is None or (value < best["value"] if use_min else value > best["value"])
            if better:
                region = key.split(".")[0] if not key.startswith("probe.") else None
                self.peaks[key] = {
                    "value": value,
                    "time_s": row["time_s"],
                    "step": row["step"],
                    "soc": row.get("soc"),
                    "region": region,
                    "kind": "min" if use_min else "max",
                }
