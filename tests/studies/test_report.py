"""The sweep report: what a researcher reads first, right numbers, failures, and a browser.

One small sweep with a run that fails on purpose: a finite-strain particle under an outer
pressure of 20 000 GPa, far beyond what the material can carry, whose initial state does not
converge. 2 radii × 4 (C-rate, pressure) rows = 8 runs, 2 of them failing.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
import yaml

from femsi.sweeps.labels import input_label, output_label
from femsi.sweeps.report_data import read_report_data
from femsi.sweeps.report_plotly import bundle_version
from tests.conftest import run_cli, study, write_study
from tests.support.browser import browser, load, needs_chromium

IMPOSSIBLE = "20000 GPa"


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    geometry = study()["geometry"] | {"outer_boundary": "pressure"}
    base = study(geometry=geometry, physics={"mechanics": "finite_strain"})
    write_study(folder, base, "base.yaml")
    sweep = {
        "base": "base.yaml",
        "name": "report-check",
        "sweep": {
            "grid": {"geometry.radius": ["1 um", "1.25 um"]},
            "zip": {
                "protocol.0.lithiate.c_rate": [1, 2, 2, 1],
                "geometry.outer_pressure": ["0 MPa", "20 MPa", "50 MPa", IMPOSSIBLE],
            },
        },
    }
    (folder / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    done = run_cli(
        "sweep", folder / "sweep.yaml", "-o", folder / "out", "--workers", "2",
        "--runs-per-process", "4", "--no-progress",
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # 1: a run failed
    return folder / "out"


class _Table(HTMLParser):
    """The results table: its heads and the text of its cells."""

    def __init__(self):
        super().__init__()
        self.heads, self.rows, self._cell, self._where = [], [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "results") in attrs:
            self._where = "table"
        elif self._where and tag in ("th", "td"):
            self._cell = []
        elif self._where and tag == "tr":
            self.rows.append([])

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if self._cell is not None and tag in ("th", "td"):
            text = "".join(self._cell)
            (self.heads if tag == "th" else self.rows[-1]).append(text)
            self._cell = None
        elif tag == "table":
            self._where = None


def _table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    table = _Table()
    table.feed(text)
    rows = [dict(zip(table.heads, cells, strict=True)) for cells in table.rows if cells]
    return table.heads, rows


def test_results_table_comes_first_with_readable_columns_and_right_numbers(sweep_dir):
    done = run_cli("report", sweep_dir)
    assert done.returncode == 0, done.stderr
    text = (sweep_dir / "report.html").read_text()
    assert text.index('id="results"') < text.index('id="outputs"') < text.index('id="series"')
    heads, rows = _table(text)
    assert heads[0] == "run"
    assert set(heads[1:4]) == {"particle radius (µm)", "lithiation C-rate", "outer pressure (MPa)"}
    assert "peak von Mises stress, particle (GPa)" in heads
    assert "most compressive hydrostatic stress, particle (GPa)" in heads
    assert "final SOC" in heads and "failure reason" in heads
    assert "wall time (s)" not in heads  # timings are no key output
    assert len(rows) == 8
    sweep = json.loads((sweep_dir / "sweep.json").read_text())
    for run, row in zip(sweep["runs"], rows, strict=True):
        assert row["run"] == str(run["index"])
        radius_um = run["parameters_si"]["geometry.radius"] * 1e6
        assert float(row["particle radius (µm)"]) == pytest.approx(radius_um, rel=1e-3)
        summary = json.loads((sweep_dir / "runs" / run["name"] / "summary.json").read_text())
        if run["parameters"]["geometry.outer_pressure"] == IMPOSSIBLE:
            assert row["state"] == "failed"
            assert "did not converge" in row["failure reason"]
            assert row["peak von Mises stress, particle (GPa)"] == ""
            continue
        assert row["state"] == "complete" and row["failure reason"] == ""
        peak = summary["peaks"]["particle.max_von_mises_Pa"]["value"] / 1e9
        assert float(row["peak von Mises stress, particle (GPa)"]) == pytest.approx(peak, 1e-3)
        low = summary["peaks"]["particle.min_hydrostatic_Pa"]["value"] / 1e9
        assert float(row["most compressive hydrostatic stress, particle (GPa)"]) == (
            pytest.approx(low, rel=1e-3)
        )
        assert float(row["final SOC"]) == pytest.approx(summary["final"]["soc"], rel=1e-3)


def test_failed_runs_are_listed_with_their_reason(sweep_dir):
    data = read_report_data(sweep_dir)
    failed = [data.rows[i] for i in data.not_complete]
    assert len(failed) == 2 and {r["state"] for r in failed} == {"failed"}
    text = (sweep_dir / "report.html").read_text()
    section = text[text.index('id="failures"') : text.index('id="pictures"')]
    for row in failed:
        assert f"<b>run {row['index']}</b> (failed)" in section
        assert f"logs/{row['run']}.log" in section
    assert section.count("the initial state did not converge") == 2


def test_figures_show_the_chosen_outputs_against_every_input(sweep_dir):
    text = (sweep_dir / "report.html").read_text()
    plots = re.findall(r'<div id="plot-([^"]+)"', text)
    assert plots == [
        "peaks-particle-max-von-mises-Pa-value",
        "peaks-particle-min-hydrostatic-Pa-value",
        "peaks-particle-max-hydrostatic-Pa-value",
        "series-particle-max-von-mises-Pa",
        "series-particle-min-hydrostatic-Pa",
    ]
    assert text.count("plotly.js (basic - minified)") == 1  # the bundle, once
    page = re.sub(r"<script>/\*\*\n\* plotly\.js.*?</script>", "", text, count=1, flags=re.S)
    assert len(page) < len(text) - 1_000_000 and "<script src" not in page
    assert not re.search(r'(src|href)="https?:', page)  # nothing from the network
    # --quantity picks the outputs; a pattern that matches nothing names the option.
    out = sweep_dir / "soc.html"
    done = run_cli("report", sweep_dir, "-o", out, "--quantity", "final.soc")
    assert done.returncode == 0, done.stderr
    assert re.findall(r'<div id="plot-([^"]+)"', out.read_text()) == ["final-soc"]
    bad = run_cli("report", sweep_dir, "--quantity", "peaks.*.nothing")
    assert bad.returncode == 2 and bad.stderr.startswith("femsi: error: --quantity: ")
    bad = run_cli("report", sweep_dir, "--color-by", "geometry.nothing")
    assert bad.returncode == 2 and "--color-by" in bad.stderr


def test_static_report_has_no_script(sweep_dir):
    out = sweep_dir / "static.html"
    done = run_cli("report", sweep_dir, "--static", "-o", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "<script" not in text
    assert text.count('<img class="figure"') == 5  # 3 outputs and 2 time series
    assert _table(text)[1][0]["state"] == "complete"


def test_labels_come_from_the_schema_and_the_column_names():
    assert input_label("geometry.radius", [5e-7, 2e-6], "sphere").title == "particle radius (µm)"
    assert input_label("geometry.outer_pressure", [0.0, 5e7]).title == "outer pressure (MPa)"
    assert input_label("time.max_step", [600.0, 1200.0]).title == "max step (min)"
    assert input_label("materials.particle", ["a", "b"]).title == "particle material"
    column = "peaks.shell.max_hydrostatic_Pa.value"
    label = output_label(column, [3e8, 9e8])
    assert label.title == "most tensile hydrostatic stress, shell (MPa)"
    assert label.format(4.5e8) == "450"


def test_the_shipped_plotly_bundle_matches_the_plotly_package():
    import plotly.offline

    ours, theirs = bundle_version(), plotly.offline.get_plotlyjs_version()
    assert ours.split(".")[0] == theirs.split(".")[0], (ours, theirs)


@needs_chromium
def test_report_renders_in_chromium(sweep_dir, tmp_path):
    with browser() as context:
        loaded = load(context, (sweep_dir / "report.html").as_uri(), settle_ms=500)
        page = loaded.page  # type: ignore[attr-defined]
        assert loaded.errors == [] and loaded.external == []
        drawn = page.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot')].map("
            "d => d.querySelectorAll('.point, .js-line').length)"
        )
        assert len(drawn) == 5 and all(n > 0 for n in drawn)
        # The table sorts by a click on a column head (numbers as numbers).
        page.click("table.results th:nth-child(2)")
        page.click("table.results th:nth-child(2)")
        radii = page.eval_on_selector_all(
            "table.results tbody tr", "rows => rows.map(r => parseFloat(r.cells[1].textContent))"
        )
        assert radii == sorted(radii, reverse=True)
        page.screenshot(path=tmp_path / "report.png", full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 50_000


def test_an_input_of_many_values_colours_on_a_scale(sweep_dir, monkeypatch):
    import femsi.sweeps.report_figures as figures
    from femsi.sweeps.report_plotly import figure_html

    monkeypatch.setattr(figures, "MAX_GROUPS", 2)  # outer pressure: 3 values in complete runs
    data = read_report_data(sweep_dir)
    scatter = figures.output_figures(data, "geometry.outer_pressure")[0]
    assert scatter.scale_range == pytest.approx((0.0, 50.0))  # MPa, over the complete runs
    assert all(len(panel.groups) == 1 for panel in scatter.panels)  # no legend groups
    lines = figures.series_figures(data, "geometry.outer_pressure")[0]
    # The failed runs stopped in their initial state: no step, no line.
    assert lines.scale_range == pytest.approx((0.0, 50.0))
    assert len(lines.panels[0].groups) == 6
    assert len({g.colour for g in lines.panels[0].groups}) == 3  # 0, 20 and 50 MPa
    assert '"colorbar"' in figure_html(scatter) and '"colorbar"' in figure_html(lines)


def test_long_time_series_are_thinned_keeping_their_extremes():
    from femsi.sweeps.report_figures import thinned

    n = 1000
    series = {"time_s": np.arange(n, dtype=float), "soc": np.linspace(0, 1, n)}
    series["peak"] = np.sin(series["time_s"] / 37.0)
    series["peak"][333] = 5.0  # a spike between the evenly spread points
    kept = thinned(series, "peak", 100)
    assert 100 <= len(kept["time_s"]) <= 102
    assert kept["peak"].max() == 5.0 and 333.0 in kept["time_s"]
    assert kept["time_s"][0] == 0 and kept["time_s"][-1] == n - 1
    assert thinned(series, "peak", 2000) is series
