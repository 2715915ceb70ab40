"""Finite-strain swelling, F = F_e F_s (Lee, J. Appl. Mech. 36 (1969) 1 for the multiplicative
split; Bower, Guduru & Sethuraman, JMPS 59 (2011) 804 for swelling Si).

Compressible neo-Hookean energy per unit intermediate volume, multiplied by J_s for the
reference volume (femsi's convention, stated in femsi/physics/elasticity.py):
- free uniform swelling: σ = 0, u = (J_s^(1/3) - 1) X, det F = J_s;
- rigid cavity: σ = -p I, p = J_s [μ (1 - J_s^(-2/3)) + λ ln J_s];
  E = 80 GPa, ν = 0.22, J_s = 4: p = 221.95 GPa (F = I in the energy above);
- small-strain limit: p -> 3K (J_s^(1/3) - 1) as J_s -> 1.
"""

from __future__ import annotations

import math

import pytest

from tests.conftest import study
from tests.support.analytic import rigid_cavity_pressure

R, E, NU = 1e-6, 80e9, 0.22


def swelling_study(js: float, outer: str, mechanics: str = "finite_strain") -> dict:
    # Ω c_max = js - 1 with c_max = 1e5 mol/m³, uniform SOC 1, stress free at SOC 0.
    omega = (js - 1) / 1e5
    return study(
        geometry={
            "type": "sphere",
            "radius": R,
            "symmetry": "octant",
            "mesh_size": 0.34 * R,
            "outer_boundary": outer,
        },
        materials={
            "particle": {
                "base": "amorphous_silicon",
                "youngs_modulus": "80 GPa",
                "poissons_ratio": NU,
                "partial_molar_volume": omega,
                "max_concentration": 1e5,
                "initial_soc": 1.0,
                "stress_free_soc": 0.0,
            }
        },
        physics={"mechanics": mechanics, "displacement_degree": 2, "diffusion": False},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
        outputs={
            "every": 0,
            "figures": False,
            "probes": {
                "centre": [0, 0, 0],
                "surface": [R, 0, 0],
                "inside": [0.4 * R, 0.3 * R, 0.2 * R],
            },
        },
    )


def test_free_swelling_js_4_is_stress_free(run_study):
    result = run_study(swelling_study(4.0, "free"))
    initial, final = result.rows[0], result.rows[-1]
    assert final["particle.max_von_mises_Pa"] < 1e-6 * E
    assert abs(final["particle.min_hydrostatic_Pa"]) < 1e-6 * E
    stretch = 4.0 ** (1 / 3) - 1
    assert final["probe.surface.ux_m"] == pytest.approx(stretch * R, rel=1e-8)
    assert final["probe.inside.uy_m"] == pytest.approx(stretch * 0.3 * R, rel=1e-8)
    # det F = J_s: the deformed volume is four times the reference (mesh) volume.
    reference_volume = initial["particle.volume_m3"] / 4.0  # the initial state is swollen
    assert final["particle.volume_m3"] == pytest.approx(4.0 * reference_volume, rel=1e-10)
    assert reference_volume == pytest.approx(4 / 3 * math.pi * R**3, rel=0.02)  # faceted sphere


def test_rigid_cavity_js_4(run_study):
    p = rigid_cavity_pressure(E, NU, 4.0)
    assert p / 1e9 == pytest.approx(221.95, abs=0.01)
    final = run_study(swelling_study(4.0, "fixed")).rows[-1]
    for probe in ("centre", "inside"):
        assert final[f"probe.{probe}.hydrostatic_Pa"] == pytest.approx(-p, rel=1e-8)
        assert final[f"probe.{probe}.von_mises_Pa"] < 1e-8 * p


@pytest.mark.parametrize("js", [1.001, 1.0001])
def test_small_strain_limit_of_the_cavity(run_study, js):
    K = E / (3 * (1 - 2 * NU))
    p_small = 3 * K * (js ** (1 / 3) - 1)
    finite = run_study(swelling_study(js, "fixed")).rows[-1]["probe.centre.hydrostatic_Pa"]
    small = run_study(swelling_study(js, "fixed", "small_strain")).rows[-1]
    # femsi's small strain uses ε* = Ω Δc / 3 = (J_s - 1)/3, the linearisation of J_s^(1/3) - 1.
    assert small["probe.centre.hydrostatic_Pa"] == pytest.approx(-K * (js - 1), rel=1e-8)
    assert -finite == pytest.approx(p_small, rel=3 * (js - 1))
    assert -finite == pytest.approx(-small["probe.centre.hydrostatic_Pa"], rel=3 * (js - 1))
