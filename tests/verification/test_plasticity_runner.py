"""Plasticity through the YAML/runner: a laterally confined film lithiated and delithiated.

Reference (the elastic-perfectly plastic film on a substrate, Nix, Metall. Trans. A 20 (1989)
2217; the geometry of Sethuraman et al., J. Power Sources 195 (2010) 5062): a film between
die walls on
a rigid floor (ε_xx = ε_yy = 0, σ_zz = 0) with uniform swelling e* = Ω (c - c_ref)/3 has the
equibiaxial in-plane stress σ = -M_f e*, M_f = E/(1-ν), until |σ| = σ_Y, then a plateau at
-σ_Y; on reversal it unloads elastically over a swelling change of 2σ_Y/M_f, then flows at
+σ_Y. The thickness strain on the compressive plateau is ε_zz = 3e* - 2σ_Y(1-2ν)/E, and a
cycle 0 → e_max → 0 dissipates W_p = 2σ_Y(2e_max - 3σ_Y/M_f) per unit volume (α = W_p/σ_Y).
D = 1e-10 m²/s keeps c uniform to ~1e-8 (L²/(3600 s · D) with L = 100 nm), so the closed
forms hold at every quadrature point.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import study

E, NU, SY = 80e9, 0.22, 0.5e9
MF = E / (1 - NU)
OMEGA, C_MAX = 8.9e-6, 3.11e5
THICKNESS, WIDTH = 100e-9, 100e-9
DIRECT = {"linear_solver": "direct", "rtol": 1e-10, "atol": 1e-14}


def film_study(
    kinematics="small_strain", soc_max=0.02, soc_end=0.0, step=0.002, omega=OMEGA, sy=SY
):
    """The confined film cycled 0 → soc_max → soc_end at 1C with SOC steps of ``step``."""
    return study(
        geometry={
            "type": "film",
            "thickness": THICKNESS,
            "width": WIDTH,
            "mesh_size": 50e-9,
        },
        materials={
            "film": {
                "base": "amorphous_silicon",
                "youngs_modulus": E,
                "poissons_ratio": NU,
                "yield_stress": sy,
                "partial_molar_volume": omega,
                "diffusivity": "1e-10 m^2/s",
            }
        },
        physics={
            "mechanics": kinematics,
            "displacement_degree": 2,
            "constitutive": "elastoplastic",
            "plastic_regions": ["film"],
        },
        protocol=[
            {"lithiate": {"c_rate": 1, "until_soc": soc_max}},
            {"delithiate": {"c_rate": 1, "until_soc": soc_end}},
        ],
        time={"initial_step": "1 s", "max_step": "100 s", "max_soc_change": step},
        outputs={"every": 0, "figures": False},
        solver={"mechanics": DIRECT},
    )


def expected_stress(e_path: np.ndarray, sy: float = SY) -> np.ndarray:
    """The confined film's in-plane stress along a swelling path that rises, then falls."""
    peak = int(np.argmax(e_path))
    e_max = e_path[peak]
    loading = -np.minimum(MF * e_path, sy)
    unloading = np.minimum(-sy + MF * (e_max - e_path), sy)
    return np.where(np.arange(e_path.size) <= peak, loading, unloading)


def columns(result, *names):
    return [np.array([row[n] for row in result.rows]) for n in names]


def test_film_cycle_plateaus_reversal_thickness_and_plastic_work(run_study):
    result = run_study(film_study())
    assert result.status == "completed"
    soc, stress, alpha, work, thickness, newton = columns(
        result,
        "soc",
        "film.mean_inplane_stress_Pa",
        "film.max_equivalent_plastic_strain",
        "plastic_work_J",
        "electrode_thickness_m",
        "newton_mechanics",
    )
    e = OMEGA * C_MAX * soc / 3
    # plateaus at -σ_Y then +σ_Y, reversal over 2σ_Y/M_f: to solver tolerance
    np.testing.assert_allclose(stress, expected_stress(e), rtol=0, atol=1e-6 * SY)
    assert stress.min() == pytest.approx(-SY, rel=1e-6) and stress[-1] == pytest.approx(SY)
    # compressive plateau thickness strain 3e* - 2σ_Y(1-2ν)/E (small strain)
    peak = int(np.argmax(e))
    flowing = (e > SY / MF * 1.01) & (np.arange(e.size) <= peak)
    eps_zz = thickness[flowing] / THICKNESS - 1
    np.testing.assert_allclose(eps_zz, 3 * e[flowing] - 2 * SY * (1 - 2 * NU) / E, atol=1e-9)
    # plastic work and equivalent plastic strain of the cycle 0 -> e_max -> 0
    e_max = e.max()
    w_per_volume = 2 * SY * (2 * e_max - 3 * SY / MF)
    assert work[-1] == pytest.approx(w_per_volume * THICKNESS * WIDTH**2, rel=1e-6)
    assert alpha[-1] == pytest.approx(w_per_volume / SY, rel=1e-6)
    # Newton with the consistent tangent at rtol 1e-10, atol 1e-14: at most 5 iterations on
    # plastic steps (measured 3-5, as the operator-level test
    # tests/verification/test_plasticity_fe.py, which also checks the quadratic rate; a linearly
    # converging Newton would need > 10)
    plastic = np.diff(alpha, prepend=0.0) > 0
    assert plastic.sum() >= 5
    assert newton[plastic].max() <= 5


def test_step_size_independence_of_the_rate_independent_film(run_study):
    # Radial return is exact on proportional paths: SOC steps of 0.002 and 0.0007 give the
    # same state at the end to 1e-8 (relative; measured 2e-10); reference: the coarse run.
    coarse = run_study(film_study(step=0.002))
    fine = run_study(film_study(step=0.0007))
    assert len(fine.rows) > 2 * len(coarse.rows)
    for key in (
        "film.mean_inplane_stress_Pa",
        "film.max_equivalent_plastic_strain",
        "plastic_work_J",
        "electrode_thickness_m",
    ):
        assert fine.rows[-1][key] == pytest.approx(coarse.rows[-1][key], rel=1e-8), key


def test_small_and_finite_strain_agree_as_the_swelling_vanishes(run_study):
    # Ω / 100 and Ω / 1000 (e_max = 5.5e-3, 5.5e-4 at SOC 0.6) with σ_Y scaled alike (yield
    # at a third of e_max), cycled to SOC 0.1. Reference: the small-strain run. The
    # finite-strain Cauchy stress differs by O(e_max) relative to σ_Y (measured 4.3 e_max),
    # so 10x less swelling gives a ~10x smaller difference (first order, as the material
    # point test in tests/verification/test_plasticity_material_point.py).
    differences = []
    for factor in (100, 1000):
        omega, sy = OMEGA / factor, 0.2e9 * 100 / factor
        e_max = omega * C_MAX * 0.6 / 3
        stress = {
            k: columns(
                run_study(film_study(k, 0.6, 0.1, step=0.05, omega=omega, sy=sy)),
                "film.mean_inplane_stress_Pa",
            )[0]
            for k in ("small_strain", "finite_strain")
        }
        assert stress["small_strain"].min() == pytest.approx(-sy, rel=1e-6)
        difference = abs(stress["finite_strain"] - stress["small_strain"]).max() / sy
        assert 0 < difference < 5 * e_max
        differences.append(difference)
    assert 7 < differences[0] / differences[1] < 13


def test_viscoplastic_film_with_a_fast_rate_follows_the_rate_independent_film(run_study):
    # Bower-Guduru flow α̇ = ε̇₀ ⟨q/σ_Y - 1⟩^m with ε̇₀ = 1e8 1/s, m = 1, through the YAML
    # switch: on steps of ~7 s the overstress is σ_Y Δα/(ε̇₀ Δt) < 1e-10 σ_Y, so the
    # rate-independent loop of the module docstring holds to 1e-6 σ_Y (the first test's).
    tree = film_study()
    tree["physics"]["constitutive"] = "viscoplastic"
    tree["materials"]["film"] |= {"viscoplastic_rate": "1e8 1/s", "viscoplastic_exponent": 1}
    result = run_study(tree)
    soc, stress = columns(result, "soc", "film.mean_inplane_stress_Pa")
    e = OMEGA * C_MAX * soc / 3
    np.testing.assert_allclose(stress, expected_stress(e), rtol=0, atol=1e-6 * SY)
