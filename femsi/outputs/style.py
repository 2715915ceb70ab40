"""Conventions shared by every figure femsi draws: units, colour maps, titles, step bands.

- Units by magnitude (:func:`unit_for`): stresses in GPa, MPa or kPa, lengths in µm or nm
  (mm for large bodies), concentrations in kmol/m³, areas in µm² or nm², chosen so that the
  largest magnitude reads between 1 and 1000; the unit goes into the axis or colour-bar title
  and the numbers are plain (no e-notation).
- Signed quantities (hydrostatic and principal stress, displacement components) get a
  diverging map with its neutral colour at zero (:func:`centred_colormap`): the two halves are
  stretched separately when the range is lopsided, and a one-sided range is extended to zero,
  so that white always means stress-free, red tension, blue compression. Magnitudes (von
  Mises, concentration, damage) get sequential maps.
- Robust colour limits (:func:`robust_limits`): area-weighted percentiles of the field, used
  where a few cells (a crack tip's singularity) would otherwise stretch the range and flatten
  the picture; the clipped values are drawn in the end colours and the title says so.
- Titles that say what is shown (:func:`snapshot_title`): quantity, protocol step by its kind,
  SOC, time with unit.
- Protocol steps as alternating bands labelled by their kind in time plots
  (:func:`shade_protocol_steps`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Quantities by unit family: (unit, SI value of one unit), largest first.
UNITS: dict[str, tuple[tuple[str, float], ...]] = {
    "stress": (("GPa", 1e9), ("MPa", 1e6), ("kPa", 1e3), ("Pa", 1.0)),
    "length": (("mm", 1e-3), ("µm", 1e-6), ("nm", 1e-9), ("pm", 1e-12)),
    "area": (("mm²", 1e-6), ("µm²", 1e-12), ("nm²", 1e-18)),
    "concentration": (("kmol/m³", 1e3), ("mol/m³", 1.0)),
    "energy": (("J", 1.0), ("mJ", 1e-3), ("µJ", 1e-6), ("nJ", 1e-9), ("pJ", 1e-12), ("fJ", 1e-15)),
    "dimensionless": (("", 1.0),),
}
#: What a run's protocol step kinds are called in titles ("end of lithiation").
STEP_NOUNS = {
    "lithiate": "lithiation",
    "delithiate": "delithiation",
    "rest": "rest",
    "hold": "potential hold",
    "preload": "preload",
}
#: Band colours of alternating protocol steps in time plots.
BAND_COLOURS = ("0.945", "1.0")


@dataclass(frozen=True)
class Unit:
    """A display unit: ``value_si / scale`` is what is drawn, ``label`` goes into the title."""

    label: str
    scale: float

    def __call__(self, values):
        """``values`` (SI) in this unit."""
        return np.asarray(values, dtype=float) / self.scale

    def bracket(self) -> str:
        """`` [GPa]`` for an axis title (empty for a dimensionless quantity)."""
        return f" [{self.label}]" if self.label else ""


def unit_for(family: str, magnitude: float) -> Unit:
    """The unit of ``family`` in which ``magnitude`` (SI, any sign) reads between 1 and 1000.

    Args:
        family: A key of :data:`UNITS` (``stress``, ``length``, ``area``, ...).
        magnitude: A representative value, e.g. the largest |value| of the data, SI.

    Returns:
        The largest unit not above ``|magnitude|`` (the smallest unit for tiny values, the
        largest for huge ones; the second-smallest for 0 or NaN: MPa, nm, ...).

    Examples:
        >>> unit_for("stress", 4.17e9)
        Unit(label='GPa', scale=1000000000.0)
        >>> unit_for("length", 3.2e-7).label
        'nm'
    """
    choices = UNITS[family]
    size = abs(float(magnitude)) if math.isfinite(magnitude) else 0.0
    if size == 0.0:
        label, scale = choices[min(1, len(choices) - 1)]
        return Unit(label, scale)
    for label, scale in choices:
        if size >= scale * (1 - 1e-9):
            return Unit(label, scale)
    label, scale = choices[-1]
    return Unit(label, scale)


def unit_of_data(family: str, values) -> Unit:
    """The unit for an array: by its largest finite magnitude."""
    data = np.asarray(values, dtype=float)
    finite = data[np.isfinite(data)]
    return unit_for(family, float(np.abs(finite).max()) if finite.size else 0.0)


def format_time(seconds: float) -> str:
    """``t = 24.6 min``: three significant figures in s, min or h by magnitude."""
    if seconds >= 3 * 3600:
        value, unit = seconds / 3600, "h"
    elif seconds >= 180:
        value, unit = seconds / 60, "min"
    else:
        value, unit = seconds, "s"
    return f"t = {_plain(value)} {unit}"


def _plain(value: float) -> str:
    """Three significant figures without e-notation (24.6, 0.0312, 1250)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    return f"{value:.{digits}f}"


def format_value(value_si: float, family: str) -> str:
    """A single value with its unit chosen by magnitude: ``4.17 GPa``, ``320 nm``."""
    unit = unit_for(family, value_si)
    text = _plain(value_si / unit.scale)
    return f"{text} {unit.label}".strip()


def step_phrase(label: str | None = None, kind: str | None = None, at_end: bool = True) -> str:
    """``end of lithiation`` from a snapshot label ``step0_lithiate`` or a kind.

    Args:
        label: A label ``stepN_KIND`` of the end-of-step snapshots (optional).
        kind: The protocol step's kind (``lithiate``, ``rest``, ...), or ``initial``.
        at_end: The end of the step (else ``during``).
    """
    if kind is None and label:
        kind = label.split("_", 1)[1] if "_" in label else label
    if kind in (None, ""):
        return ""
    if kind == "initial":
        return "initial state"
    noun = STEP_NOUNS.get(kind, kind)
    return f"end of {noun}" if at_end else f"during {noun}"


def snapshot_title(quantity: str, soc: float, time_s: float, phrase: str = "") -> str:
    """``Hydrostatic stress — end of lithiation, SOC 0.82, t = 24.6 min``."""
    parts = [p for p in (phrase, f"SOC {soc:.2f}", format_time(time_s)) if p]
    return f"{quantity} — {', '.join(parts)}"


# ------------------------------------------------------------------ colour


def centred_limits(low: float, high: float) -> tuple[float, float]:
    """Limits of a signed quantity that include zero (a one-sided range is extended to it)."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    if low == high == 0.0:
        return -1.0, 1.0
    return low, high


def centred_colormap(name: str, low: float, high: float, n: int = 256):
    """A diverging colour map on [low, high] whose centre colour sits at zero.

    The negative and positive halves of ``name`` are stretched separately (a two-slope map,
    as :class:`matplotlib.colors.TwoSlopeNorm`, but as a map on a linear scale, so PyVista's
    ``clim`` and a matplotlib colour bar with :class:`~matplotlib.colors.Normalize` both draw
    it). Use it with :func:`centred_limits` (``low <= 0 <= high``).

    Args:
        name: A diverging matplotlib colour map (``RdBu_r``, ``coolwarm``).
        low: Lower limit (<= 0).
        high: Upper limit (>= 0).
        n: Number of colours.

    Returns:
        A :class:`matplotlib.colors.ListedColormap`: value v is drawn as ``name`` at
        0.5 v/high (v >= 0) or 0.5 (1 − v/low) (v < 0).
    """
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    base = colormaps[name]
    values = np.linspace(low, high, n)
    return ListedColormap(base(_centred_position(values, low, high)), name=f"{name}_centred")


def _centred_position(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Where values in [low, high] fall on a diverging map whose middle is zero."""
    with np.errstate(invalid="ignore", divide="ignore"):
        above = 0.5 + 0.5 * np.where(high > 0, values / high, 0.0)
        below = 0.5 - 0.5 * np.where(low < 0, values / low, 0.0)
    return np.clip(np.where(values >= 0, above, below), 0.0, 1.0)


def weighted_percentile(values, weights, q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values`` weighted by ``weights`` (e.g. cell sizes)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    keep = np.isfinite(values) & (weights > 0)
    values, weights = values[keep], weights[keep]
    if not values.size:
        return math.nan
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    position = q / 100.0 * cumulative[-1]
    return float(values[order][min(np.searchsorted(cumulative, position), values.size - 1)])


@dataclass(frozen=True)
class Limits:
    """Colour limits and whether they clip the data (``low``/``high`` in SI)."""

    low: float
    high: float
    clipped_low: bool = False
    clipped_high: bool = False
    data_min: float = math.nan
    data_max: float = math.nan


def robust_limits(values, weights=None, q: float = 1.0, slack: float = 0.25) -> Limits:
    """Colour limits that a few extreme cells (a singularity) do not stretch.

    The limits are the ``q`` and ``100 − q`` percentiles of ``values`` weighted by ``weights``
    (the cells' areas or volumes, so that a refined tip does not count more than its size);
    each is kept only where the data reach beyond it by more than ``slack`` of the robust
    range, otherwise the data's own extreme is used (a smooth field is drawn in full).

    Args:
        values: The field (per cell or per node, matching ``weights``).
        weights: Their weights (default equal).
        q: Percentile cut at each end, %.
        slack: How far past a percentile the extreme must lie to be clipped.
    """
    data = np.asarray(values, float)
    finite = data[np.isfinite(data)]
    if not finite.size:
        return Limits(0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    w = np.ones_like(data) if weights is None else np.asarray(weights, float)
    p_lo, p_hi = weighted_percentile(data, w, q), weighted_percentile(data, w, 100 - q)
    span = max(p_hi - p_lo, 1e-300)
    clip_lo = lo < p_lo - slack * span
    clip_hi = hi > p_hi + slack * span
    return Limits(p_lo if clip_lo else lo, p_hi if clip_hi else hi, clip_lo, clip_hi, lo, hi)


# ------------------------------------------------------------------ matplotlib


def apply_matplotlib_style() -> None:
    """Agg backend and the figure defaults (sizes, fonts, grids, no offset/e-notation)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.05,
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "legend.fontsize": 7.5,
            "legend.framealpha": 0.85,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.formatter.useoffset": False,
            "axes.formatter.limits": (-4, 5),
            "lines.linewidth": 1.4,
        }
    )


def protocol_spans(rows: list[dict]) -> list[tuple[int, str, float, float]]:
    """(step index, kind, start time, end time) of each protocol step in the time series.

    The initial row (kind ``initial``) starts the first step; a step ends at the last row
    that belongs to it.
    """
    spans: list[tuple[int, str, float, float]] = []
    start = float(rows[0]["time_s"]) if rows else 0.0
    for row in rows:
        step, kind = int(row.get("protocol_step", 0)), str(row.get("protocol_kind", ""))
        t = float(row["time_s"])
        if kind == "initial":
            continue
        if spans and spans[-1][0] == step:
            spans[-1] = (step, spans[-1][1], spans[-1][2], t)
        else:
            spans.append((step, kind, spans[-1][3] if spans else start, t))
    return spans


def shade_protocol_steps(ax, rows: list[dict], time_scale: float = 1.0, label: bool = True):
    """Alternating bands behind each protocol step of a time plot, labelled by their kind.

    Args:
        ax: The matplotlib axes (x: time in units of ``time_scale`` s).
        rows: The time series rows (``time_s``, ``protocol_step``, ``protocol_kind``).
        time_scale: Seconds per unit of the x axis.
        label: Write the step's kind at the top of its band.
    """
    from matplotlib.transforms import blended_transform_factory

    spans = protocol_spans(rows)
    if len(spans) < 2:  # one step: nothing to tell apart
        return
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for n, (_, kind, start, end) in enumerate(spans):
        a, b = start / time_scale, end / time_scale
        ax.axvspan(a, b, color=BAND_COLOURS[n % 2], zorder=0, lw=0)
        if label:
            ax.text(
                0.5 * (a + b),
                0.985,
                STEP_NOUNS.get(kind, kind),
                transform=trans,
                ha="center",
                va="top",
                fontsize=7,
                color="0.35",
                clip_on=True,
            )


def branch_of(kind: str) -> str:
    """``lithiation``, ``delithiation`` or ``other`` for a protocol step kind."""
    return {"lithiate": "lithiation", "delithiate": "delithiation"}.get(kind, "other")
