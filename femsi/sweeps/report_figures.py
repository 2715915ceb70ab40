"""The figures of a sweep report, as data: drawn by Plotly (interactive) or matplotlib (static).

- :func:`output_figures`: per output, a panel per swept input with the output against the
  input, points coloured by a third input (one colour and legend entry per value; a colour
  scale when it takes many values). Groups at the same discrete input value are set a little
  apart ("dodged") so they do not hide each other; hovering shows the exact values.
- :func:`series_figures`: a time series (a peak column of ``timeseries.csv``) of every run,
  overlaid, against time or SOC, coloured by the same input; runs that did not complete are
  dashed (their steps up to the failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from femsi.sweeps.folder import run_dir
from femsi.sweeps.labels import display_unit, output_label
from femsi.sweeps.report_data import Input, ReportData, read_series, series_column

#: Colours of discrete groups (Okabe & Ito's colour-blind-safe palette, then Tableau's).
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    "#8c564b", "#7f7f7f",
)  # fmt: skip
#: More values than this are shown on a colour scale instead of one colour each.
MAX_GROUPS = len(PALETTE)
#: Time series overlaid, at most.
MAX_SERIES = 2
#: Points per line, at most: longer time series are thinned evenly, keeping their extremes.
MAX_LINE_POINTS = 200


@dataclass
class Group:
    """Points or lines that share a colour and a legend entry."""

    name: str
    x: list[float | str]
    y: list[float]
    text: list[str] | str  # hover text per point, or one for the whole line
    colour: str | None = None
    scale: list[float] | None = None  # per point values of a continuous colour scale
    dash: bool = False
    alt_x: list[float] | None = None  # lines: the second abscissa (SOC)
    legend: bool = True


@dataclass
class Panel:
    """One set of axes."""

    x_title: str
    y_title: str
    groups: list[Group]
    categories: list[str] | None = None  # a text input: its values in order
    log_x: bool = False
    ticks: list[float] | None = None  # the input's values (where dodged points sit around)


@dataclass
class Figure:
    """A figure: panels side by side sharing the y axis, and a legend title."""

    anchor: str
    title: str
    panels: list[Panel]
    colour_title: str
    lines: bool = False
    alt_x_title: str | None = None
    scale_range: tuple[float, float] | None = None
    notes: list[str] = field(default_factory=list)


def colour_input(data: ReportData, key: str | None) -> Input | None:
    """The input that colours the points: ``key``'s, else the one with fewest values."""
    if key is not None:
        return data.input_named(key)
    if not data.inputs:
        return None
    return min(data.inputs, key=lambda entry: len(set(map(str, entry.values))))


def _hover(data: ReportData, i: int) -> str:
    row = data.rows[i]
    parts = [f"run {row['index']}"]
    parts += [f"{entry.label.title}: {entry.text(i)}" for entry in data.inputs]
    if row["state"] != "complete":
        parts.append(f"<b>{row['state']}</b>")
    return "<br>".join(parts)


def _groups_by(
    data: ReportData, colour: Input | None, indices: list[int]
) -> tuple[list[tuple[str, str, list[int]]], bool]:
    """Runs split by the colour input.

    Returns:
        (legend name, colour, run indices) per value, and whether the input is shown on a
        continuous scale instead (then as a single group).
    """
    if colour is None:
        return [("runs", PALETTE[0], indices)], False
    values = sorted({colour.values[i] for i in indices}, key=_order)
    if colour.numeric and len(values) > MAX_GROUPS:
        return [("runs", PALETTE[0], indices)], True
    groups = []
    for n, value in enumerate(values):
        members = [i for i in indices if colour.values[i] == value]
        name = f"{value:.4g}" if isinstance(value, float) else str(value)
        groups.append((name, PALETTE[n % len(PALETTE)], members))
    return groups, False


def _order(value: object) -> tuple[int, float, str]:
    return (0, value, "") if isinstance(value, int | float) else (1, 0.0, str(value))


def output_figures(data: ReportData, colour_key: str | None = None) -> list[Figure]:
    """Each output against each swept input, coloured by a third input."""
    colour = colour_input(data, colour_key)
    done = data.complete
    figures = []
    for output in data.outputs:
        panels = [_scatter_panel(data, e, colour, output.values, done) for e in data.inputs]
        figure = Figure(
            anchor=_anchor(output.column),
            title=output.label.title,
            panels=panels,
            colour_title=colour.label.title if colour else "",
        )
        if colour is not None and colour.numeric and _continuous(colour, done):
            shades = [colour.number(i) for i in done]
            figure.scale_range = (min(shades), max(shades))
        missing = len(data.rows) - len(done)
        if missing:
            figure.notes.append(f"{missing} run(s) not complete are not shown.")
        figures.append(figure)
    return figures


def _continuous(colour: Input, indices: list[int]) -> bool:
    return len({colour.values[i] for i in indices}) > MAX_GROUPS


def _scatter_panel(
    data: ReportData, entry: Input, colour: Input | None, y: np.ndarray, indices: list[int]
) -> Panel:
    groups, continuous = _groups_by(data, colour, indices)
    panel = Panel(x_title=entry.label.title, y_title="", groups=[])
    xs = {i: entry.values[i] for i in indices}
    if not entry.numeric:
        panel.categories = sorted({str(v) for v in xs.values()})
    else:
        values = np.array([entry.number(i) for i in indices])
        positive = values.size and values.min() > 0
        panel.log_x = bool(positive and values.max() / values.min() > 20)
        distinct = sorted(set(values.tolist()))
        if len(distinct) <= 12:
            panel.ticks = distinct
    for n, (name, hue, members) in enumerate(groups):
        shift = _dodge(panel, n, len(groups)) if entry is not colour else 0.0
        x: list[float | str] = []
        for i in members:
            if panel.categories is not None:
                x.append(panel.categories.index(str(xs[i])) + shift)
            elif panel.log_x:
                x.append(entry.number(i) * 10.0**shift)
            else:
                x.append(entry.number(i) + shift)
        group = Group(
            name=name,
            x=x,
            y=[float(y[i]) for i in members],
            text=[_hover(data, i) for i in members],
            colour=hue,
            legend=True,
        )
        if continuous and colour is not None:
            group.scale = [colour.number(i) for i in members]
        panel.groups.append(group)
    return panel


def _dodge(panel: Panel, n: int, count: int) -> float:
    """The offset of group ``n`` of ``count`` at a discrete input value (none if continuous)."""
    if count < 2:
        return 0.0
    offset = (n - (count - 1) / 2) / count
    if panel.categories is not None:
        return 0.5 * offset
    if panel.ticks is None or len(panel.ticks) < 2:
        return 0.0
    ticks = np.log10(panel.ticks) if panel.log_x else np.array(panel.ticks)
    return 0.35 * offset * float(np.diff(ticks).min())


def series_figures(data: ReportData, colour_key: str | None = None) -> list[Figure]:
    """The time series of the first outputs that are peaks, every run overlaid."""
    columns = [c for c in (series_column(o.column) for o in data.outputs) if c][:MAX_SERIES]
    if not columns:
        return []
    colour = colour_input(data, colour_key)
    series = {}
    for i, row in enumerate(data.rows):
        found = read_series(run_dir(data.folder, row["run"]), columns)
        if found is not None and len(found["time_s"]):
            series[i] = found
    present = list(series)
    if not present:
        return []
    times = [float(np.nanmax(series[i]["time_s"])) for i in present]
    time_unit, time_factor = display_unit("time", times)
    groups, continuous = _groups_by(data, colour, present)
    figures = []
    for column in columns:
        values = [float(v) for i in present for v in series[i][column]]
        label = output_label(column, values)
        panel = Panel(x_title=f"time ({time_unit})", y_title=label.title, groups=[])
        for name, hue, members in groups:
            first = True
            for i in members:
                s = thinned(series[i], column, MAX_LINE_POINTS)
                group = Group(
                    name=name,
                    x=(s["time_s"] / time_factor).tolist(),
                    y=(s[column] / label.factor).tolist(),
                    text=_hover(data, i),
                    colour=hue if not continuous else None,
                    dash=data.rows[i]["state"] != "complete",
                    alt_x=s["soc"].tolist(),
                    legend=first,
                )
                if continuous and colour is not None:
                    group.colour = _shade(colour.number(i), colour, present)
                panel.groups.append(group)
                first = False
        figure = Figure(
            anchor="series-" + _anchor(column),
            title=_capital(label.text.removeprefix("peak ")) + ", every run",
            panels=[panel],
            colour_title=colour.label.title if colour else "",
            lines=True,
            alt_x_title="SOC",
        )
        if continuous and colour is not None:
            shades = [colour.number(i) for i in present]
            figure.scale_range = (min(shades), max(shades))
        dashed = sum(data.rows[i]["state"] != "complete" for i in present)
        if dashed:
            figure.notes.append(f"Dashed: {dashed} run(s) that did not complete, up to the end.")
        figures.append(figure)
    return figures


def _shade(value: float, colour: Input, indices: list[int]) -> str:
    """The colour of ``value`` on the viridis scale over the runs' values."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    values = [colour.number(i) for i in indices]
    low, high = min(values), max(values)
    return to_hex(colormaps["viridis"]((value - low) / (high - low) if high > low else 0.5))


def thinned(series: dict[str, np.ndarray], column: str, limit: int) -> dict[str, np.ndarray]:
    """At most ``limit`` (+2) points of a time series: evenly spread, plus its extremes."""
    n = len(series["time_s"])
    if n <= limit:
        return series
    keep = set(np.linspace(0, n - 1, limit).round().astype(int).tolist())
    values = series[column]
    if np.isfinite(values).any():
        keep |= {int(np.nanargmax(values)), int(np.nanargmin(values))}
    index = np.array(sorted(keep))
    return {name: array[index] for name, array in series.items()}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _anchor(column: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in column).strip("-")
