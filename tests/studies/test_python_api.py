"""The Python API: results as pandas tables and PyVista meshes, pictures, sweeps from Python.

One small run (an octant of a 1 µm sphere, 99 vertices, a snapshot at every step) and one
two-run sweep are made once per module.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas
import pytest
import yaml
from PIL import Image

import femsi
from tests.conftest import run_cli, study, write_study

PROTOCOL = [{"lithiate": {"c_rate": 1, "duration": "20 s"}}, {"rest": {"duration": "10 s"}}]
ARRAYS = {"u", "von_mises_Pa", "hydrostatic_stress_Pa", "max_principal_Pa", "concentration_mol_m3"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A lithiation then a rest, a snapshot at every one of its 4 steps."""
    out = tmp_path_factory.mktemp("api") / "particle"
    config = femsi.load_config(study(outputs={"every": 1, "figures": False}, protocol=PROTOCOL))
    result = femsi.run(config, out, progress=False)
    assert result.status == "completed"
    return result


def test_timeseries_equals_the_csv(run):
    with (run.output_dir / "timeseries.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    frame = run.timeseries
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(rows[0]) and len(frame) == len(rows) == 4
    for position, row in enumerate(rows):
        for column, text in row.items():
            value = frame.loc[position, column]
            if column == "protocol_kind":
                assert value == text
            else:
                assert value == float(text), (position, column)  # exact: floats round-trip
    assert list(frame["protocol_kind"]) == ["initial", "lithiate", "lithiate", "rest"]
    # the in-memory rows of the run are the same numbers
    assert [r["particle.max_von_mises_Pa"] for r in run.rows] == list(
        frame["particle.max_von_mises_Pa"]
    )
    units = frame.attrs["units"]
    assert units == run.units and set(units) == set(frame.columns)
    assert units["time_s"] == "s" and units["particle.max_von_mises_Pa"] == "Pa"
    assert units["surface_c_max_mol_m3"] == "mol/m³" and units["particle.volume_m3"] == "m³"
    assert units["inward_flux_mol_m2_s"] == "mol/(m²·s)" and units["soc"] == "1"
    assert units["mean_potential_shift_V"] == "V" and units["protocol_kind"] == ""


def test_peaks_are_the_extremes_of_the_timeseries(run):
    peaks, frame = run.peaks, run.timeseries
    assert list(peaks.columns) == ["value", "unit", "kind", "time_s", "step", "soc", "region"]
    assert set(peaks.index) == set(run.summary["peaks"])
    vm = peaks.loc["particle.max_von_mises_Pa"]
    largest = frame.loc[frame["particle.max_von_mises_Pa"].idxmax()]
    assert vm["value"] == largest["particle.max_von_mises_Pa"] > 1e8
    assert vm["step"] == largest["step"] == 2 and vm["time_s"] == 20.0  # end of lithiation
    assert vm["unit"] == "Pa" and vm["kind"] == "max" and vm["region"] == "particle"
    low = peaks.loc["particle.min_hydrostatic_Pa"]
    assert low["kind"] == "min" and low["value"] == frame["particle.min_hydrostatic_Pa"].min()
    assert peaks.loc["mean_potential_shift_V.min", "unit"] == "V"


def test_snapshots_are_pyvista_meshes_of_the_recorded_states(run):
    import pyvista

    snapshots = run.snapshots
    assert len(snapshots) == 4
    assert [s.step for s in snapshots] == [0, 1, 2, 3]
    assert [s.protocol_step for s in snapshots] == [0, 0, 0, 1]
    assert [s.protocol_kind for s in snapshots] == ["initial", "lithiate", "lithiate", "rest"]
    assert list(snapshots.table["time_s"]) == [0.0, 10.0, 20.0, 30.0]
    for snapshot in snapshots:
        mesh = snapshot.mesh()
        assert isinstance(mesh, pyvista.UnstructuredGrid)
        assert set(mesh.point_data) == ARRAYS
        row = run.timeseries.iloc[snapshot.step]
        assert snapshot.time_s == row["time_s"] and snapshot.soc == row["soc"]
        assert mesh.field_data["protocol_kind"][0] == row["protocol_kind"]
        assert mesh.field_data["soc"][0] == row["soc"]
        # The mesh holds that step's state: its nodal extremes are the time series' columns.
        c, vm = mesh["concentration_mol_m3"], mesh["von_mises_Pa"]
        assert c.max() == pytest.approx(row["surface_c_max_mol_m3"], rel=1e-12, abs=1e-9)
        assert vm.max() == pytest.approx(row["particle.max_von_mises_Pa"], rel=1e-12, abs=1e-3)
    assert snapshots.nearest(14.0).step == 1 and snapshots.nearest().step == 3
    assert snapshots.at_step(2) is snapshots[2]


def test_micrometre_meshes_scale_the_lengths_only(run):
    metres, micrometres = run.snapshots[2].mesh(), run.snapshots[2].mesh(length_unit="um")
    np.testing.assert_array_equal(micrometres.points, metres.points * 1e6)
    np.testing.assert_array_equal(micrometres["u"], metres["u"] * 1e6)
    np.testing.assert_array_equal(micrometres["von_mises_Pa"], metres["von_mises_Pa"])
    assert micrometres.bounds[1] == pytest.approx(1.0, rel=1e-9)  # the radius, 1 µm
    assert np.abs(micrometres["u"]).max() > 1e-4  # swelling of ~0.1 nm at least
    assert micrometres.field_data["length_unit"][0] == "um"
    assert metres.field_data["length_unit"][0] == "m"


def test_load_from_the_folder_equals_the_returned_result(run):
    loaded = femsi.load(run.output_dir)
    assert isinstance(loaded, femsi.RunResult)
    assert loaded == femsi.RunResult.from_folder(str(run.output_dir))
    assert loaded.output_dir == run.output_dir and loaded.status == run.status == "completed"
    assert loaded.summary == run.summary
    pandas.testing.assert_frame_equal(loaded.timeseries, run.timeseries)
    pandas.testing.assert_frame_equal(loaded.peaks, run.peaks)
    pandas.testing.assert_frame_equal(loaded.snapshots.table, run.snapshots.table)
    assert loaded.rows == run.rows  # the CSV holds the in-memory rows exactly
    assert loaded.config == run.config and loaded.config["geometry"]["radius"] == 1e-6
    assert loaded.manifest == run.manifest and loaded.manifest["config_hash"]
    assert loaded.complete and repr(loaded).startswith("RunResult(")


def test_plot_renders_a_field_at_a_step(run, tmp_path):
    step = run.peaks.loc["particle.max_von_mises_Pa", "step"]  # a NumPy integer
    picture = run.plot("von_mises", step=step, output=tmp_path / "vm.png")
    assert isinstance(picture, femsi.Picture) and picture.path == tmp_path / "vm.png"
    with Image.open(picture) as image:  # usable as a path; framed to the body's aspect
        assert image.format == "PNG" and 800 <= image.size[0] <= 1000
    assert picture._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n" and picture._repr_html_() is None
    default = run.snapshots[1].plot("concentration")
    assert default.path == run.output_dir / "figures" / "replot" / "concentration_t10s.png"
    gif = run.animate("hydrostatic", output=tmp_path)
    with Image.open(gif) as frames:
        assert frames.n_frames == 4
    assert gif._repr_html_().startswith('<img src="data:image/gif;base64,')


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.plot("temperature"), "field"),
        (lambda r: r.plot("damage"), "field"),  # no phase field in this run
        (lambda r: r.plot(step=7), "step"),
        (lambda r: r.plot(step=1.5), "step"),
        (lambda r: r.plot(step=1, time=10.0), "step"),
        (lambda r: r.plot(clip="w"), "clip"),
        (lambda r: r.snapshots[0].mesh("mm"), "length_unit"),
    ],
    ids=["unknown-field", "absent-field", "no-snapshot", "fraction", "both", "clip", "unit"],
)
def test_bad_arguments_are_input_errors_naming_them(run, call, field):
    with pytest.raises(femsi.InputError) as caught:
        call(run)
    assert caught.value.field == field


def test_load_refuses_what_is_not_a_run_folder(tmp_path):
    for folder in (tmp_path, tmp_path / "missing"):
        with pytest.raises(femsi.InputError) as caught:
            femsi.load(folder)
        assert caught.value.field == "folder" and str(folder) in caught.value.message
    with pytest.raises(femsi.InputError, match="not a femsi sweep folder") as caught:
        femsi.SweepResult.from_folder(tmp_path)
    assert caught.value.field == "folder"


def test_the_positional_constructor_still_works(tmp_path):
    result = femsi.RunResult(tmp_path, "completed", {"status": "completed"}, [{"step": 0}])
    assert result.rows == [{"step": 0}] and femsi.RunResult(tmp_path, "failed", {}).rows == []


SWEEP_BASE = study(outputs={"every": 0, "figures": False})
GRID = {"geometry.radius": ["1 um", "1.25 um"], "protocol.0.lithiate.c_rate": [1, 2]}


def test_a_sweep_built_in_python_has_the_runs_of_the_cli(tmp_path):
    base = write_study(tmp_path, SWEEP_BASE, "base.yaml")
    (tmp_path / "sweep.yaml").write_text(
        yaml.safe_dump({"base": "base.yaml", "name": "size-rate", "sweep": {"grid": GRID}})
    )
    done = run_cli(
        "sweep", tmp_path / "sweep.yaml", "-o", tmp_path / "cli", "--dry-run", "--no-mesh"
    )
    assert done.returncode == 0, done.stderr
    cli = json.loads((tmp_path / "cli" / "sweep.json").read_text())
    built = femsi.Sweep(base, grid=GRID, name="size-rate")
    from_file = femsi.Sweep.from_file(tmp_path / "sweep.yaml")
    for sweep in (built, from_file):
        assert sweep.name == "size-rate" and sweep.keys == cli["keys"]
        runs = sweep.runs
        assert list(runs["name"]) == [r["name"] for r in cli["runs"]]
        assert list(runs["config_hash"]) == [r["config_hash"] for r in cli["runs"]]
        assert runs.to_dict("records")[3]["geometry.radius"] == "1.25 um"
    # the file it saves is a sweep file the command line expands to the same runs
    saved = built.save(tmp_path / "saved.yaml")
    done = run_cli("sweep", saved, "-o", tmp_path / "again", "--dry-run", "--no-mesh")
    assert done.returncode == 0, done.stderr
    again = json.loads((tmp_path / "again" / "sweep.json").read_text())
    assert again["runs"] == cli["runs"] and again["base_config_hash"] == cli["base_config_hash"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """Two C-rates run by two local workers from Python."""
    folder = tmp_path_factory.mktemp("sweep")
    base = write_study(folder, SWEEP_BASE, "base.yaml")
    sweep = femsi.Sweep(base, grid={"protocol.0.lithiate.c_rate": [1, 2]}, name="rates")
    return sweep, sweep.run(folder / "out", workers=2, progress=False)


def test_a_sweep_run_from_python_collects_one_row_per_run(swept):
    sweep, result = swept
    assert sorted(result.outcome.done) == sorted(sweep.runs["name"])
    table = result.table
    assert list(table["run"]) == list(sweep.runs["name"])
    assert list(table["protocol.0.lithiate.c_rate"]) == [1.0, 2.0]
    assert set(table["state"]) == {"complete"} and set(table["status"]) == {"completed"}
    assert {"final.soc", "peaks.particle.max_von_mises_Pa.value", "wall_time_s"} <= set(table)
    for row, run in zip(table.to_dict("records"), result, strict=True):
        summary = json.loads((run.output_dir / "summary.json").read_text())
        peak = summary["peaks"]["particle.max_von_mises_Pa"]["value"]
        assert row["peaks.particle.max_von_mises_Pa.value"] == peak
        assert row["final.soc"] == run.timeseries["soc"].iloc[-1]
    # twice the C-rate, twice the lithium in the same 20 s
    assert table["final.soc"].iloc[1] == pytest.approx(2 * table["final.soc"].iloc[0], rel=1e-6)
    assert result[1] == result[sweep.runs["name"][1]] and result[-1].status == "completed"
    assert set(result.status["state"]) == {"complete"}
    catalogue = result.catalogue
    assert set(table.columns) <= set(catalogue.columns) and len(catalogue) == 2


def test_a_sweep_folder_loads_and_resumes(swept):
    sweep, result = swept
    loaded = femsi.load(result.folder)
    assert isinstance(loaded, femsi.SweepResult) and loaded.outcome is None
    assert loaded.name == "rates" and loaded.keys == ["protocol.0.lithiate.c_rate"]
    pandas.testing.assert_frame_equal(
        loaded.table.drop(columns="wall_time_s"), result.table.drop(columns="wall_time_s")
    )
    again = sweep.run(result.folder, workers=2, progress=False)  # resume: nothing to do
    assert sorted(again.outcome.skipped) == sorted(sweep.runs["name"]) and not again.outcome.done
    status = run_cli("status", result.folder)
    assert status.returncode == 0 and "2 runs: 2 complete" in status.stdout


def test_sweep_arguments_are_input_errors_naming_them(tmp_path, swept):
    base = write_study(tmp_path, SWEEP_BASE, "base.yaml")
    cases = [
        (lambda: femsi.Sweep(base, grid={"geometry.radius": []}), "grid.geometry.radius"),
        (lambda: femsi.Sweep(base, grid={"geometry.radius": ["-1 um"]}), "grid.geometry.radius"),
        (lambda: femsi.Sweep(base), "grid"),
        (lambda: femsi.Sweep(tmp_path / "nope.yaml", grid=GRID), "base"),
        (lambda: femsi.Sweep.from_file(tmp_path / "nope.yaml"), "path"),
        (lambda: femsi.Sweep(base, grid=GRID).run(tmp_path / "x", workers=0), "workers"),
        (lambda: femsi.Sweep(base, grid=GRID).run(base.parent), "output_dir"),
        (lambda: swept[1]["no-such-run"], "run"),
        (lambda: swept[1][5], "run"),
    ]
    for call, field in cases:
        with pytest.raises(femsi.InputError) as caught:
            call()
        assert caught.value.field == field, (field, str(caught.value))
    assert len(swept[1]) == 2
