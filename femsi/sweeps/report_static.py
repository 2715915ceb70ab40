"""Draw the report's figures with matplotlib: an ``<img>`` with an embedded PNG each.

For ``femsi report --static``: a page without any script, for mail readers, printing and
archives that strip JavaScript. The figures hold the same points and lines as the Plotly ones
(:mod:`femsi.sweeps.report_figures`); time series are drawn against time only.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from femsi.sweeps.report_figures import Figure
from femsi.sweeps.report_plotly import COLUMNS


def figure_html(figure: Figure) -> str:
    """One figure as an ``<img>`` whose PNG is inlined as a ``data:`` URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(figure.panels)
    cols = min(COLUMNS, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(11.0, 4.2) if figure.lines else (3.6 * cols + 1.8, 3.0 * rows),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    handles: dict[str, Any] = {}
    scale = None
    for ax, panel in zip(axes.flat, figure.panels, strict=False):
        for group in panel.groups:
            if figure.lines:
                (artist,) = ax.plot(
                    group.x, group.y, color=group.colour, lw=1.2, alpha=0.8,
                    ls="--" if group.dash else "-",
                )  # fmt: skip
            elif group.scale is not None and figure.scale_range is not None:
                artist = scale = ax.scatter(
                    group.x, group.y, c=group.scale, cmap="viridis", s=28,
                    vmin=figure.scale_range[0], vmax=figure.scale_range[1], edgecolors="#333",
                    linewidths=0.4,
                )  # fmt: skip
            else:
                artist = ax.scatter(
                    group.x, group.y, color=group.colour, s=28, edgecolors="#333", linewidths=0.4
                )
            handles.setdefault(group.name, artist)
        if panel.log_x:
            ax.set_xscale("log")
        if panel.categories is not None:
            names = [c.replace(" / ", "\n") for c in panel.categories]
            ax.set_xticks(range(len(panel.categories)), names, fontsize=7)
            ax.set_xlim(-0.6, len(panel.categories) - 0.4)
        elif panel.ticks is not None:
            ax.set_xticks(panel.ticks, [f"{t:.4g}" for t in panel.ticks])
            ax.minorticks_off()
        ax.set_xlabel(panel.x_title, fontsize=9)
        ax.grid(alpha=0.3)
    y_title = figure.panels[0].y_title if figure.lines else figure.title
    axes[0][0].set_ylabel(y_title.replace(", ", ",\n", 1), fontsize=9)
    if scale is None and figure.scale_range is not None:  # lines shaded by a numeric input
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        scale = ScalarMappable(Normalize(*figure.scale_range), "viridis")
    if scale is not None:
        fig.colorbar(scale, ax=axes, label=figure.colour_title, fraction=0.03)
    elif len(handles) > 1:
        fig.legend(
            list(handles.values()), list(handles), title=figure.colour_title, fontsize=8,
            title_fontsize=8, loc="outside right upper",
        )  # fmt: skip
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    plt.close(fig)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return f'<img class="figure" alt="{html.escape(figure.title)}" src="{uri}">'
