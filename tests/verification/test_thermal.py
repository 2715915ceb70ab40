"""Thermal strain α (T - T_ref) against closed forms.

- A thin film bonded to a thick substrate at a uniform ΔT carries the equibiaxial stress
  σ = -E_f (α_f - α_s) ΔT / (1 - ν_f) away from its edges (Freund & Suresh, Thin Film
  Materials, 2003, eq. 2.2 with the thermal mismatch strain (α_f - α_s) ΔT). Here the
  substrate is made stiff (E_s = 10⁴ E_f), so that the film's force does not strain it.
- A sphere in a concentric shell with the eigenstrain mismatch (α_1 - α_2) ΔT: the uniform
  particle pressure of Eshelby's inclusion in a Lamé shell (Eshelby, Proc. R. Soc. A 241
  (1957) 376), the same closed form as the swelling shell (tests/support/analytic.py), since
  a uniform α_2 ΔT everywhere is stress free in a shell with a free outer surface.
- Superposition: at small strain the reported thermal part of the stress (a solve at T_ref)
  does not depend on the swelling stress it is added to.
"""

from __future__ import annotations

import pytest

from tests.conftest import study
from tests.support.analytic import eshelby_pressure
from tests.verification.test_verification_shell import NU1, NU2, shell_study

AXI = {"dimension": 2, "formulation": "axisymmetric"}
T_REF, T_HOT = 298.15, 333.15  # assembly at 25 °C, cycling at 60 °C


def film_study(alpha_film: float, alpha_substrate: float, swelling: bool = False) -> dict:
    """An a-Si film (0.1 um) on a stiff substrate (0.3 um), 2 um square, sides free."""
    return study(
        geometry={
            "type": "film",
            "thickness": "0.1 um",
            "substrate_thickness": "0.3 um",
            "width": "2 um",
            "mesh_size": "0.1 um",
        },
        materials={
            "film": {
                "base": "amorphous_silicon",
                "youngs_modulus": "80 GPa",
                "poissons_ratio": 0.22,
                "thermal_expansion": alpha_film,
                "initial_soc": 0.1 if swelling else 0.0,
                "stress_free_soc": 0.0,
            },
            "substrate": {
                "base": "llzo",
                "youngs_modulus": "800 TPa",
                "thermal_expansion": alpha_substrate,
            },
        },
        physics={"mechanics": "small_strain", "displacement_degree": 1, "diffusion": False},
        cell={"lateral": "free"},
        thermal={"reference_temperature": T_REF},
        protocol=[{"rest": {"duration": "40 s", "temperature": T_HOT}}],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 0, "figures": False, "probes": {"centre": ["1 um", "1 um", "0.35 um"]}},
        solver={"mechanics": {"linear_solver": "direct", "rtol": 1e-12, "atol": 1e-14}},
    )


def biaxial_stress(alpha_film: float, alpha_substrate: float, delta_t: float) -> float:
    """σ = -E_f (α_f - α_s) ΔT / (1 - ν_f) of the bonded film."""
    return -80e9 * (alpha_film - alpha_substrate) * delta_t / (1 - 0.22)


@pytest.mark.parametrize(("alpha_f", "alpha_s"), [(2.6e-6, 15.5e-6), (15.5e-6, 2.6e-6)])
def test_film_on_a_thick_substrate_follows_the_ramp(run_study, alpha_f, alpha_s):
    """a-Si (2.6e-6 /K) on LLZO-like α (15.5e-6 /K) heated by 35 K: +46.31 MPa tension; the
    reverse pair −46.31 MPa; the temperature is ramped linearly over the rest (rows at 10 s).
    The film is homogeneous away from its edges: one P1 layer through it is enough."""
    result = run_study(film_study(alpha_f, alpha_s))
    assert result.status == "completed", result.summary["message"]
    assert biaxial_stress(2.6e-6, 15.5e-6, 35.0) / 1e6 == pytest.approx(46.308, abs=1e-3)
    for row in result.rows[1:]:
        delta_t = row["temperature_K"] - T_REF
        assert delta_t == pytest.approx(35.0 * row["time_s"] / 40.0, rel=1e-12)
        expected = biaxial_stress(alpha_f, alpha_s, delta_t)
        # the far field at the film's centre (its edges are 10 thicknesses away)
        assert row["probe.centre.sxx_Pa"] == pytest.approx(expected, rel=3e-3)
        assert row["probe.centre.syy_Pa"] == pytest.approx(expected, rel=3e-3)
        assert abs(row["probe.centre.szz_Pa"]) < 3e-3 * abs(expected)


@pytest.mark.parametrize("mechanics", ["small_strain", "finite_strain"])
def test_sphere_in_shell_with_an_expansion_mismatch(run_study, mechanics):
    """α_1 = 15.5e-6, α_2 = 2.6e-6 /K, ΔT = 35 K: e* = 4.515e-4, p = 9.606 MPa (b/a = 2,
    free outer surface), uniform in the particle. At finite strain (F_θ = (1 + α ΔT) I) the
    pressure differs from the small-strain one by O(e*) = 0.05 %."""
    tree = shell_study("free", 2.0, 0.1, **AXI)
    tree["physics"]["mechanics"] = mechanics
    tree["outputs"]["probes"] = {"centre": [0, 0], "inside": [0.3e-6, 0.3e-6]}
    particle = tree["materials"]["particle"]
    particle |= {"initial_soc": 0.0, "thermal_expansion": 15.5e-6}
    tree["materials"]["matrix"]["thermal_expansion"] = 2.6e-6
    tree["thermal"] = {"reference_temperature": T_REF}
    tree["protocol"] = [{"rest": {"duration": "1 s", "temperature": T_HOT}}]
    e_star = (15.5e-6 - 2.6e-6) * 35.0
    p = eshelby_pressure(e_star, 80e9, NU1, 20e9, NU2, 2.0, "free")
    assert p / 1e6 == pytest.approx(9.606, abs=1e-3)
    result = run_study(tree)
    final = result.rows[-1]
    for probe in ("centre", "inside"):
        assert final[f"probe.{probe}.hydrostatic_Pa"] == pytest.approx(-p, rel=0.005)
    thermal = result.summary["thermal"]["thermal_stress_at_step_ends"][-1]
    particle_part = thermal["regions"]["particle"]
    assert particle_part["mean_hydrostatic_Pa"] == pytest.approx(-p, rel=0.005)


def test_thermal_part_of_the_stress_superposes_on_swelling(run_study):
    """Small strain: the thermal part reported with swelling equals the thermal-only stress."""
    alone = run_study(film_study(2.6e-6, 15.5e-6)).summary["thermal"]
    both = run_study(film_study(2.6e-6, 15.5e-6, swelling=True))
    assert both.rows[-1]["film.max_von_mises_Pa"] > 10 * abs(biaxial_stress(2.6e-6, 15.5e-6, 35))
    a = alone["thermal_stress_at_step_ends"][-1]["regions"]["film"]
    b = both.summary["thermal"]["thermal_stress_at_step_ends"][-1]["regions"]["film"]
    for key in ("mean_xx_Pa", "mean_yy_Pa", "mean_zz_Pa", "mean_hydrostatic_Pa"):
        assert b[key] == pytest.approx(a[key], rel=1e-6, abs=1e-6 * abs(a["mean_xx_Pa"]))


def test_materials_without_expansion_are_refused(tmp_path):
    """Thermal strain needs α for every region: the error names the region."""
    import femsi
    from femsi.errors import InputError

    tree = film_study(2.6e-6, 15.5e-6)
    tree["materials"]["substrate"] = {"base": "li6ps5cl"}  # no published α
    with pytest.raises(InputError, match="materials.substrate"):
        femsi.run(femsi.load_config(tree), tmp_path / "run", progress=False)
