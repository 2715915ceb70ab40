"""Draw the report's figures with Plotly: a ``<div>`` and a ``<script>`` each.

plotly.js itself is inlined once in the page (:func:`plotly_bundle`): the *basic* bundle of
plotly.js (scatter, bar and pie traces with every layout component, 1.2 MB), shipped with
femsi in ``femsi/sweeps/assets/`` at the version of plotly.js that the plotly Python package
draws for, not the full bundle (4.8 MB) that package embeds. Numbers are sent as float32 typed
arrays (base64), which plotly.js reads natively.
"""

from __future__ import annotations

import base64
import functools
import re
from importlib import resources

import numpy as np

from femsi.sweeps.report_figures import Figure, Group, Panel

#: The plotly.js bundle shipped with femsi (``femsi/sweeps/assets/``).
BUNDLE = "plotly-basic.min.js"
#: Panels side by side, at most; more wrap onto further rows.
COLUMNS = 4
_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d"]}
_HOVER = "%{text}<br>%{y:.4g}<extra>%{fullData.name}</extra>"
_AXIS = {"gridcolor": "#ebebeb", "linecolor": "#bbb", "zeroline": False, "automargin": True}
#: A small template in place of plotly_white (7 kB in every figure): white axes with grey
#: grids, and the trace settings every trace shares (held once per figure, not per trace).
TEMPLATE = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"size": 12, "color": "#2a3f5f"},
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"align": "left"},
    },
    "data": {
        "scatter": [
            {
                "hovertemplate": _HOVER,
                "line": {"width": 1.5},
                "marker": {"size": 9},
                "opacity": 0.85,
            }
        ]
    },
}


@functools.cache
def plotly_bundle() -> str:
    """The text of the shipped plotly.js bundle (minified)."""
    return resources.files("femsi.sweeps").joinpath("assets", BUNDLE).read_text("utf-8")


def bundle_version() -> str:
    """The plotly.js version of the shipped bundle, from its header."""
    found = re.search(r"plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)", plotly_bundle()[:300])
    return found.group(1) if found else "unknown"


def _array(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _typed(values: list[float]) -> dict[str, str]:
    """A float32 typed array as plotly.js reads it anywhere, also in button arguments.

    The plotly package encodes only trace data so.
    """
    return {"dtype": "f4", "bdata": base64.b64encode(_array(values).tobytes()).decode()}


def figure_html(figure: Figure) -> str:
    """One figure as HTML (plotly.js must be loaded before it)."""
    import plotly.io as pio
    from plotly.subplots import make_subplots

    n = len(figure.panels)
    cols = min(COLUMNS, n)
    rows = -(-n // cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        horizontal_spacing=0.025 if cols > 1 else 0.0,
        vertical_spacing=0.22 / rows if rows > 1 else 0.0,
    )
    shown: set[str] = set()
    for p, panel in enumerate(figure.panels):
        row, col = p // cols + 1, p % cols + 1
        for group in panel.groups:
            legend = group.legend and group.name not in shown
            shown.add(group.name)
            fig.add_trace(_trace(figure, panel, group, legend), row=row, col=col)
        _axes(fig, panel, row, col)
    if figure.scale_range is not None:
        fig.update_traces(showlegend=False)  # the colour bar tells the colours
        if figure.lines:
            fig.add_trace(_colour_bar(figure), row=1, col=1)
    if figure.lines and figure.panels:
        fig.update_layout(updatemenus=[_abscissa_switch(figure)])
    height = 330 * rows + 70
    fig.layout.template = TEMPLATE  # replaces the default template, which update_layout merges
    fig.update_layout(
        height=height,
        margin={"l": 70, "r": 20, "t": 40, "b": 60},
        legend={"title": {"text": figure.colour_title}, "itemsizing": "constant"},
        hovermode="closest",
    )
    fig.update_yaxes(title_text=figure.title if not figure.lines else None, col=1)
    if figure.lines:
        fig.update_yaxes(title_text=figure.panels[0].y_title, col=1)
    return pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        config=_CONFIG,
        div_id=f"plot-{figure.anchor}",
        validate=False,
    )


def _trace(figure: Figure, panel: Panel, group: Group, legend: bool):
    import plotly.graph_objects as go

    common = {
        "x": _array([float(x) for x in group.x]),
        "y": _array(group.y),
        "text": group.text,
        "name": group.name,
        "legendgroup": group.name,
        "showlegend": legend,
    }
    if figure.lines:
        line = {"color": group.colour, "dash": "dash"} if group.dash else {"color": group.colour}
        return go.Scatter(mode="lines", line=line, **common)
    marker: dict = {"line": {"width": 0.5, "color": "#333"}}
    if group.scale is not None and figure.scale_range is not None:
        marker |= {
            "color": _array(group.scale),
            "colorscale": "Viridis",
            "cmin": figure.scale_range[0],
            "cmax": figure.scale_range[1],
            "showscale": legend,
            "colorbar": {"title": {"text": figure.colour_title}, "thickness": 14},
        }
    else:
        marker["color"] = group.colour
    return go.Scatter(mode="markers", marker=marker, **common)


def _colour_bar(figure: Figure):
    """A trace that draws nothing but the colour bar of lines shaded by a numeric input."""
    import plotly.graph_objects as go

    assert figure.scale_range is not None
    low, high = figure.scale_range
    marker = {
        "color": [low, high],
        "colorscale": "Viridis",
        "cmin": low,
        "cmax": high,
        "showscale": True,
        "colorbar": {"title": {"text": figure.colour_title}, "thickness": 14},
    }
    return go.Scatter(
        x=[None, None], y=[None, None], mode="markers", marker=marker, showlegend=False,
        hoverinfo="skip",
    )  # fmt: skip


def _axes(fig, panel: Panel, row: int, col: int) -> None:
    options: dict = {"title_text": panel.x_title}
    if panel.categories is not None:
        options |= {
            "tickvals": list(range(len(panel.categories))),
            "ticktext": [c.replace(" / ", "<br>") for c in panel.categories],
            "tickangle": 0,
            "range": [-0.6, len(panel.categories) - 0.4],
        }
    elif panel.ticks is not None:
        options |= {"tickvals": panel.ticks, "ticktext": [f"{t:.4g}" for t in panel.ticks]}
    if panel.log_x:
        options["type"] = "log"
    fig.update_xaxes(row=row, col=col, **options)


def _abscissa_switch(figure: Figure) -> dict:
    """Buttons that show the lines against time or against SOC."""
    groups = figure.panels[0].groups
    by_time = [_typed([float(x) for x in g.x]) for g in groups]
    by_soc = [_typed(g.alt_x or []) for g in groups]
    return {
        "type": "buttons",
        "direction": "right",
        "x": 0.0,
        "xanchor": "left",
        "y": 1.12,
        "yanchor": "bottom",
        "showactive": True,
        "buttons": [
            {
                "label": "against time",
                "method": "update",
                "args": [{"x": by_time}, {"xaxis.title.text": figure.panels[0].x_title}],
            },
            {
                "label": "against SOC",
                "method": "update",
                "args": [{"x": by_soc}, {"xaxis.title.text": figure.alt_x_title}],
            },
        ],
    }
