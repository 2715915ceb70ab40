"""A swelling layer under a plate with the rest of the cell stacked above it, in a die.

Reference: elastic layers in series between a die floor and a frame (the laterally confined
layer, Timoshenko & Goodier, Theory of Elasticity, 3rd ed., 1970, §6; springs in series). The
resolved body is the homogeneous film of ``test_verification_oedometer`` (thickness H,
constrained modulus M_b), preloaded to P0 and then swollen uniformly by e* = Ω c / 3, which
alone would grow it by H e* (1 + ν)/(1 - ν). Above its plate stand reduced layers i of
thickness tᵢ, constrained modulus Mᵢ and free strain fᵢ(n), n the lithium taken up per cell
area (n = c H for the uniformly filled film), and the frame of stiffness k_f. The frame
holds the total height, so the pressure rises by

    ΔP = [H e* (1 + ν)/(1 - ν) + Σ tᵢ fᵢ(n)] / [H / M_b + Σ tᵢ / Mᵢ + 1/k_f],

with f = -V n / t for a counter electrode of molar volume V and f = ε(s) for a cathode whose
state of charge s = N/P · n / (c_max H). With a rigid frame the cell's total thickness
(plate displacement plus the layers' change) stays where the preload left it. Without the
stack the rise is the oedometer's 3 K e* (its own test).

A homogeneous state is exact on any mesh: the tolerance is the solver's.
"""

from __future__ import annotations

import pytest

from tests.verification.test_verification_oedometer import (
    C_MAX,
    NU,
    OMEGA,
    P0,
    TOL,
    H,
    M,
    _oedometer,
)

# A 0.5 um separator pellet (E 24 GPa, ν 0.3), a cathode layer and a counter electrode.
PELLET = {
    "name": "pellet",
    "thickness": "0.5 um",
    "youngs_modulus": "24 GPa",
    "poissons_ratio": 0.3,
}
CATHODE_STRAIN = -0.06  # free thickness strain at cathode SOC 1 (linear from 0)
CATHODE = {
    "name": "cathode",
    "thickness": "0.8 um",
    "youngs_modulus": "100 GPa",
    "poissons_ratio": 0.25,
    "swelling": {
        "kind": "cathode",
        "np_ratio": 1.0,
        "thickness_strain": [[0, 0], [1, CATHODE_STRAIN]],
    },
}
# A tenth of lithium metal's 13.0 cm^3/mol, so that the film's growth still wins here.
LITHIUM_MOLAR_VOLUME = 1.3e-6
COUNTER = {
    "name": "lithium",
    "thickness": "2 um",
    "youngs_modulus": "4.9 GPa",
    "poissons_ratio": 0.36,
    "swelling": {"kind": "counter_electrode", "molar_volume": "1.3 cm^3/mol"},
}


RISE_RIGID = 45.24e6  # Pa: the closed form at e* = 0.01 with the layers above


def _m(e: float, nu: float) -> float:
    return e * (1 - nu) / ((1 + nu) * (1 - 2 * nu))


def _layer_terms(soc: float) -> tuple[float, float]:
    """(Σ tᵢ fᵢ(n), Σ tᵢ/Mᵢ) of the three layers at the film's SOC."""
    n = soc * C_MAX * H
    growth = 0.8e-6 * CATHODE_STRAIN * soc - LITHIUM_MOLAR_VOLUME * n
    compliance = 0.5e-6 / _m(24e9, 0.3) + 0.8e-6 / _m(100e9, 0.25) + 2e-6 / _m(4.9e9, 0.36)
    return growth, compliance


def _stacked(cell: dict) -> dict:
    """The oedometer's film and protocol with the three layers above its plate."""
    return _oedometer({"stack": [PELLET, CATHODE, COUNTER], **cell})


def _run(run_study, cell: dict) -> tuple[dict, dict, float]:
    result = run_study(_stacked(cell))
    assert result.status == "completed"
    preloaded = next(r for r in result.rows if r["protocol_kind"] == "preload" and r["step"] == 2)
    final = result.rows[-1]
    e_star = OMEGA * final["soc"] * C_MAX / 3
    assert e_star == pytest.approx(0.01, rel=1e-6)
    return preloaded, final, e_star


def _expected_rise(soc: float, e_star: float, frame_compliance: float = 0.0) -> float:
    growth, compliance = _layer_terms(soc)
    body_growth = H * e_star * (1 + NU) / (1 - NU)
    return (body_growth + growth) / (H / M + compliance + frame_compliance)


def test_fixed_gap_stack_in_series_with_a_rigid_frame(run_study):
    preloaded, final, e = _run(run_study, {"plate": "fixed_gap"})
    rise = _expected_rise(final["soc"], e)
    assert final["stack_pressure_Pa"] == pytest.approx(P0 + rise, rel=TOL)
    # The stack takes most of the swelling: far below the dense die's 3 K e* (500 MPa here).
    assert rise == pytest.approx(RISE_RIGID, rel=1e-3)
    # A rigid frame holds the cell's total thickness from the end of the preload on.
    assert final["cell_thickness_change_m"] == pytest.approx(
        preloaded["cell_thickness_change_m"], abs=1e-9 * H
    )
    # Each layer's thickness: t (1 + f(n) - P/M).
    n = final["soc"] * C_MAX * H
    pressure = final["stack_pressure_Pa"]
    assert final["stack.lithium.thickness_m"] == pytest.approx(
        2e-6 - LITHIUM_MOLAR_VOLUME * n - 2e-6 * pressure / _m(4.9e9, 0.36), rel=1e-9
    )
    assert final["stack.cathode.soc"] == pytest.approx(final["soc"], rel=1e-9)
    assert final["stack.pellet.thickness_m"] == pytest.approx(
        0.5e-6 * (1 - pressure / _m(24e9, 0.3)), rel=1e-9
    )


def test_a_load_cell_of_finite_stiffness_adds_its_compliance(run_study):
    k_frame = 2.0 * M / H
    _, final, e = _run(run_study, {"plate": "fixed_gap", "load_cell_stiffness": k_frame})
    rise = _expected_rise(final["soc"], e, 1.0 / k_frame)
    assert final["stack_pressure_Pa"] == pytest.approx(P0 + rise, rel=TOL)


def test_fixture_spring_is_the_frame_of_the_stack(run_study):
    k_frame = 0.5 * M / H
    _, final, e = _run(run_study, {"plate": "fixture_stiffness", "fixture_stiffness": k_frame})
    rise = _expected_rise(final["soc"], e, 1.0 / k_frame)
    assert final["stack_pressure_Pa"] == pytest.approx(P0 + rise, rel=TOL)


def test_constant_pressure_reports_the_cell_thickness_change(run_study):
    preloaded, final, e = _run(run_study, {"plate": "stack_pressure"})
    assert final["stack_pressure_Pa"] == pytest.approx(P0, rel=TOL)
    growth, _ = _layer_terms(final["soc"])
    body_growth = H * e * (1 + NU) / (1 - NU)
    change = final["cell_thickness_change_m"] - preloaded["cell_thickness_change_m"]
    assert change == pytest.approx(body_growth + growth, rel=TOL)
