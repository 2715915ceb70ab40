"""Diffusion-induced stress in a free elastic sphere under galvanostatic and potentiostatic
lithiation.

References: Cheng & Verbrugge, J. Power Sources 190 (2009) 453; Zhang, Shyy & Sastry,
J. Electrochem. Soc. 154 (2007) A910; Crank, The Mathematics of Diffusion, 2nd ed. (1975),
eq. 6.18-6.20.
The reference values are computed in tests/support/analytic.py from the series solutions:
galvanostatic at τ = 0.1: centre σ = 0.053360 S, surface σ_θ = -0.062254 S, c(R) = 0.48676 C;
potentiostatic at τ = 0.05: surface σ_θ = -0.13102 S_p.
"""

from __future__ import annotations

import pytest

from tests.conftest import study
from tests.support.analytic import (
    galvanostatic_concentration,
    potentiostatic_concentration,
    sphere_stresses,
)

FARADAY = 96485.33212
R, D, E, NU = 1e-6, 1e-16, 100e9, 0.25
J = 1e-5  # mol/m²/s, so C = J R / D = 1e5 mol/m³


def _particle(omega: float) -> dict:
    return {
        "base": "amorphous_silicon",
        "youngs_modulus": f"{E / 1e9} GPa",
        "poissons_ratio": NU,
        "partial_molar_volume": f"{omega} m^3/mol",
        "diffusivity": f"{D} m^2/s",
        "max_concentration": "1e6 mol/m^3",
    }


def _galvanostatic(mechanics: str, omega: float) -> dict:
    return study(
        geometry={"type": "sphere", "radius": R, "symmetry": "octant", "mesh_size": 0.1 * R},
        materials={"particle": _particle(omega)},
        physics={"mechanics": mechanics, "displacement_degree": 2},
        protocol=[{"lithiate": {"current_density": J * FARADAY, "duration": 0.1 * R**2 / D}}],
        time={"initial_step": "20 s", "max_step": "20 s"},
        outputs={
            "every": 0,
            "figures": False,
            "probes": {"centre": [0, 0, 0], "surface": [R, 0, 0]},
        },
    )


@pytest.mark.parametrize(("mechanics", "omega"), [("small_strain", 1e-6), ("finite_strain", 1e-9)])
def test_galvanostatic_sphere_at_tau_0_1(run_study, mechanics, omega):
    result = run_study(_galvanostatic(mechanics, omega))
    assert result.status == "completed"
    final = result.rows[-1]
    assert final["time_s"] == pytest.approx(0.1 * R**2 / D, rel=1e-12)
    S = omega * E * J * R / (D * (1 - NU))
    C = J * R / D
    profile = lambda s: galvanostatic_concentration(s, 0.1)  # noqa: E731
    centre_ref = sphere_stresses(profile, 0.0)[0] / 3 * S  # 0.053360 S
    hoop_ref = sphere_stresses(profile, 1.0)[1] / 3 * S  # -0.062254 S
    assert centre_ref / S == pytest.approx(0.053360, abs=2e-6)
    assert hoop_ref / S == pytest.approx(-0.062254, abs=2e-6)
    for key in ("sxx", "syy", "szz"):
        assert abs(final[f"probe.centre.{key}_Pa"] - centre_ref) < 0.01 * S
    for key in ("syy", "szz"):
        assert abs(final[f"probe.surface.{key}_Pa"] - hoop_ref) < 0.01 * S
    assert abs(final["probe.surface.sxx_Pa"]) < 0.01 * S  # σ_r(R) = 0
    c_surface = galvanostatic_concentration(1.0, 0.1)[0] * C  # 0.48676 C
    assert abs(final["probe.surface.c_mol_m3"] - c_surface) < 0.01 * C
    # Galvanostatic mass balance: SOC rises by 3 J t / (R c_max) on the faceted mesh to 1 %.
    assert final["soc"] == pytest.approx(3 * J * 1000.0 / (R * 1e6), rel=0.01)


def test_potentiostatic_sphere_at_tau_0_05(run_study):
    held_soc = 0.1
    c_max = 1e6
    tree = study(
        geometry={
            "type": "sphere",
            "radius": R,
            "symmetry": "octant",
            "mesh_size": 0.1 * R,
            "surface_mesh_size": 0.04 * R,
        },
        materials={"particle": _particle(1e-6)},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        protocol=[{"hold": {"surface_soc": held_soc, "duration": 0.05 * R**2 / D}}],
        time={"initial_step": "2 s", "max_step": "20 s", "growth": 1.2},
        outputs={"every": 0, "figures": False, "probes": {"surface": [R, 0, 0]}},
    )
    result = run_study(tree)
    assert result.status == "completed"
    final = result.rows[-1]
    S_p = 1e-6 * E * held_soc * c_max / (1 - NU)
    profile = lambda s: potentiostatic_concentration(s, 0.05)  # noqa: E731
    hoop_ref = sphere_stresses(profile, 1.0)[1] / 3 * S_p  # -0.13102 S_p
    assert hoop_ref / S_p == pytest.approx(-0.13102, abs=1e-5)
    assert abs(final["probe.surface.syy_Pa"] - hoop_ref) < 0.01 * S_p
    assert final["probe.surface.c_mol_m3"] == pytest.approx(held_soc * c_max, rel=1e-9)
