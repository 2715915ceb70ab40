"""``femsi report DIR``: one self-contained HTML file about a sweep.

It holds the sweep definition, the state of the runs, the catalogue table (swept values and
summary quantities, one row per run), a plot of each quantity that varies against each swept
key, a colour map of each quantity over the plane of the first two numeric keys when there are
two or more, and the pictures of selected runs (their ``figures/*.png``: PyVista renderings of
the stress on the deformed body, stress against time). Every image is embedded as a base64
``data:`` URI and there is no script and no external resource: the file opens anywhere,
offline, and can be mailed.

Quantities are the ``peaks.*.value`` columns of the catalogue, ``capacity_mAh``,
``final.soc``, ``wall_time_s`` and any other summary column a model adds (``crack.*``,
``stack_pressure.*``, ...).
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import numpy as np
import yaml

from femsi.sweeps.catalogue import catalogue_rows, columns_of
from femsi.sweeps.folder import read_sweep, run_dir
from femsi.sweeps.status import STATES

#: Columns that are bookkeeping, not results (the first dotted segment).
_BOOKKEEPING = {
    "index", "run", "state", "status", "message", "end_reason", "config_hash", "mpi_size",
    "cells", "dofs", "wall_time_s", "final", "peaks", "protocol", "steps", "time_s",
    "active_surface_area_m2", "capacity_mol",
}  # fmt: skip
#: Pictures per selected run, at most.
MAX_PICTURES = 6

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
pre { background: #f5f5f5; padding: 1em; overflow-x: auto; }
.table { overflow-x: auto; max-height: 40em; }
table { border-collapse: collapse; font-size: 0.8em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: right; white-space: nowrap; }
th { background: #eee; position: sticky; top: 0; }
td.text { text-align: left; }
tr.failed td, tr.interrupted td { background: #fde8e8; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ddd; }
.plots img.lines { width: 56em; max-width: 100%; }
.plots img.map { width: 28em; max-width: 100%; }
"""


def quantities(rows: list[dict], keys: list[str]) -> list[str]:
    """The result columns worth plotting: numeric, and not the same in every run."""
    chosen = []
    for column in columns_of(rows):
        head = column.split(".")[0]
        wanted = (
            (column.startswith("peaks.") and column.endswith(".value"))
            or column in ("capacity_mAh", "final.soc", "wall_time_s")
            or (head not in _BOOKKEEPING and column not in keys)
        )
        if not wanted:
            continue
        values = _numbers(rows, column)
        finite = values[np.isfinite(values)]
        if finite.size and np.ptp(finite) > 1e-12 * max(np.abs(finite).max(), 1e-300):
            chosen.append(column)
    return chosen


def _numbers(rows: list[dict], column: str) -> np.ndarray:
    out = []
    for row in rows:
        value = row.get(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
        else:
            out.append(math.nan)
    return np.array(out)


def _numeric(rows: list[dict], key: str) -> bool:
    return bool(np.isfinite(_numbers(rows, key)).all())


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _pictures(run: Path) -> list[Path]:
    """The run's figures: regular files inside the run folder, never links out of it.

    A run folder is data: a link in ``figures/`` to any file would otherwise end up in the
    report.
    """
    root = run.resolve()
    pictures = []
    for path in sorted((run / "figures").glob("*.png")):
        if path.is_symlink() or not path.is_file():
            continue
        if root not in path.resolve().parents:
            continue
        pictures.append(path)
    return pictures


def _file_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def plot_quantity(rows: list[dict], keys: list[str], quantity: str) -> str:
    """One figure: ``quantity`` against each swept key (a data URI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = _numbers(rows, quantity)
    ncols = min(3, len(keys))
    nrows = math.ceil(len(keys) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), squeeze=False)
    for ax in axes.flat[len(keys) :]:
        ax.set_visible(False)
    for ax, key in zip(axes.flat, keys, strict=False):
        if _numeric(rows, key):
            x = _numbers(rows, key)
            order = np.argsort(x, kind="stable")
            ax.plot(x[order], y[order], "o", alpha=0.8)
            if len(np.unique(x)) > 1:
                ax.set_xscale("log" if x.min() > 0 and x.max() / x.min() > 50 else "linear")
        else:
            labels = [str(row.get(key)) for row in rows]
            categories = sorted(set(labels))
            x = np.array([categories.index(label) for label in labels])
            ax.plot(x, y, "o", alpha=0.8)
            ax.set_xticks(range(len(categories)), categories, rotation=20, fontsize=7)
        ax.set(xlabel=key, ylabel=quantity)
        ax.grid(alpha=0.3)
    fig.suptitle(quantity, fontsize=10)
    fig.tight_layout()
    uri = _png(fig)
    plt.close(fig)
    return uri


def map_quantity(rows: list[dict], kx: str, ky: str, quantity: str) -> str:
    """A colour map of ``quantity`` over two swept keys (a data URI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y, z = _numbers(rows, kx), _numbers(rows, ky), _numbers(rows, quantity)
    fig, ax = plt.subplots(figsize=(5, 4))
    points = ax.scatter(x, y, c=z, s=160, marker="s", cmap="viridis", edgecolors="k")
    fig.colorbar(points, ax=ax, label=quantity)
    ax.set(xlabel=kx, ylabel=ky, title=quantity)
    fig.tight_layout()
    uri = _png(fig)
    plt.close(fig)
    return uri


def select_runs(rows: list[dict], quantity: str | None, names: list[str] | None) -> list[dict]:
    """The runs whose pictures to show.

    ``names`` if given, else the first run and the runs with the smallest and largest
    ``quantity``.
    """
    if names:
        return [row for row in rows if row["run"] in names]
    chosen = [rows[0]] if rows else []
    if quantity is not None:
        values = _numbers(rows, quantity)
        if np.isfinite(values).any():
            chosen += [rows[int(np.nanargmin(values))], rows[int(np.nanargmax(values))]]
    unique = {row["run"]: row for row in chosen}
    return list(unique.values())


def _table(rows: list[dict], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, float):
                cells.append(f"<td>{value:.5g}</td>")
            else:
                text = "" if value is None else html.escape(str(value))
                cells.append(f'<td class="text">{text}</td>')
        body.append(f'<tr class="{html.escape(str(row.get("state")))}">{"".join(cells)}</tr>')
    return (
        f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
    )


def render_report(folder: Path, runs: list[str] | None = None) -> str:
    """The report's HTML text."""
    folder = Path(folder)
    sweep = read_sweep(folder)
    rows, keys = catalogue_rows(folder)
    done = [row for row in rows if row["state"] == "complete"]
    chosen = quantities(done, keys) if done else []
    counts = {s: sum(row["state"] == s for row in rows) for s in STATES}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>femsi sweep {html.escape(sweep['name'])}</title><style>{_STYLE}</style></head>",
        f"<body><h1>femsi sweep <code>{html.escape(sweep['name'])}</code></h1>",
        f"<p>{len(rows)} runs of <code>{html.escape(sweep['base'])}</code> (base config hash "
        f"<code>{html.escape(sweep['base_config_hash'])}</code>): "
        + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        + "</p>",
        "<h2>Sweep definition</h2>",
        f"<pre>{html.escape(yaml.safe_dump(sweep['definition'], sort_keys=False))}</pre>",
        "<h2>Runs</h2>",
        _table(rows, ["index", "run", *keys, "state", *chosen]),
        "<h2>Quantities against the swept parameters</h2>",
    ]
    if not chosen:
        parts.append("<p>No quantity varies between complete runs yet.</p>")
    numeric_keys = [key for key in keys if _numeric(done, key)] if done else []
    for quantity in chosen:
        images = [plot_quantity(done, keys, quantity)]
        if len(numeric_keys) >= 2:
            images.append(map_quantity(done, numeric_keys[0], numeric_keys[1], quantity))
        parts.append(
            f'<div class="plots" id="{html.escape(quantity)}">'
            + "".join(
                f'<img class="{kind}" alt="{html.escape(quantity)}" src="{uri}">'
                for kind, uri in zip(("lines", "map"), images, strict=False)
            )
            + "</div>"
        )
    parts.append("<h2>Pictures of selected runs</h2>")
    selected = select_runs(done, chosen[0] if chosen else None, runs)
    if not selected:
        parts.append("<p>No complete run selected.</p>")
    for row in selected:
        pictures = _pictures(run_dir(folder, row["run"]))
        pictures = sorted(pictures, key=lambda p: not p.name.startswith("step"))[:MAX_PICTURES]
        values = ", ".join(f"{k} = {row.get(k)}" for k in keys)
        parts.append(f"<h3>{html.escape(row['run'])}</h3><p>{html.escape(values)}</p>")
        if not pictures:
            parts.append("<p>No pictures (outputs.figures was off).</p>")
        for picture in pictures:
            parts.append(
                f'<figure><img alt="{html.escape(picture.name)}" src="{_file_uri(picture)}" '
                f'width="450"><figcaption>{html.escape(picture.name)}</figcaption></figure>'
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(folder: Path, output: Path | None = None, runs: list[str] | None = None) -> Path:
    """Write the report (default ``DIR/report.html``); returns its path."""
    path = Path(output) if output else Path(folder) / "report.html"
    path.write_text(render_report(folder, runs), encoding="utf-8")
    return path
