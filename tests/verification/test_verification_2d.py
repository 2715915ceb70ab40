"""2D models (``geometry.dimension: 2``) against closed forms: axisymmetric and plane strain.

Axisymmetric (x = r, y = z, integrals weighted by 2πr) must reproduce the 3D references:
- the galvanostatic (τ = 0.1: centre σ = 0.053360 S, surface σ_θ = -0.062254 S,
  c(R) = 0.48676 C) and potentiostatic (τ = 0.05: surface σ_θ = -0.13102 S_p) sphere of
  test_verification_sphere (Cheng & Verbrugge, J. Power Sources 190 (2009) 453; Zhang, Shyy &
  Sastry, J. Electrochem. Soc. 154 (2007) A910; Crank, The Mathematics of Diffusion, 2nd ed.
  (1975), eq. 6.18-6.20), to 1 % of S, with the series of tests/support/analytic.py; SOC from
  the full sphere's capacity;
- the sphere in a shell of test_verification_shell (Eshelby, Proc. R. Soc. A 241 (1957) 376;
  Lamé; b/a = 2: free 212.766 MPa, fixed 326.409 MPa), to 0.5 %;
- finite strain, F = F_e F_s (test_verification_finite_strain): free swelling J_s = 4
  (σ = 0, u = (J_s^(1/3) - 1) X) and the rigid cavity (p = 221.95 GPa).

Plane strain (ε_zz = 0), a swelling cylinder (nanowire) of radius a, isotropic eigenstrain e*,
bonded in a cylindrical shell a < r < b (Lamé; derived here). With ε_zz = 0,
σ_rr = 2(λ+μ) ε̄ - 3K e* in the core for u = A r (ε_rr = ε_θθ = A): the core is uniform,
σ_rr = σ_θθ = -p, σ_zz = 2λ1 A - 3K1 e*, A = (3K1 e* - p) / (2(λ1+μ1)). The shell has
u = B r + C/r, σ_rr = 2(λ2+μ2) B - 2μ2 C/r². Conditions: σ_rr(a) = -p on both sides, A a =
B a + C/a, and σ_rr(b) = 0 (free) or u(b) = 0 (fixed); four linear equations for A, B, C, p.
A free cylinder (p = 0) has A = (1+ν) e*, σ_rr = σ_θθ = 0 and σ_zz = -E e*.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import study
from tests.support.analytic import (
    eshelby_pressure,
    galvanostatic_concentration,
    potentiostatic_concentration,
    rigid_cavity_pressure,
    sphere_stresses,
)
from tests.verification import test_verification_shell as shell
from tests.verification.test_verification_shell import E1, E2, E_STAR, NU1, NU2, A

FARADAY = 96485.33212
R, D, E, NU = 1e-6, 1e-16, 100e9, 0.25
J = 1e-5  # mol/m²/s, so C = J R / D = 1e5 mol/m³
AXI = {"dimension": 2, "formulation": "axisymmetric"}
PLANE = {"dimension": 2, "formulation": "plane_strain"}


def _particle(omega: float) -> dict:
    return {
        "base": "amorphous_silicon",
        "youngs_modulus": f"{E / 1e9} GPa",
        "poissons_ratio": NU,
        "partial_molar_volume": f"{omega} m^3/mol",
        "diffusivity": f"{D} m^2/s",
        "max_concentration": "1e6 mol/m^3",
    }


# ------------------------------------------------------------------ sphere, axisymmetric


@pytest.mark.parametrize(("mechanics", "omega"), [("small_strain", 1e-6), ("finite_strain", 1e-9)])
def test_axisymmetric_galvanostatic_sphere_at_tau_0_1(run_study, mechanics, omega):
    tree = study(
        geometry={"type": "sphere", "radius": R, "symmetry": "octant", "mesh_size": 0.1 * R} | AXI,
        materials={"particle": _particle(omega)},
        physics={"mechanics": mechanics, "displacement_degree": 2},
        protocol=[{"lithiate": {"current_density": J * FARADAY, "duration": 0.1 * R**2 / D}}],
        time={"initial_step": "20 s", "max_step": "20 s"},
        outputs={"every": 0, "figures": False, "probes": {"centre": [0, 0], "surface": [R, 0]}},
    )
    result = run_study(tree)
    assert result.status == "completed"
    final = result.rows[-1]
    S = omega * E * J * R / (D * (1 - NU))
    C = J * R / D
    profile = lambda s: galvanostatic_concentration(s, 0.1)  # noqa: E731
    centre_ref = sphere_stresses(profile, 0.0)[0] / 3 * S  # 0.053360 S
    hoop_ref = sphere_stresses(profile, 1.0)[1] / 3 * S  # -0.062254 S
    # (x, y, z) = (r, z, θ): at the equator syy is the meridional and szz the hoop stress.
    for key in ("sxx", "syy", "szz"):
        assert abs(final[f"probe.centre.{key}_Pa"] - centre_ref) < 0.01 * S
    for key in ("syy", "szz"):
        assert abs(final[f"probe.surface.{key}_Pa"] - hoop_ref) < 0.01 * S
    assert abs(final["probe.surface.sxx_Pa"]) < 0.01 * S
    c_surface = galvanostatic_concentration(1.0, 0.1)[0] * C  # 0.48676 C
    assert abs(final["probe.surface.c_mol_m3"] - c_surface) < 0.01 * C
    # The 2πr weight makes flux, capacity and SOC those of the whole sphere.
    assert final["soc"] == pytest.approx(3 * J * 1000.0 / (R * 1e6), rel=0.01)
    summary = result.summary
    assert summary["capacity_mol"] == pytest.approx(4 / 3 * math.pi * R**3 * 1e6, rel=0.01)
    assert summary["active_surface_area_m2"] == pytest.approx(4 * math.pi * R**2, rel=0.01)


def test_axisymmetric_potentiostatic_sphere_at_tau_0_05(run_study):
    held_soc, c_max = 0.1, 1e6
    tree = study(
        geometry={
            "type": "sphere",
            "radius": R,
            "symmetry": "octant",
            "mesh_size": 0.1 * R,
            "surface_mesh_size": 0.02 * R,
        }
        | AXI,
        materials={"particle": _particle(1e-6)},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        protocol=[{"hold": {"surface_soc": held_soc, "duration": 0.05 * R**2 / D}}],
        time={"initial_step": "2 s", "max_step": "20 s", "growth": 1.2},
        outputs={"every": 0, "figures": False, "probes": {"surface": [R, 0]}},
    )
    final = run_study(tree).rows[-1]
    S_p = 1e-6 * E * held_soc * c_max / (1 - NU)
    profile = lambda s: potentiostatic_concentration(s, 0.05)  # noqa: E731
    hoop_ref = sphere_stresses(profile, 1.0)[1] / 3 * S_p  # -0.13102 S_p
    assert hoop_ref / S_p == pytest.approx(-0.13102, abs=1e-5)
    assert abs(final["probe.surface.syy_Pa"] - hoop_ref) < 0.01 * S_p
    assert abs(final["probe.surface.szz_Pa"] - hoop_ref) < 0.01 * S_p
    assert final["probe.surface.c_mol_m3"] == pytest.approx(held_soc * c_max, rel=1e-9)


# ------------------------------------------------------------------ shells (sphere and cylinder)


def shell_study(formulation: dict, outer: str, b_over_a: float, mesh: float, degree: int = 2):
    """The 3D shell study of test_verification_shell as a 2D section (probes in 2D)."""
    tree = shell.shell_study(outer, b_over_a, mesh, degree, **formulation)
    tree["outputs"]["probes"] = {
        "centre": [0, 0],
        "inside": [0.3 * A, 0.3 * A],
        "interface": [A, 0],
    }
    return tree


@pytest.mark.parametrize(("outer", "reference_MPa"), [("free", 212.766), ("fixed", 326.409)])
def test_axisymmetric_shell_b_over_a_2(run_study, outer, reference_MPa):
    p = eshelby_pressure(E_STAR, E1, NU1, E2, NU2, 2.0, outer)
    assert p / 1e6 == pytest.approx(reference_MPa, abs=1e-3)
    final = run_study(shell_study(AXI, outer, 2.0, 0.1)).rows[-1]
    for probe in ("centre", "inside"):
        assert final[f"probe.{probe}.hydrostatic_Pa"] == pytest.approx(-p, rel=0.005)
        assert abs(final[f"probe.{probe}.von_mises_Pa"]) < 0.005 * p  # uniform, hydrostatic


def lame(E_, nu):
    """(λ, μ, K) of an isotropic solid."""
    mu = E_ / (2 * (1 + nu))
    lmbda = E_ * nu / ((1 + nu) * (1 - 2 * nu))
    return lmbda, mu, lmbda + 2 * mu / 3


def cylinder_in_shell(e_star, b_over_a=None, outer="free"):
    """Plane-strain swelling cylinder in a shell: (A, p, σ_zz of the core), a = 1.

    Unknowns (A, B, C, p) of the module docstring; ``b_over_a`` None is the free cylinder.
    """
    l1, m1, k1 = lame(E1, NU1)
    if b_over_a is None:
        A_ = 3 * k1 * e_star / (2 * (l1 + m1))
        return A_, 0.0, 2 * l1 * A_ - 3 * k1 * e_star
    l2, m2, _ = lame(E2, NU2)
    b = b_over_a
    rows = [
        [2 * (l1 + m1), 0, 0, 1],  # core: σ_rr(a) = -p
        [0, 2 * (l2 + m2), -2 * m2, 1],  # shell: σ_rr(a) = -p
        [1, -1, -1, 0],  # u continuous at a
        [0, 2 * (l2 + m2), -2 * m2 / b**2, 0] if outer == "free" else [0, b, 1 / b, 0],
    ]
    rhs = [3 * k1 * e_star, 0, 0, 0]
    A_, _, _, p = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return A_, p, 2 * l1 * A_ - 3 * k1 * e_star


def test_plane_strain_closed_form_limits():
    """The derived closed form: a free cylinder has σ_zz = -E e*, in-plane strain (1+ν) e*."""
    A_, p, szz = cylinder_in_shell(E_STAR)
    assert szz == pytest.approx(-E1 * E_STAR, rel=1e-12)
    assert A_ == pytest.approx((1 + NU1) * E_STAR, rel=1e-12)
    # A very thick free shell tends to the infinite-matrix limit, with a shell of any b/a
    # between the free and the fixed outer surface.
    p_free = cylinder_in_shell(E_STAR, 2.0, "free")[1]
    p_fixed = cylinder_in_shell(E_STAR, 2.0, "fixed")[1]
    assert 0 < p_free < p_fixed
    assert cylinder_in_shell(E_STAR, 1e4, "free")[1] == pytest.approx(
        cylinder_in_shell(E_STAR, 1e4, "fixed")[1], rel=1e-6
    )


def test_plane_strain_free_swelling_cylinder(run_study):
    tree = shell_study(PLANE, "free", 2.0, 0.15)
    tree["geometry"] = {
        "type": "sphere",
        "radius": A,
        "symmetry": "full",
        "mesh_size": 0.15 * A,
    } | PLANE
    tree["materials"] = {"particle": tree["materials"]["particle"]}
    tree["outputs"]["probes"] = {"centre": [0, 0], "top": [0, A], "bottom": [0, -A]}
    final = run_study(tree).rows[-1]
    A_, _, szz = cylinder_in_shell(E_STAR)
    assert final["probe.centre.szz_Pa"] == pytest.approx(szz, rel=1e-6)  # -E e* = -800 MPa
    for key in ("sxx", "syy", "sxy"):
        assert abs(final[f"probe.centre.{key}_Pa"]) < 1e-6 * E1 * E_STAR
    # The point constraints hold a vertex near the centre: compare a diameter's stretch.
    stretch = final["probe.top.uy_m"] - final["probe.bottom.uy_m"]
    assert stretch == pytest.approx(2 * A_ * A, rel=1e-6)


@pytest.mark.parametrize("outer", ["free", "fixed"])
def test_plane_strain_cylinder_in_shell(run_study, outer):
    A_, p, szz = cylinder_in_shell(E_STAR, 2.0, outer)
    final = run_study(shell_study(PLANE, outer, 2.0, 0.1)).rows[-1]
    for probe in ("centre", "inside"):
        assert final[f"probe.{probe}.sxx_Pa"] == pytest.approx(-p, rel=0.005)
        assert final[f"probe.{probe}.syy_Pa"] == pytest.approx(-p, rel=0.005)
        assert final[f"probe.{probe}.szz_Pa"] == pytest.approx(szz, rel=0.005)
    assert final["probe.interface.ux_m"] == pytest.approx(A_ * A, rel=0.005)


def test_plane_strain_core_stress_converges_at_second_order(run_study):
    """P1 displacement, fixed shell: the core pressure p converges at rate ~2 in h.

    (The nodal interface displacement is superconvergent and not monotone: measured errors
    2e-3, 8e-5, 1e-4 at h/a = 0.2, 0.1, 0.05; the core stress is the robust measure.)
    """
    _, p, _ = cylinder_in_shell(E_STAR, 2.0, "fixed")
    sizes = [0.2, 0.1, 0.05]
    errors = []
    for h in sizes:
        final = run_study(shell_study(PLANE, "fixed", 2.0, h, degree=1)).rows[-1]
        errors.append(abs(final["probe.centre.sxx_Pa"] + p) / p)
    rates = [
        math.log(errors[i] / errors[i + 1]) / math.log(sizes[i] / sizes[i + 1])
        for i in range(len(errors) - 1)
    ]
    assert errors[-1] < 0.002
    assert min(rates) > 1.5, (errors, rates)


# ------------------------------------------------------------------ finite strain, axisymmetric


def swelling_study(js: float, outer: str) -> dict:
    """A sphere (axisymmetric quarter) with uniform J_s, stress free at SOC 0."""
    return study(
        geometry={
            "type": "sphere",
            "radius": R,
            "symmetry": "octant",
            "mesh_size": 0.25 * R,
            "outer_boundary": outer,
        }
        | AXI,
        materials={
            "particle": {
                "base": "amorphous_silicon",
                "youngs_modulus": "80 GPa",
                "poissons_ratio": 0.22,
                "partial_molar_volume": (js - 1) / 1e5,
                "max_concentration": 1e5,
                "initial_soc": 1.0,
                "stress_free_soc": 0.0,
            }
        },
        physics={"mechanics": "finite_strain", "displacement_degree": 2, "diffusion": False},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
        outputs={
            "every": 0,
            "figures": False,
            "probes": {"centre": [0, 0], "surface": [R, 0], "inside": [0.4 * R, 0.3 * R]},
        },
    )


def test_axisymmetric_free_swelling_js_4_is_stress_free(run_study):
    result = run_study(swelling_study(4.0, "free"))
    initial, final = result.rows[0], result.rows[-1]
    assert final["particle.max_von_mises_Pa"] < 1e-6 * 80e9
    assert abs(final["particle.min_hydrostatic_Pa"]) < 1e-6 * 80e9
    stretch = 4.0 ** (1 / 3) - 1
    assert final["probe.surface.ux_m"] == pytest.approx(stretch * R, rel=1e-8)
    assert final["probe.inside.uy_m"] == pytest.approx(stretch * 0.3 * R, rel=1e-8)
    reference_volume = initial["particle.volume_m3"] / 4.0  # the initial state is swollen
    assert final["particle.volume_m3"] == pytest.approx(4.0 * reference_volume, rel=1e-10)
    assert reference_volume == pytest.approx(4 / 3 * math.pi * R**3, rel=0.01)


def test_axisymmetric_rigid_cavity_js_4(run_study):
    p = rigid_cavity_pressure(80e9, 0.22, 4.0)
    assert p / 1e9 == pytest.approx(221.95, abs=0.01)
    final = run_study(swelling_study(4.0, "fixed")).rows[-1]
    for probe in ("centre", "inside"):
        assert final[f"probe.{probe}.hydrostatic_Pa"] == pytest.approx(-p, rel=1e-8)
        assert final[f"probe.{probe}.von_mises_Pa"] < 1e-8 * p


# ------------------------------------------------------------------ plane-strain film strip


@pytest.mark.parametrize("lateral", ["confined", "free"])
def test_plane_strain_film_strip(run_study, lateral):
    """A uniformly swelling film (e* = 0.01) on the die floor, between die walls or not.

    Plane strain with walls (ε_xx = ε_zz = 0, σ_yy = 0) is the equibiaxially constrained film
    of the oedometer and plasticity tests (Hooke's law, Timoshenko & Goodier, 3rd ed., §6):
    σ_xx = σ_zz = -E e*/(1-ν), ε_yy = e*(1+ν)/(1-ν). Without walls
    (σ_xx = σ_yy = 0, ε_zz = 0): σ_zz = -E e*, ε_yy = (1+ν) e*. Homogeneous: exact on any mesh.
    """
    E_f, nu, H = 20e9, 0.3, 1e-6
    tree = study(
        geometry={"type": "film", "thickness": H, "width": 0.5e-6, "mesh_size": "0.25 um"} | PLANE,
        materials={
            "film": {
                "base": "amorphous_silicon",
                "youngs_modulus": E_f,
                "poissons_ratio": nu,
                "partial_molar_volume": "3e-7 m^3/mol",
                "max_concentration": "1e5 mol/m^3",
                "initial_soc": 1.0,
                "stress_free_soc": 0.0,
            }
        },
        physics={"mechanics": "small_strain", "displacement_degree": 1, "diffusion": False},
        cell={"lateral": lateral},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
        outputs={"every": 0, "figures": False, "probes": {"centre": ["0.25 um", "0.5 um"]}},
        solver={"mechanics": {"rtol": 1e-12, "atol": 1e-14, "ksp_rtol": 1e-13}},
    )
    final = run_study(tree).rows[-1]
    e = E_STAR
    if lateral == "confined":
        sxx = szz = -E_f * e / (1 - nu)
        eps_yy = e * (1 + nu) / (1 - nu)
    else:
        sxx, szz = 0.0, -E_f * e
        eps_yy = (1 + nu) * e
    scale = E_f * e
    assert final["probe.centre.sxx_Pa"] == pytest.approx(sxx, abs=1e-6 * scale)
    assert final["probe.centre.szz_Pa"] == pytest.approx(szz, abs=1e-6 * scale)
    assert abs(final["probe.centre.syy_Pa"]) < 1e-6 * scale
    assert final["electrode_thickness_m"] == pytest.approx(H * (1 + eps_yy), rel=1e-8)
    assert final["film.mean_inplane_stress_Pa"] == pytest.approx((sxx + szz) / 2, rel=1e-6)


# ------------------------------------------------------------------ plasticity in 2D


def test_plane_strain_plastic_film_strip_matches_section_5(run_study):
    """The confined plastic film (tests/verification/test_plasticity_runner.py) as a strip.

    Between die walls the strip has ε_xx = ε_zz = 0 and σ_yy = 0: the equibiaxial
    elastic-perfectly plastic film (Nix, Metall. Trans. A 20 (1989) 2217), σ = -M_f e* up to
    the plateau -σ_Y, elastic unloading over 2σ_Y/M_f,
    then +σ_Y; W_p = 2σ_Y(2e_max - 3σ_Y/M_f) per unit volume (here per metre of strip).
    """
    from tests.verification.test_plasticity_runner import (
        MF,
        OMEGA,
        SY,
        THICKNESS,
        WIDTH,
        expected_stress,
    )
    from tests.verification.test_plasticity_runner import film_study as film_3d

    tree = film_3d()
    tree["geometry"] |= PLANE
    result = run_study(tree)
    assert result.status == "completed"
    rows = result.rows
    soc = np.array([r["soc"] for r in rows])
    stress = np.array([r["film.mean_inplane_stress_Pa"] for r in rows])
    e_star = OMEGA * soc * 3.11e5 / 3
    assert np.max(np.abs(stress - expected_stress(e_star))) < 1e-6 * SY
    e_max = e_star.max()
    work = 2 * SY * (2 * e_max - 3 * SY / MF) * THICKNESS * WIDTH  # J per metre of strip
    assert rows[-1]["plastic_work_J"] == pytest.approx(work, rel=1e-6)


def test_plane_strain_finite_strain_plastic_film_equals_the_3d_film(run_study):
    """Finite-strain J2 (F = F_e F_p F_s): the confined strip's homogeneous state is the 3D
    box's, so every row's in-plane stress and α agree to solver tolerance (1e-6 σ_Y)."""
    from tests.verification.test_plasticity_runner import SY
    from tests.verification.test_plasticity_runner import film_study as film_3d

    tree = film_3d("finite_strain", soc_max=0.01)
    box = run_study(tree).rows
    tree["geometry"] |= PLANE
    strip = run_study(tree).rows
    assert len(strip) == len(box)
    for a, b in zip(strip, box, strict=True):
        assert a["film.mean_inplane_stress_Pa"] == pytest.approx(
            b["film.mean_inplane_stress_Pa"], abs=1e-6 * SY
        )
        assert a["film.max_equivalent_plastic_strain"] == pytest.approx(
            b["film.max_equivalent_plastic_strain"], abs=1e-9
        )
    assert min(r["film.mean_inplane_stress_Pa"] for r in strip) < -0.99 * SY  # it flowed


def _plastic_sphere(yield_stress: float) -> dict:
    """The galvanostatic sphere (axisymmetric quarter, small strain) with J2 flow."""
    return study(
        geometry={"type": "sphere", "radius": R, "symmetry": "octant", "mesh_size": 0.1 * R} | AXI,
        materials={"particle": _particle(1e-6) | {"yield_stress": yield_stress}},
        physics={
            "mechanics": "small_strain",
            "displacement_degree": 2,
            "constitutive": "elastoplastic",
            "plastic_regions": ["particle"],
        },
        protocol=[{"lithiate": {"current_density": J * FARADAY, "duration": 0.1 * R**2 / D}}],
        time={"initial_step": "50 s", "max_step": "50 s"},
        outputs={"every": 0, "figures": False, "probes": {"centre": [0, 0], "surface": [R, 0]}},
        solver={"mechanics": {"linear_solver": "direct", "rtol": 1e-10, "atol": 1e-14}},
    )


def test_axisymmetric_plasticity(run_study):
    """J2 flow through the axisymmetric quadrature operator (u_r/r hoop entry, 2πr weights).

    (i) With σ_Y far above the stresses the operator's path equals the UFL elastic path
    (same run with ``constitutive: elastic``): displacement to solver tolerance, stresses to
    1e-3 S (projected vs interpolated output; measured 4e-6 S centre, 1.5e-4 S surface),
    and W_p = 0.
    (ii) With σ_Y = 0.5 GPa the compressive surface (σ_r = 0, σ_θ = σ_φ; elastic
    -0.062 S = -830 MPa at τ = 0.1) flows: its hoop stresses sit on the plateau -σ_Y
    (von Mises |σ_θ| = σ_Y) and the plastic work is positive.
    """
    elastic = study(**{k: v for k, v in _plastic_sphere(1e12).items() if k != "study"})
    elastic["physics"] = {"mechanics": "small_strain", "displacement_degree": 2}
    reference = run_study(elastic).rows[-1]
    stiff = run_study(_plastic_sphere(1e12)).rows[-1]
    S = 1e-6 * E * J * R / (D * (1 - NU))
    # Same discrete equations: the displacement agrees to solver tolerance; the stress output
    # of plastic cells is the quadrature stress projected cell-wise (not interpolated).
    assert stiff["probe.surface.ux_m"] == pytest.approx(reference["probe.surface.ux_m"], rel=1e-8)
    for key in ("centre.sxx", "surface.syy", "surface.szz", "surface.sxx"):
        assert stiff[f"probe.{key}_Pa"] == pytest.approx(reference[f"probe.{key}_Pa"], abs=1e-3 * S)
    assert stiff["plastic_work_J"] == 0.0
    sy = 0.5e9
    flowing = run_study(_plastic_sphere(sy)).rows[-1]
    assert flowing["particle.max_equivalent_plastic_strain"] > 0
    assert flowing["plastic_work_J"] > 0
    for key in ("syy", "szz"):
        assert flowing[f"probe.surface.{key}_Pa"] == pytest.approx(-sy, rel=0.02)
    assert abs(flowing["probe.surface.sxx_Pa"]) < 0.02 * sy
