"""A laterally confined layer under a rigid plate: the oedometer, all three plate conditions.

Reference: the laterally confined layer of linear elasticity (the oedometer; Hooke's law with
ε_xx = ε_yy = 0, Timoshenko & Goodier, Theory of Elasticity, 3rd ed., 1970, §6; M below is
the constrained modulus). A homogeneous layer (film, no substrate) stands on the die floor
between die walls; the plate first applies the preload P, then the layer swells uniformly by
e* = Ω c / 3 (a potentiostatic hold with a diffusivity so large that c is uniform after one
step). With M = E(1-ν)/((1+ν)(1-2ν)), K = E/(3(1-2ν)):

(i)   stack pressure P: σ_zz = -P, σ_xx = -(νP + E e*)/(1-ν), ε_zz = -P/M + e*(1+ν)/(1-ν)
      (E = 20 GPa, ν = 0.3, P = 50 MPa, e* = 0.01: σ_xx = -307.14 MPa, ε_zz = 0.016714);
(ii)  fixed gap after preload P0: σ_zz = -P0 - 3K e*, σ_xx = -νP0/(1-ν) - 3K e*;
(iii) spring k_s on the plate: ε_zz = [e*(1+ν)/(1-ν)]/(1 + k_s h/M) - P0/M.

A homogeneous state is exact on any mesh: the tolerance is the solver's.
"""

from __future__ import annotations

import pytest

from tests.conftest import study

E, NU, P0, H = 20e9, 0.3, 50e6, 1e-6
OMEGA, C_MAX = 8.9e-6, 3.11e5
M = E * (1 - NU) / ((1 + NU) * (1 - 2 * NU))
K = E / (3 * (1 - 2 * NU))
SOC = 0.03 / (OMEGA * C_MAX)  # e* = Ω c / 3 = 0.01
TOL = 1e-6


def _oedometer(cell: dict) -> dict:
    return study(
        geometry={"type": "film", "thickness": H, "width": 0.5e-6, "mesh_size": "0.25 um"},
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
        outputs={"every": 0, "figures": False, "probes": {"centre": ["0.25 um"] * 2 + ["0.5 um"]}},
        solver={"mechanics": {"rtol": 1e-12, "atol": 1e-14, "ksp_rtol": 1e-13}},
    )


def _final(run_study, cell: dict) -> tuple[dict, dict, float]:
    result = run_study(_oedometer(cell))
    assert result.status == "completed"
    preloaded = next(r for r in result.rows if r["protocol_kind"] == "preload" and r["step"] == 2)
    final = result.rows[-1]
    e_star = OMEGA * final["soc"] * C_MAX / 3  # the swelling actually reached
    assert e_star == pytest.approx(0.01, rel=1e-6)
    return preloaded, final, e_star


def test_preload_compresses_the_layer_by_p_over_m(run_study):
    preloaded, _, _ = _final(run_study, {"plate": "stack_pressure"})
    assert preloaded["stack_pressure_Pa"] == pytest.approx(P0, rel=TOL)
    assert preloaded["plate_displacement_m"] / H == pytest.approx(-P0 / M, rel=TOL)
    assert preloaded["probe.centre.sxx_Pa"] == pytest.approx(-NU * P0 / (1 - NU), rel=TOL)


def test_stack_pressure_plate(run_study):
    _, final, e = _final(run_study, {"plate": "stack_pressure"})
    assert final["stack_pressure_Pa"] == pytest.approx(P0, rel=TOL)
    assert final["probe.centre.szz_Pa"] == pytest.approx(-P0, rel=TOL)
    assert final["probe.centre.sxx_Pa"] == pytest.approx(-(NU * P0 + E * e) / (1 - NU), rel=TOL)
    eps_zz = -P0 / M + e * (1 + NU) / (1 - NU)
    assert final["plate_displacement_m"] / H == pytest.approx(eps_zz, rel=TOL)
    assert final["electrode_thickness_m"] == pytest.approx(H * (1 + eps_zz), rel=1e-9)
    assert final["electrode_volume_change"] == pytest.approx(eps_zz, rel=TOL)
    # The numbers of the module docstring (E = 20 GPa, ν = 0.3, P = 50 MPa) at e* = 0.01 exactly.
    assert -(NU * P0 + E * 0.01) / (1 - NU) == pytest.approx(-307.14e6, rel=1e-5)
    assert -P0 / M + 0.01 * (1 + NU) / (1 - NU) == pytest.approx(0.016714, rel=1e-4)


def test_fixed_gap_plate_reports_the_load_cell_pressure(run_study):
    preloaded, final, e = _final(run_study, {"plate": "fixed_gap"})
    assert final["plate_displacement_m"] == pytest.approx(
        preloaded["plate_displacement_m"], rel=1e-9
    )
    assert final["stack_pressure_Pa"] == pytest.approx(P0 + 3 * K * e, rel=TOL)
    assert final["probe.centre.szz_Pa"] == pytest.approx(-P0 - 3 * K * e, rel=TOL)
    assert final["probe.centre.sxx_Pa"] == pytest.approx(-NU * P0 / (1 - NU) - 3 * K * e, rel=TOL)


@pytest.mark.parametrize("ks_h_over_m", [0.5, 4.0])
def test_fixture_spring_between_the_limits(run_study, ks_h_over_m):
    k_s = ks_h_over_m * M / H
    _, final, e = _final(run_study, {"plate": "fixture_stiffness", "fixture_stiffness": k_s})
    eps_zz = e * (1 + NU) / (1 - NU) / (1 + ks_h_over_m) - P0 / M
    assert final["plate_displacement_m"] / H == pytest.approx(eps_zz, rel=TOL)
    # The spring's force is the plate's: P0 plus k_s times the rise since the preload.
    rise = (eps_zz + P0 / M) * H
    assert final["stack_pressure_Pa"] == pytest.approx(P0 + k_s * rise, rel=TOL)


def test_laterally_free_layer_under_a_plate_is_uniaxial(run_study):
    """Without die walls (``lateral: free``) the layer under the plate is in uniaxial stress:
    σ_zz = -P, σ_xx = σ_yy = 0, ε_zz = -P/E + e* and the lateral strain νP/E + e*
    (Hooke's law with an isotropic eigenstrain)."""
    result = run_study(_oedometer({"plate": "stack_pressure", "lateral": "free"}))
    assert result.status == "completed"
    final = result.rows[-1]
    e = OMEGA * final["soc"] * C_MAX / 3
    assert final["probe.centre.szz_Pa"] == pytest.approx(-P0, rel=TOL)
    assert abs(final["probe.centre.sxx_Pa"]) < TOL * P0
    assert final["plate_displacement_m"] / H == pytest.approx(-P0 / E + e, rel=TOL)
    # Small strain: the volume change is tr ε = 2 (νP/E + e*) + (-P/E + e*).
    assert final["electrode_volume_change"] == pytest.approx(
        2 * (NU * P0 / E + e) + (-P0 / E + e), rel=TOL
    )
