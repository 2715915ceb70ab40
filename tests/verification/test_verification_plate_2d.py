"""The rigid pressure plate on a 2D plane-strain film strip: all plate modes, both lateral sides.

Reference: Hooke's law for a homogeneous layer with an isotropic eigenstrain e* (the free
linear swelling, here e* = Ω c / 3 of a potentiostatic hold whose diffusivity is so large that
c is uniform after one step) and the plane-strain condition ε_zz = 0 (Timoshenko & Goodier,
Theory of Elasticity, 3rd ed., 1970, §6 for the laterally confined layer, §16 for plane
strain). The strip (width × H, y the thickness direction) stands on the die floor; the plate
first applies the preload P, then the layer swells. With M = E(1-ν)/((1+ν)(1-2ν)) the
constrained (P-wave) modulus and E' = E/(1-ν²) the plane-strain modulus:

- ``lateral: confined`` (ε_xx = 0, die walls; ε_zz = 0, plane strain) is the uniaxial-strain
  oedometer of the 3D film: the layer's stiffness is M and its free thickness swelling
  e_c = e*(1+ν)/(1-ν), so w/H = -P/M + e_c under stack pressure;
- ``lateral: free`` (σ_xx = 0, ε_zz = 0): stiffness E', free thickness swelling
  e_f = e*(1+ν), so w/H = -P(1-ν²)/E + e*(1+ν) and σ_zz = -νP - E e*;
- ``fixed_gap`` after the preload: the load cell reads P + S e (S = M, e = e_c confined; S = E',
  e = e_f free); confined that is P + 3K e* with K = E/(3(1-2ν)), every strain being held;
- ``fixture_stiffness`` k: the layer (stiffness S/H per area) in series with the spring,
  w/H = e/(1 + k H/S) - P/S.

A homogeneous state is exact on any mesh: the tolerance is the solver's.
"""

from __future__ import annotations

import pytest

from tests.conftest import study

E, NU, P0, H = 20e9, 0.3, 50e6, 1e-6
OMEGA, C_MAX = 8.9e-6, 3.11e5
M = E * (1 - NU) / ((1 + NU) * (1 - 2 * NU))
E_PLANE = E / (1 - NU**2)
K = E / (3 * (1 - 2 * NU))
SOC = 0.03 / (OMEGA * C_MAX)  # e* = Ω c / 3 = 0.01
TOL = 1e-6
STRIP = {"dimension": 2, "formulation": "plane_strain"}


def _layer(cell: dict, dimension: int = 2) -> dict:
    """The homogeneous layer under a plate: a 2D strip, or the 3D film box (dimension 3)."""
    section = STRIP if dimension == 2 else {}
    centre = ["0.25 um", "0.5 um"] if dimension == 2 else ["0.25 um", "0.25 um", "0.5 um"]
    return study(
        geometry={"type": "film", "thickness": H, "width": 0.5e-6, "mesh_size": "0.25 um"}
        | section,
        materials={
            "film": {
                "base": "amorphous_silicon",
                "youngs_modulus": E,
                "poissons_ratio": NU,
                "diffusivity": "1e-6 m^2/s",
            }
        },
        physics={"mechanics": "small_strain", "displacement_degree": 1},
        cell=cell,
        protocol=[
            {"preload": {"pressure": "50 MPa", "increments": 2}},
            {"hold": {"surface_soc": SOC, "duration": "0.3 s"}},
        ],
        time={"initial_step": "0.1 s", "max_step": "0.1 s", "max_soc_change": 1.0},
        outputs={"every": 0, "figures": False, "probes": {"centre": centre}},
        solver={"mechanics": {"rtol": 1e-12, "atol": 1e-14, "ksp_rtol": 1e-13}},
    )


def _run(run_study, cell: dict, dimension: int = 2) -> tuple[dict, dict, float]:
    """The preloaded and the final row, and the swelling e* actually reached."""
    result = run_study(_layer(cell, dimension))
    assert result.status == "completed"
    preloaded = next(r for r in result.rows if r["protocol_kind"] == "preload" and r["step"] == 2)
    final = result.rows[-1]
    e_star = OMEGA * final["soc"] * C_MAX / 3
    assert e_star == pytest.approx(0.01, rel=1e-6)
    return preloaded, final, e_star


def _stiffness_and_swelling(lateral: str, e_star: float) -> tuple[float, float]:
    """The layer's thickness modulus S and its free thickness swelling (module docstring)."""
    if lateral == "confined":
        return M, e_star * (1 + NU) / (1 - NU)
    return E_PLANE, e_star * (1 + NU)


def test_confined_strip_under_stack_pressure_is_the_oedometer(run_study):
    preloaded, final, e = _run(run_study, {"plate": "stack_pressure"})
    # The preload alone: the uniaxial-strain closed form w = -P H (1+ν)(1-2ν)/(E(1-ν)).
    w_closed = -P0 * H * (1 + NU) * (1 - 2 * NU) / (E * (1 - NU))
    assert preloaded["stack_pressure_Pa"] == pytest.approx(P0, rel=TOL)
    assert preloaded["plate_displacement_m"] == pytest.approx(w_closed, rel=TOL)
    assert preloaded["probe.centre.syy_Pa"] == pytest.approx(-P0, rel=TOL)
    assert preloaded["probe.centre.sxx_Pa"] == pytest.approx(-NU * P0 / (1 - NU), rel=TOL)
    assert preloaded["probe.centre.szz_Pa"] == pytest.approx(-NU * P0 / (1 - NU), rel=TOL)
    # Swollen under the same force: the 3D oedometer's numbers (σ_xx = -307.14 MPa).
    assert final["stack_pressure_Pa"] == pytest.approx(P0, rel=TOL)
    eps = -P0 / M + e * (1 + NU) / (1 - NU)
    assert final["plate_displacement_m"] / H == pytest.approx(eps, rel=TOL)
    assert final["electrode_thickness_m"] == pytest.approx(H * (1 + eps), rel=1e-9)
    assert final["probe.centre.sxx_Pa"] == pytest.approx(-(NU * P0 + E * e) / (1 - NU), rel=TOL)


def test_free_strip_under_stack_pressure_is_in_plane_strain_uniaxial_stress(run_study):
    preloaded, final, e = _run(run_study, {"plate": "stack_pressure", "lateral": "free"})
    # The preload alone: w = -P H (1-ν²)/E (σ_xx = 0, ε_zz = 0).
    w_closed = -P0 * H * (1 - NU**2) / E
    assert preloaded["plate_displacement_m"] == pytest.approx(w_closed, rel=TOL)
    assert final["stack_pressure_Pa"] == pytest.approx(P0, rel=TOL)
    assert final["plate_displacement_m"] / H == pytest.approx(
        -P0 * (1 - NU**2) / E + e * (1 + NU), rel=TOL
    )
    assert abs(final["probe.centre.sxx_Pa"]) < TOL * P0
    assert final["probe.centre.syy_Pa"] == pytest.approx(-P0, rel=TOL)
    assert final["probe.centre.szz_Pa"] == pytest.approx(-NU * P0 - E * e, rel=TOL)


@pytest.mark.parametrize("lateral", ["confined", "free"])
def test_fixed_gap_strip_reports_the_load_cell_pressure(run_study, lateral):
    preloaded, final, e_star = _run(run_study, {"plate": "fixed_gap", "lateral": lateral})
    assert final["plate_displacement_m"] == pytest.approx(
        preloaded["plate_displacement_m"], rel=1e-9
    )
    stiffness, e = _stiffness_and_swelling(lateral, e_star)
    assert final["stack_pressure_Pa"] == pytest.approx(P0 + stiffness * e, rel=TOL)
    if lateral == "confined":  # every strain held: the pressure rises by 3K e* = M e_c
        assert stiffness * e == pytest.approx(3 * K * e_star, rel=1e-12)
        assert final["probe.centre.sxx_Pa"] == pytest.approx(
            -NU * P0 / (1 - NU) - 3 * K * e_star, rel=TOL
        )


@pytest.mark.parametrize(("lateral", "kh_over_s"), [("confined", 0.5), ("free", 4.0)])
def test_fixture_spring_in_series_with_the_strip(run_study, lateral, kh_over_s):
    stiffness, _ = _stiffness_and_swelling(lateral, 0.01)
    k = kh_over_s * stiffness / H
    cell = {"plate": "fixture_stiffness", "fixture_stiffness": k, "lateral": lateral}
    _, final, e_star = _run(run_study, cell)
    _, e = _stiffness_and_swelling(lateral, e_star)
    eps = e / (1 + kh_over_s) - P0 / stiffness
    assert final["plate_displacement_m"] / H == pytest.approx(eps, rel=TOL)
    rise = (eps + P0 / stiffness) * H  # the plate's rise since the preload
    assert final["stack_pressure_Pa"] == pytest.approx(P0 + k * rise, rel=TOL)


def test_strip_and_box_give_the_same_confined_layer(run_study):
    """The 2D strip and the 3D film box of one layer, confined: the same uniaxial strain."""
    strip = _run(run_study, {"plate": "stack_pressure"}, dimension=2)
    box = _run(run_study, {"plate": "stack_pressure"}, dimension=3)
    for row_2d, row_3d in zip(strip[:2], box[:2], strict=True):
        for column in ("plate_displacement_m", "stack_pressure_Pa", "electrode_thickness_m"):
            assert row_2d[column] == pytest.approx(row_3d[column], rel=TOL), column
    assert strip[0]["plate_displacement_m"] / H == pytest.approx(-P0 / M, rel=TOL)
