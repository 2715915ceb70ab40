"""Butler-Volmer surface kinetics with the electrode potential as a global unknown.

References (closed forms; Newman & Thomas-Alyea, Electrochemical Systems, 2004, §8):
- With fast diffusion (D = 1e-12 m²/s on a 1 µm particle: R²/D = 1 s) the concentration is
  uniform, the imposed galvanostatic current density i = -F j is uniform over the surface, and
  with α_a = α_c = 1/2 the potential is φ = U(x) + Ωσ_h/F + (2RT/F) asinh(i / (2 i0(x))),
  i0 = k0 · 2 sqrt(x(1 - x)), x the surface SOC.
- At rest (no current) φ = U(x) + Ωσ_h/F: the open-circuit potential.
- A free particle has σ_h = 0; under an external pressure p with uniform c, σ_h = -p, so the
  potential is lower by Ωp/F (the stress-induced shift; Sheldon et al., J. Electrochem. Soc.
  158 (2011) A1249).
- A potential hold at the open-circuit potential draws no current: the SOC stays put.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import study

R, T, FARADAY = 8.314462618, 298.15, 96485.33212
C_MAX, OMEGA, K0 = 3.11e5, 8.9e-6, 1.0
OCV = {"soc": [0, 0.5, 1], "value": ["0.6 V", "0.3 V", "0.05 V"]}


def ocv(x):
    return np.interp(x, [0, 0.5, 1], [0.6, 0.3, 0.05])


def bv_study(mechanics="none", pressure=None, coupled=False, hold=None):
    geometry = {"type": "sphere", "radius": "1 um", "symmetry": "octant", "mesh_size": "0.25 um"}
    if pressure is not None:
        geometry |= {"outer_boundary": "pressure", "outer_pressure": pressure}
    physics = {"mechanics": mechanics, "surface_kinetics": "butler_volmer"}
    if mechanics != "none":
        physics |= {"displacement_degree": 2, "stress_diffusion_coupling": coupled}
    return study(
        geometry=geometry,
        materials={
            "particle": {
                "base": "amorphous_silicon",
                "youngs_modulus": "80 GPa",
                "diffusivity": "1e-12 m^2/s",
                "open_circuit_potential": {"table": OCV},
                "exchange_current_density": f"{K0} A/m^2",
            }
        },
        physics=physics,
        protocol=[
            {"lithiate": {"c_rate": 1, "duration": "300 s"}},
            {"rest": {"duration": "60 s"}},
            {"hold": {"potential": hold or "0.55 V", "duration": "60 s"}},
        ],
        time={"initial_step": "10 s", "max_step": "30 s"},
        outputs={"every": 0, "figures": False},
        solver={"diffusion": {"rtol": 1e-10, "atol": 1e-14}},
    )


def expected_potential(row, sigma_h=0.0):
    x = row["surface_c_max_mol_m3"] / C_MAX
    current = -FARADAY * row["inward_flux_mol_m2_s"]
    i0 = K0 * 2 * np.sqrt(x * (1 - x))
    eta = 2 * R * T / FARADAY * np.arcsinh(current / (2 * i0))
    return ocv(x) + OMEGA * sigma_h / FARADAY + eta


def test_galvanostatic_and_rest_potentials_match_the_closed_form(run_study):
    rows = run_study(bv_study()).rows
    lithiate = [r for r in rows if r["protocol_kind"] == "lithiate"]
    rest = [r for r in rows if r["protocol_kind"] == "rest"]
    # the global unknown makes the total current the imposed one: SOC rises at 1C exactly
    assert lithiate[-1]["soc"] == pytest.approx(300 / 3600, rel=1e-9)
    for row in lithiate[3:]:  # c uniform to < 0.1 % after a few R²/D
        # measured 3e-6 V (the residual non-uniformity of c)
        assert row["electrode_potential_V"] == pytest.approx(expected_potential(row), abs=2e-5)
    assert rest[-1]["electrode_potential_V"] == pytest.approx(expected_potential(rest[-1]), 1e-6)


def test_stress_shifts_the_potential_by_omega_sigma_h_over_f(run_study):
    free = run_study(bv_study("small_strain")).rows
    pressed = run_study(bv_study("small_strain", pressure="500 MPa")).rows
    shift = -OMEGA * 500e6 / FARADAY  # -46.1 mV
    for a, b in zip(free[3:], pressed[3:], strict=True):
        if a["protocol_kind"] == "hold":
            continue
        difference = b["electrode_potential_V"] - a["electrode_potential_V"]
        assert difference == pytest.approx(shift, rel=1e-6), a["step"]  # measured 1e-12


def test_coupled_monolithic_with_kinetics_and_a_hold_at_the_ocv(run_study):
    # Monolithic (θ, u, s, φ) under pressure: c stays uniform (the null test) while lithiating,
    # the rest potential is U(x) - Ωp/F, and a hold at that potential keeps the SOC.
    rows = run_study(bv_study("small_strain", pressure="500 MPa", coupled=True)).rows
    rest = [r for r in rows if r["protocol_kind"] == "rest"][-1]
    assert rest["electrode_potential_V"] == pytest.approx(
        expected_potential(rest, -500e6), abs=1e-6
    )
    assert rest["surface_c_max_mol_m3"] == pytest.approx(rest["surface_c_min_mol_m3"], rel=1e-6)
    held = run_study(
        bv_study("small_strain", "500 MPa", True, hold=f"{rest['electrode_potential_V']} V")
    ).rows
    hold = [r for r in held if r["protocol_kind"] == "hold"]
    assert hold[-1]["soc"] == pytest.approx(rest["soc"], abs=1e-7)
