"""Figure conventions: units by magnitude, colour maps white at zero, titles, robust limits,
and ``femsi plot`` on a small synthetic run folder (no solve)."""

from __future__ import annotations

import json

import meshio
import numpy as np
import pytest
from matplotlib import colormaps
from PIL import Image

from femsi.cli import main
from femsi.errors import InputError
from femsi.outputs.field_pictures import (
    PLANAR,
    Picture,
    _offscreen,
    _render,
    colour_scale,
    nice_length,
    spec_for,
)
from femsi.outputs.replot import replot, resolve_field
from femsi.outputs.style import (
    centred_colormap,
    centred_limits,
    format_time,
    protocol_spans,
    robust_limits,
    snapshot_title,
    step_phrase,
    unit_for,
)


def test_units_are_chosen_by_magnitude():
    gpa = unit_for("stress", 4.17e9)
    assert (gpa.label, float(gpa(4.17e9))) == ("GPa", pytest.approx(4.17))
    assert unit_for("stress", -3.2e8).label == "MPa"  # the sign does not matter
    assert unit_for("stress", 999.0).label == "Pa"
    nm = unit_for("length", 3.2e-7)
    assert (nm.label, float(nm(3.2e-7))) == ("nm", pytest.approx(320.0))
    assert unit_for("length", 1.5e-6).label == "µm"
    assert unit_for("concentration", 3.1e5).label == "kmol/m³"
    assert unit_for("stress", 0.0).label == "MPa"  # zero: a sensible default


def test_a_one_sided_range_is_centred_at_zero():
    base = colormaps["RdBu_r"]
    low, high = centred_limits(1.2e9, 4.0e9)  # all tension: extended down to zero
    assert (low, high) == (0.0, 4.0e9)
    cmap = centred_colormap("RdBu_r", low, high)
    assert np.allclose(cmap(0.0), base(0.5), atol=0.01)  # value 0 → the neutral middle
    assert np.allclose(cmap(1.0), base(1.0), atol=0.01)
    # a lopsided two-sided range: each half stretched on its own
    cmap = centred_colormap("RdBu_r", -1.0, 3.0)
    at_zero = cmap(0.25)  # 0 is a quarter of the way from -1 to 3
    assert np.allclose(at_zero, base(0.5), atol=0.01)
    assert np.allclose(cmap(0.0), base(0.0), atol=0.01)
    assert np.allclose(cmap(1.0), base(1.0), atol=0.01)


def test_titles_say_quantity_step_soc_and_time():
    phrase = step_phrase("step0_lithiate")
    title = snapshot_title("Hydrostatic stress", 0.8152, 1476.0, phrase)
    assert title == "Hydrostatic stress — end of lithiation, SOC 0.82, t = 24.6 min"
    assert step_phrase(kind="delithiate", at_end=False) == "during delithiation"
    assert format_time(12.0) == "t = 12.0 s" and format_time(4 * 3600) == "t = 4.00 h"


def test_robust_limits_clip_a_singularity_but_not_a_smooth_field():
    smooth = np.linspace(0.0, 10.0, 1001)
    assert robust_limits(smooth) == robust_limits(smooth).__class__(0.0, 10.0, False, False, 0, 10)
    spiky = np.concatenate([np.linspace(0.0, 1.0, 1000), [50.0]])
    limits = robust_limits(spiky)
    assert limits.clipped_high and not limits.clipped_low
    assert limits.high == pytest.approx(0.99, abs=0.01) and limits.data_max == 50.0
    # per sign: tension confined to a tip stays visible in a compressed body
    values = np.concatenate([np.linspace(-8e9, -1e9, 1000), [2e9, 7e9]])
    weights = np.concatenate([np.ones(1000), [1e-4, 1e-4]])
    shown, _, _ = colour_scale(values, spec_for("hydrostatic_stress_Pa"), weights, robust=True)
    assert shown.high > 0 and shown.low < 0


def test_protocol_spans_and_nice_lengths():
    rows = [
        {"time_s": 0.0, "protocol_step": 0, "protocol_kind": "initial"},
        {"time_s": 5.0, "protocol_step": 0, "protocol_kind": "lithiate"},
        {"time_s": 9.0, "protocol_step": 0, "protocol_kind": "lithiate"},
        {"time_s": 12.0, "protocol_step": 1, "protocol_kind": "rest"},
    ]
    assert protocol_spans(rows) == [(0, "lithiate", 0.0, 9.0), (1, "rest", 9.0, 12.0)]
    assert nice_length(1.4e-6) == pytest.approx(2e-7)
    assert nice_length(1e-6) == pytest.approx(2e-7)
    assert nice_length(3e-7) == pytest.approx(5e-8)


def _square(nx: int = 41, ny: int = 11):
    """A 4 µm × 1 µm triangulated rectangle, x from -1 µm to 3 µm."""
    x, y = np.meshgrid(np.linspace(-1e-6, 3e-6, nx), np.linspace(0.0, 1e-6, ny))
    points = np.column_stack([x.ravel(), y.ravel(), np.zeros(x.size)])
    cells = []
    for j in range(ny - 1):
        for i in range(nx - 1):
            a = j * nx + i
            cells += [[a, a + 1, a + nx + 1], [a, a + nx + 1, a + nx]]
    return points, np.array(cells)


def test_white_is_drawn_where_the_stress_is_zero():
    _offscreen()
    import pyvista

    points, cells = _square()
    grid = pyvista.UnstructuredGrid(
        np.hstack([np.full((len(cells), 1), 3), cells]).ravel(),
        np.full(len(cells), 5, dtype=np.uint8),
        points,
    )
    grid.point_data["value"] = points[:, 0] * 1e15  # σ = x: -1 GPa to 3 GPa
    spec = spec_for("hydrostatic_stress_Pa")
    limits, unit, cmap = colour_scale(grid.point_data["value"], spec)
    assert unit.label == "GPa" and (limits.low, limits.high) == (-1e9, 3e9)
    picture = Picture(grid, spec, "", PLANAR)
    image, metres_per_pixel = _render(picture, limits, cmap, grid.bounds)
    height, width, _ = image.shape
    row = height // 2
    column = lambda x: int(round(width / 2 + (x - 1e-6) / metres_per_pixel))  # noqa: E731
    neutral = np.array(colormaps["RdBu_r"](0.5)[:3]) * 255
    assert np.abs(image[row, column(0.0)] - neutral).max() < 12  # white at σ = 0
    red, blue = image[row, column(2.8e-6)].astype(int), image[row, column(-0.9e-6)].astype(int)
    assert red[0] - red[2] > 60 and blue[2] - blue[0] > 60  # tension red, compression blue


@pytest.fixture
def run_folder(tmp_path):
    """A run folder with two snapshots of the rectangle and a two-step protocol."""
    points, cells = _square(21, 6)
    snapshots = tmp_path / "run" / "fields" / "snapshots"
    snapshots.mkdir(parents=True)
    index = []
    for k, (t, soc) in enumerate([(0.0, 0.0), (1476.0, 0.8152)]):
        x = points[:, 0]
        data = {
            "u": np.column_stack([1e-2 * x * k, np.zeros_like(x), np.zeros_like(x)]),
            "hydrostatic_stress_Pa": 1e15 * x * k,
            "von_mises_Pa": 2e15 * np.abs(x) * k,
            "max_principal_Pa": 1e15 * (x + 5e-7) * k,
            "concentration_mol_m3": 3e5 * soc + 0 * x,
        }
        name = f"{k:04d}.vtu"
        meshio.write(snapshots / name, meshio.Mesh(points, [("triangle", cells)], data))
        index.append({"file": name, "time_s": t, "soc": soc, "clip": False, "planar": True})
    (snapshots / "index.json").write_text(json.dumps(index))
    protocol = [{"index": 0, "kind": "lithiate", "time_s": 1476.0, "soc": 0.8152}]
    (tmp_path / "run" / "summary.json").write_text(json.dumps({"protocol": protocol}))
    return tmp_path / "run"


def test_plot_draws_a_field_by_its_short_name_and_prints_the_path(run_folder, capsys):
    assert main(["plot", str(run_folder), "--field", "max_principal"]) == 0
    target = run_folder / "figures" / "replot" / "max_principal_t1476s.png"
    assert f"femsi: wrote {target}" in capsys.readouterr().out
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size[0] > 800
    # the Python API: full array names, vector components, the list of written files
    assert replot(run_folder, field="max_principal_Pa", time=0.0) == [
        run_folder / "figures" / "replot" / "max_principal_Pa_t0s.png"
    ]
    spec = resolve_field("u_x", {"u": np.zeros((3, 3)), "damage": np.zeros(3)})
    assert (spec.array, spec.component, spec.signed) == ("u", 0, True)


def test_an_unknown_field_lists_the_fields_the_snapshots_hold(run_folder, capsys):
    assert main(["plot", str(run_folder), "--field", "temperature"]) == 2
    error = capsys.readouterr().err
    assert "--field: unknown field 'temperature'" in error
    for name in ("max_principal", "von_mises", "hydrostatic_stress", "concentration", "u_x"):
        assert name in error
    assert "u_z" not in error  # a 2D section's zero component is not offered
    with pytest.raises(InputError) as info:
        replot(run_folder, field="damage")
    assert info.value.field == "--field" and "phase_field" in str(info.value)


def _cycle_rows():
    """Lithiation to SOC 0.8, rest, delithiation: stresses of GPa size."""
    rows, t = [], 0.0
    steps = [(0, "lithiate", np.linspace(0, 0.8, 9)), (1, "rest", [0.8] * 3),
             (2, "delithiate", np.linspace(0.8, 0.2, 7))]  # fmt: skip
    rows.append({"time_s": 0.0, "soc": 0.0, "protocol_step": 0, "protocol_kind": "initial"})
    for step, kind, socs in steps:
        for soc in socs[1:] if step == 0 else socs:
            t += 60.0
            sign = 1.0 if kind != "delithiate" else -1.0
            rows.append({"time_s": t, "soc": float(soc), "protocol_step": step,
                         "protocol_kind": kind, "particle.max_von_mises_Pa": 4e9 * soc,
                         "particle.max_principal_Pa": 3e9 * soc,
                         "particle.max_hydrostatic_Pa": sign * 2e9 * soc,
                         "particle.min_hydrostatic_Pa": -2e9 * soc})  # fmt: skip
    rows[0] |= {k: 0.0 for k in rows[1] if k.startswith("particle.")}
    return rows


def test_stress_against_soc_tells_the_branches_apart(tmp_path, monkeypatch):
    from femsi.outputs import figures

    saved = {}

    def keep(fig, path):
        saved[path.name] = fig
        return path

    monkeypatch.setattr(figures, "_save", keep)
    written = figures.plot_timeseries(_cycle_rows(), ["particle"], [], tmp_path)
    assert [p.name for p in written] == ["soc.png", "stress_vs_time.png", "stress_vs_soc.png"]
    von_mises = saved["stress_vs_soc.png"].axes[0]
    assert von_mises.get_ylabel() == "max von Mises stress [GPa]"
    styles = {line.get_label(): line.get_linestyle() for line in von_mises.get_lines()}
    assert styles == {"particle, lithiation": "-", "particle, rest": ":",
                      "particle, delithiation": "--"}  # fmt: skip
    lithiation = next(
        ln for ln in von_mises.get_lines() if ln.get_label() == "particle, lithiation"
    )
    assert max(lithiation.get_ydata()) == pytest.approx(3.2)  # 4e9 × 0.8 Pa, in GPa
    # the time plot shades the three steps and labels them by kind
    time_axes = saved["stress_vs_time.png"].axes[0]
    assert [t.get_text() for t in time_axes.texts] == ["lithiation", "rest", "delithiation"]
    assert len(time_axes.patches) == 3


def test_a_uniform_field_is_one_colour_not_stretched_round_off():
    values = 18.7e9 * (1 + 1e-15 * np.arange(50))  # a uniform state up to round-off
    limits, unit, _ = colour_scale(values, spec_for("von_mises_Pa"), robust=True)
    assert unit.label == "GPa" and not (limits.clipped_low or limits.clipped_high)
    assert (limits.low, limits.high) == (pytest.approx(0.95 * 18.7e9), pytest.approx(1.05 * 18.7e9))


def test_a_log_axis_of_less_than_a_decade_still_has_labels():
    """The critical-size figure's radius axis (0.25 to 0.5 µm) had no tick label at all."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from femsi.sweeps.critical import _plain_log_ticks

    fig, ax = plt.subplots()
    ax.plot([0.25, 0.5], [0.29, 9.06], "o-")
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        _plain_log_ticks(axis)
    fig.canvas.draw()
    low, high = ax.get_xlim()
    shown = [
        t.get_text()
        for t in ax.xaxis.get_ticklabels(which="both")
        if t.get_text() and low <= t.get_position()[0] <= high
    ]
    plt.close(fig)
    assert shown and all(float(text) > 0 for text in shown)
