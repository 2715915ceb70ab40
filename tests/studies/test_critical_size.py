"""``femsi critical-size``: the sweep it plans, the crossing it finds, its bad input.

The end-to-end run on the shipped cracked study (configs/particle_crack.yaml) is
test_critical_size_of_the_shipped_crack_study below.
"""

from __future__ import annotations

import json
import math

import pytest
import yaml

from femsi.errors import InputError
from femsi.sweeps import critical


def test_crossing_is_exact_for_a_power_law():
    """G ∝ R^k (e.g. G ∝ R at a fixed strain field, Zhao et al., J. Appl. Phys. 108 (2010)
    073517): log-log interpolation recovers R_c = R_ref (Gc/G_ref)^(1/k) exactly."""
    for k in (1.0, 2.0, 0.7):
        radii = [0.1e-6, 0.3e-6, 1e-6, 3e-6]
        ratios = [(r / 0.55e-6) ** k for r in radii]
        radius, bound, bracket = critical.critical_radius(radii, ratios)
        assert bound == "within"
        assert bracket == (0.3e-6, 1e-6)
        assert radius == pytest.approx(0.55e-6, rel=1e-12)


def test_bounds_when_not_bracketed():
    radii = [1e-6, 2e-6]
    assert critical.critical_radius(radii, [1.5, 3.0]) == (1e-6, "below_smallest", None)
    assert critical.critical_radius(radii, [0.1, 0.2]) == (2e-6, "above_largest", None)


def test_first_crossing_wins():
    """A non-monotonic ratio: the critical radius is the first crossing."""
    radius, bound, _ = critical.critical_radius([1.0, 2.0, 3.0, 4.0], [0.5, 2.0, 0.5, 2.0])
    assert bound == "within"
    assert 1.0 < radius < 2.0
    assert radius == pytest.approx(math.exp(math.log(2.0) * math.log(2) / math.log(4)))


def test_analyse_groups_by_rate_and_takes_the_first_crack():
    points = [
        {"radius_m": r, "c_rate": c, "crack_size": None,
         "ratios": {"a": r / 1e-6 * c, "b": 0.5 * r / 1e-6 * c}}
        for r in (0.5e-6, 2e-6) for c in (1.0, 2.0)
    ]  # fmt: skip
    results = {(r.c_rate, r.crack): r for r in critical.analyse(points, ["a", "b"])}
    assert results[(1.0, "a")].radius_m == pytest.approx(1e-6)
    assert results[(2.0, "a")].radius_m == pytest.approx(0.5e-6)
    assert results[(1.0, "b")].radius_m == pytest.approx(2e-6)
    assert results[(1.0, "b")].bound == "within"
    assert results[(1.0, "any")].radius_m == pytest.approx(1e-6)


def _study(tmp_path, cracks=True):
    tree = yaml.safe_load(_base().read_text())
    if not cracks:
        tree.pop("cracks", None)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(tree))
    return path


def _base():
    from pathlib import Path

    return Path(__file__).parents[2] / "configs" / "particle_crack.yaml"


def test_plan_scales_geometry_cracks_probes_and_steps():
    request = critical.Request(config=_base(), radii=[0.25e-6, 1e-6], c_rates=[0.5, 2.0])
    plan = critical.plan(request)
    from femsi.config import load_config

    base = load_config(_base()).resolved()
    assert len(plan.rows) == 4
    row = next(r for r in plan.rows if r["geometry.radius"] == 0.25e-6 and 2.0 in r.values())
    s = 0.25e-6 / base["geometry"]["radius"]
    assert row["geometry.mesh_size"] == pytest.approx(base["geometry"]["mesh_size"] * s)
    assert row["cracks.0.length"] == pytest.approx(base["cracks"][0]["length"] * s)
    rate = next(v for k, v in row.items() if k.endswith("c_rate"))
    assert rate == 2.0
    base_rate = next(
        body["c_rate"] for step in base["protocol"] for body in step.values()
        if isinstance(body, dict) and body.get("c_rate")
    )  # fmt: skip
    assert row["time.max_step"] == pytest.approx(base["time"]["max_step"] * base_rate / 2.0)
    fixed = critical.plan(
        critical.Request(config=_base(), radii=[1e-6], c_rates=[1], crack_lengths=[50e-9])
    )
    assert fixed.rows[0]["cracks.0.length"] == 50e-9
    fraction = critical.plan(
        critical.Request(config=_base(), radii=[2e-6], c_rates=[1], crack_fractions=[0.1])
    )
    assert fraction.rows[0]["cracks.0.length"] == pytest.approx(0.2e-6)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"radii": []}, "--radius"),
        ({"radii": [-1e-6]}, "--radius"),
        ({"c_rates": [0.0]}, "--c-rate"),
        ({"crack_lengths": [1e-8], "crack_fractions": [0.1]}, "--crack-length"),
        ({"crack_fractions": [-0.1]}, "--crack-fraction"),
    ],
)
def test_bad_requests_name_the_option(change, field):
    request = critical.Request(config=_base(), radii=[1e-6], c_rates=[1.0])
    for key, value in change.items():
        setattr(request, key, value)
    with pytest.raises(InputError) as err:
        critical.plan(request)
    assert err.value.field == field


def test_a_study_without_cracks_is_refused(tmp_path):
    path = _study(tmp_path, cracks=False)
    with pytest.raises(InputError) as err:
        critical.plan(critical.Request(config=path, radii=[1e-6], c_rates=[1.0]))
    assert err.value.field == "cracks"


def test_critical_size_of_the_shipped_crack_study(tmp_path):
    """End to end on configs/particle_crack.yaml at 4C: two radii bracket the crossing, and a
    run at the interpolated critical radius has max G / Gc = 1 (within 5 %: G rises as about
    R^5 here, and the log-log interpolation is exact for a power law)."""
    from femsi.cli import main

    folder = tmp_path / "critical"
    code = main(
        ["critical-size", str(_base()), "--radius", "100nm", "200nm", "--c-rate", "4",
         "-o", str(folder), "--no-progress"]
    )  # fmt: skip
    assert code == 0
    for name in critical.RESULTS:
        assert (folder / name).stat().st_size > 0
    result = next(
        r for r in json.loads((folder / "critical_size.json").read_text())["results"]
        if r["crack"] == "surface"
    )  # fmt: skip
    assert result["bound"] == "within"
    assert result["ratios"][0] < 1 < result["ratios"][1]
    radius = result["radius_m"]
    check = tmp_path / "check"
    code = main(
        ["critical-size", str(_base()), "--radius", f"{radius!r}", "--c-rate", "4",
         "-o", str(check), "--no-progress"]
    )  # fmt: skip
    assert code == 0
    at_critical = json.loads((check / "critical_size.json").read_text())["results"][0]
    assert at_critical["ratios"][0] == pytest.approx(1.0, rel=0.05)
    with open(folder / "critical_size.csv") as stream:
        assert stream.readline().startswith("c_rate,crack_size,crack,critical_radius_m")


def test_cli_bad_radius_is_exit_2_naming_the_option(tmp_path, capsys):
    from femsi.cli import main

    code = main(
        ["critical-size", str(_base()), "--radius", "1 s", "--c-rate", "1",
         "-o", str(tmp_path / "x")]
    )  # fmt: skip
    assert code == 2
    assert "--radius" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
