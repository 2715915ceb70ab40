"""Peaks (value, time, region) and the final state, for ``summary.json``."""

from __future__ import annotations

import math

#: Columns whose lowest value matters as much as the highest: their minimum is kept too, as
#: ``<column>.min``.
RANGE_COLUMNS = (
    "stack_pressure_Pa",
    "plate_displacement_m",
    "electrode_thickness_m",
    "mean_potential_shift_V",
)


class PeakTracker:
    """Track the extreme of every numeric time-series column."""

    def __init__(self):
        self.peaks: dict[str, dict] = {}

    def update(self, row: dict) -> None:
        """Fold one time-series row into the peaks."""
        for key, value in row.items():
            if not isinstance(value, float) or not math.isfinite(value) or key in ("time_s",):
                continue
            self._fold(key, key, value, key.endswith("min_hydrostatic_Pa"), row)
            if key in RANGE_COLUMNS:
                self._fold(f"{key}.min", key, value, True, row)

    def _fold(self, name: str, key: str, value: float, use_min: bool, row: dict) -> None:
        best = self.peaks.get(name)
        better = best is None or (value < best["value"] if use_min else value > best["value"])
        if better:
            per_region = "." in key and not key.startswith(("probe.", "crack."))
            region = key.split(".")[0] if per_region else None
            self.peaks[name] = {
                "value": value,
                "time_s": row["time_s"],
                "step": row["step"],
                "soc": row.get("soc"),
                "region": region,
                "kind": "min" if use_min else "max",
            }
