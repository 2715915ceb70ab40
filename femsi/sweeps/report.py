"""``femsi report DIR``: one self-contained HTML file about a sweep, for a researcher to read.

In order:

1. **Results**: one row per run, the swept inputs (readable names, display units), the state,
   the key outputs (the mechanics peaks in MPa/GPa, crack maxima), final SOC, why the run
   ended and, for a run that did not complete, why (sortable by clicking a column head);
2. **Outputs against the swept inputs**: per output a panel per input, coloured by a third
   input (:mod:`femsi.sweeps.report_figures`);
3. **Time series**: the peak stresses of every run over time (or SOC), overlaid;
4. **Runs that did not complete**, with their reasons;
5. pictures of selected runs (their ``figures/*.png``, downscaled), the sweep definition.

The default page is interactive (Plotly; zoom, hover for a run's inputs, click legend entries
to hide groups) and needs no network: plotly.js is inlined once. ``static=True``
(``--static``) draws the same figures with matplotlib as embedded PNGs and has no script at
all. Either way every image is a ``data:`` URI: the file opens anywhere, offline, and can be
mailed.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import yaml

from femsi.sweeps.folder import run_dir
from femsi.sweeps.report_data import ReportData, read_report_data
from femsi.sweeps.report_figures import Figure, colour_input, output_figures, series_figures
from femsi.sweeps.status import STATES

#: Pictures per selected run, at most, and their width in the page (pixels).
MAX_PICTURES = 4
PICTURE_WIDTH = 560

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em 2em; color: #222; max-width: 110em; }
h1 { margin-bottom: 0.1em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
.lead { color: #555; margin-top: 0; }
nav a { margin-right: 1.2em; }
.badge { display: inline-block; padding: 0.1em 0.6em; border-radius: 1em; margin-right: 0.4em;
  font-size: 0.9em; background: #eee; }
.badge.complete { background: #dff3e4; } .badge.failed { background: #fde2e1; }
.badge.interrupted { background: #fff1d6; } .badge.running { background: #e1ecfd; }
pre { background: #f5f5f5; padding: 1em; overflow-x: auto; }
.table { overflow: auto; max-height: 36em; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3em 0.6em; text-align: right;
  white-space: nowrap; }
th { background: #f3f3f3; position: sticky; top: 0; vertical-align: bottom; cursor: pointer;
  white-space: normal; min-width: 5em; }
th.inputs { background: #eaf1fb; } th.outputs { background: #eef7ee; }
td.text { text-align: left; } td.reason { text-align: left; white-space: normal;
  min-width: 20em; }
tr.failed td, tr.interrupted td { background: #fdf0ef; }
td.state-failed, td.state-interrupted { color: #b00020; font-weight: 600; }
.note { color: #666; font-size: 0.9em; }
figure { display: inline-block; margin: 0.4em; vertical-align: top; }
figure img { border: 1px solid #ddd; }
img.figure { max-width: 100%; }
ul.failures li { margin-bottom: 0.5em; }
"""

#: Sorts the results table by the clicked column (numbers as numbers, empty cells last).
_SORT_SCRIPT = """
document.querySelectorAll('table.results th').forEach((th, col) => {
  th.addEventListener('click', () => {
    const body = th.closest('table').tBodies[0];
    const up = th.dataset.order !== 'up'; th.dataset.order = up ? 'up' : 'down';
    const key = tr => { const t = tr.cells[col].dataset.v ?? tr.cells[col].textContent;
      const n = parseFloat(t); return t === '' ? null : (isNaN(n) ? t : n); };
    [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
      if (x === null) return 1; if (y === null) return -1;
      const c = (typeof x === typeof y) ? (x < y ? -1 : x > y ? 1 : 0)
        : (typeof x === 'number' ? -1 : 1);
      return up ? c : -c; }).forEach(tr => body.appendChild(tr));
  });
});
"""


def results_table(data: ReportData) -> str:
    """One row per run: inputs, state, outputs, final values, end and failure reasons."""
    heads = ['<th title="the run\'s index in the sweep">run</th>']
    heads += [
        f'<th class="inputs" title="{html.escape(", ".join(e.keys))}">'
        f"{html.escape(e.label.title)}</th>"
        for e in data.inputs
    ]
    heads.append("<th>state</th>")
    outputs = data.outputs + data.extras
    heads += [
        f'<th class="outputs" title="{html.escape(o.column)}">{html.escape(o.label.title)}</th>'
        for o in outputs
    ]
    heads += ["<th>end reason</th>", "<th>failure reason</th>"]
    body = []
    for i, row in enumerate(data.rows):
        state = str(row["state"])
        cells = [f'<td title="{html.escape(str(row["run"]))}">{row["index"]}</td>']
        for entry in data.inputs:
            value = entry.values[i]
            kind = "" if entry.numeric else ' class="text"'
            cells.append(f"<td{kind}>{html.escape(entry.text(i))}</td>")
        cells.append(f'<td class="text state-{state}">{state}</td>')
        for output in outputs:
            value = output.values[i]
            text = f"{value:.4g}" if np.isfinite(value) else ""
            cells.append(f'<td data-v="{text}">{text}</td>')
        cells.append(f'<td class="text">{html.escape(str(row.get("end_reason") or ""))}</td>')
        reason = "" if state == "complete" else str(row.get("message") or "")
        cells.append(f'<td class="reason">{html.escape(reason)}</td>')
        body.append(f'<tr class="{state}">{"".join(cells)}</tr>')
    return (
        '<div class="table"><table class="results"><thead><tr>'
        + "".join(heads)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def failures(data: ReportData) -> str:
    """The runs that failed or were interrupted, each with its reason.

    Running and pending runs are counted only.
    """
    stopped = [i for i in data.not_complete if data.rows[i]["state"] in ("failed", "interrupted")]
    waiting = {
        state: sum(data.rows[i]["state"] == state for i in data.not_complete)
        for state in ("running", "pending")
    }
    parts = []
    if stopped:
        items = []
        for i in stopped:
            row = data.rows[i]
            values = "; ".join(f"{e.label.title} = {e.text(i)}" for e in data.inputs)
            reason = row.get("message") or "no reason recorded"
            items.append(
                f"<li><b>run {row['index']}</b> ({html.escape(str(row['state']))}): "
                f"{html.escape(str(reason))}<br><span class='note'>{html.escape(values)}<br>"
                f"folder <code>runs/{html.escape(str(row['run']))}/</code>, log "
                f"<code>logs/{html.escape(str(row['run']))}.log</code></span></li>"
            )
        parts.append(f"<ul class='failures'>{''.join(items)}</ul>")
        parts.append(
            "<p class='note'>Running the same <code>femsi sweep</code> command again retries "
            "them; complete runs are kept.</p>"
        )
    waiting_text = ", ".join(f"{n} {state}" for state, n in waiting.items() if n)
    if waiting_text:
        parts.append(f"<p>Not finished yet: {waiting_text} (<code>femsi status DIR</code>).</p>")
    return "".join(parts) or "<p>Every run completed.</p>"


def _picture_uri(path: Path) -> str:
    """A run's picture, downscaled to :data:`PICTURE_WIDTH` and inlined as WebP."""
    from PIL import Image

    with Image.open(path) as original:
        image = original.convert("RGB")
    image.thumbnail((PICTURE_WIDTH, PICTURE_WIDTH * 2))
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=80)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode()


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


def select_runs(data: ReportData, names: list[str] | None) -> list[int]:
    """The runs whose pictures to show.

    ``names`` if given, else those with the smallest and largest first output (the first
    complete run when there is no output).
    """
    if names:
        return [i for i, row in enumerate(data.rows) if row["run"] in names]
    done = data.complete
    if not done:
        return []
    if not data.outputs or not np.isfinite(data.outputs[0].values[done]).any():
        return done[:1]
    values = data.outputs[0].values[done]
    chosen = [done[int(np.nanargmin(values))], done[int(np.nanargmax(values))]]
    return list(dict.fromkeys(chosen))


def pictures_section(data: ReportData, names: list[str] | None) -> str:
    """Pictures of the selected runs (``figures/*.png``), protocol-step renderings first."""
    selected = select_runs(data, names)
    if not selected:
        return "<p>No complete run selected.</p>"
    first = data.outputs[0].label.title if data.outputs and not names else None
    parts = []
    if first:
        parts.append(f"<p class='note'>The runs with the smallest and largest {first}.</p>")
    for i in selected:
        row = data.rows[i]
        pictures = _pictures(run_dir(data.folder, row["run"]))
        pictures = sorted(pictures, key=lambda p: not p.name.startswith("step"))[:MAX_PICTURES]
        values = "; ".join(f"{e.label.title} = {e.text(i)}" for e in data.inputs)
        parts.append(f"<h3>Run {row['index']}</h3><p class='note'>{html.escape(values)}</p>")
        if not pictures:
            parts.append("<p>No pictures (outputs.figures was off).</p>")
        for picture in pictures:
            parts.append(
                f'<figure><img alt="{html.escape(picture.name)}" src="{_picture_uri(picture)}" '
                f'width="{PICTURE_WIDTH}"><figcaption>{html.escape(picture.name)}</figcaption>'
                "</figure>"
            )
    return "".join(parts)


def _figures(figures: list[Figure], static: bool) -> str:
    if static:
        from femsi.sweeps.report_static import figure_html
    else:
        from femsi.sweeps.report_plotly import figure_html  # type: ignore[assignment]
    parts = []
    for figure in figures:
        parts.append(f'<h3 id="{figure.anchor}">{html.escape(figure.title)}</h3>')
        parts += [f"<p class='note'>{html.escape(note)}</p>" for note in figure.notes]
        parts.append(figure_html(figure))
    return "".join(parts)


def render_report(
    folder: Path,
    runs: list[str] | None = None,
    quantities: list[str] | None = None,
    colour_by: str | None = None,
    static: bool = False,
) -> str:
    """The report's HTML text.

    Args:
        folder: The sweep folder.
        runs: Runs whose pictures to show (names); default the extremes of the first output.
        quantities: Summary columns to plot (names or shell patterns).
        colour_by: The swept key that colours the points and lines.
        static: matplotlib PNGs and no script instead of interactive Plotly figures.
    """
    data = read_report_data(Path(folder), quantities)
    colour = colour_input(data, colour_by)
    name = html.escape(data.sweep["name"])
    counts = {s: sum(row["state"] == s for row in data.rows) for s in STATES}
    badges = "".join(f'<span class="badge {s}">{n} {s}</span>' for s, n in counts.items() if n)
    inputs = ", ".join(html.escape(e.label.title) for e in data.inputs) or "none"
    head = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"]
    head.append("<meta name='viewport' content='width=device-width, initial-scale=1'>")
    head.append(f"<title>femsi sweep {name}</title><style>{_STYLE}</style>")
    if not static:
        from femsi.sweeps.report_plotly import plotly_bundle

        head.append(f"<script>{plotly_bundle()}</script>")
    head.append("</head>")
    sections = [
        ("results", "Results", results_table(data)),
        ("outputs", "Outputs against the swept inputs", _outputs(data, colour, colour_by, static)),
        ("series", "Time series of every run", _series(data, colour_by, static)),
        ("failures", "Runs that did not complete", failures(data)),
        ("pictures", "Pictures of selected runs", pictures_section(data, runs)),
        (
            "definition",
            "Sweep definition",
            f"<pre>{html.escape(yaml.safe_dump(data.sweep['definition'], sort_keys=False))}"
            f"</pre><p class='note'>Base study <code>{html.escape(data.sweep['base'])}</code>, "
            f"config hash <code>{html.escape(data.sweep['base_config_hash'])}</code>.</p>",
        ),
    ]
    body = [
        f"<body><h1>Sweep <code>{name}</code></h1>",
        f"<p class='lead'>{len(data.rows)} runs over {inputs}. {badges}</p>",
        "<nav>" + "".join(f'<a href="#{a}">{t}</a>' for a, t, _ in sections) + "</nav>",
    ]
    for anchor, title, content in sections:
        body.append(f'<h2 id="{anchor}">{title}</h2>{content}')
    if not static:
        body.append(f"<script>{_SORT_SCRIPT}</script>")
    body.append("</body></html>")
    return "\n".join(head + body)


def _outputs(data: ReportData, colour, colour_by: str | None, static: bool) -> str:
    if not (data.outputs and data.complete):
        return "<p>No output varies between complete runs yet.</p>"
    shade = html.escape(colour.label.title) if colour else "none"
    hint = "" if static else " Hover for a run's inputs; click a legend entry to hide it."
    return f"<p class='note'>Each point is a complete run; colour: {shade}.{hint}</p>" + _figures(
        output_figures(data, colour_by), static
    )


def _series(data: ReportData, colour_by: str | None, static: bool) -> str:
    figures = series_figures(data, colour_by)
    if not figures:
        return "<p>No run has a time series of a plotted output yet.</p>"
    hint = "" if static else " The buttons switch between time and SOC."
    return f"<p class='note'>One line per run.{hint}</p>" + _figures(figures, static)


def write_report(
    folder: Path,
    output: Path | None = None,
    runs: list[str] | None = None,
    quantities: list[str] | None = None,
    colour_by: str | None = None,
    static: bool = False,
) -> Path:
    """Write the report (default ``DIR/report.html``); returns its path."""
    path = Path(output) if output else Path(folder) / "report.html"
    text = render_report(folder, runs, quantities, colour_by, static)
    path.write_text(text, encoding="utf-8")
    return path
