"""A uniformly swelling sphere bonded in a concentric elastic shell.

Reference: Eshelby, Proc. R. Soc. A 241 (1957) 376 (infinite matrix) and Lamé's hollow sphere
(Timoshenko & Goodier, Theory of Elasticity, 3rd ed., 1970) for the finite shell, computed in
tests/support/analytic.py:
E1 = 80 GPa, ν1 = 0.22, E2 = 20 GPa, ν2 = 0.3, e* = 0.01: infinite matrix p = 253.165 MPa;
b/a = 2 with a free outer surface 212.766 MPa, with a fixed outer surface 326.409 MPa.
The particle stress is uniform, -p I.
"""

from __future__ import annotations

import math

import pytest

from tests.conftest import study
from tests.support.analytic import eshelby_pressure

A = 1e-6
E1, NU1, E2, NU2, E_STAR = 80e9, 0.22, 20e9, 0.3, 0.01


def shell_study(outer: str, b_over_a: float, mesh: float, degree: int = 2, **geometry) -> dict:
    # Ω c_max = 0.03 at SOC 1, stress free at SOC 0: e* = Ω c / 3 = 0.01.
    return study(
        geometry={
            "type": "particle_in_matrix",
            "radius": A,
            "matrix_shape": "sphere",
            "matrix_size": b_over_a * A,
            "symmetry": "octant",
            "mesh_size": mesh * A,
            "outer_boundary": outer,
            **geometry,
        },
        materials={
            "particle": {
                "base": "amorphous_silicon",
                "youngs_modulus": "80 GPa",
                "poissons_ratio": NU1,
                "partial_molar_volume": "3e-7 m^3/mol",
                "max_concentration": "1e5 mol/m^3",
                "initial_soc": 1.0,
                "stress_free_soc": 0.0,
            },
            "matrix": {"base": "li6ps5cl", "youngs_modulus": "20 GPa", "poissons_ratio": NU2},
        },
        physics={"mechanics": "small_strain", "displacement_degree": degree, "diffusion": False},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
        outputs={
            "every": 0,
            "figures": False,
            "probes": {
                "centre": [0, 0, 0],
                "inside": [0.3 * A, 0.3 * A, 0.3 * A],
                "interface": [A, 0, 0],
            },
        },
    )


@pytest.mark.parametrize(("outer", "reference_MPa"), [("free", 212.766), ("fixed", 326.409)])
def test_shell_b_over_a_2(run_study, outer, reference_MPa):
    p = eshelby_pressure(E_STAR, E1, NU1, E2, NU2, 2.0, outer)
    assert p / 1e6 == pytest.approx(reference_MPa, abs=1e-3)
    final = run_study(shell_study(outer, 2.0, 0.15)).rows[-1]
    for probe in ("centre", "inside"):
        assert final[f"probe.{probe}.hydrostatic_Pa"] == pytest.approx(-p, rel=0.005)
        assert abs(final[f"probe.{probe}.von_mises_Pa"]) < 0.005 * p  # uniform, hydrostatic


def test_large_matrix_approaches_infinite_matrix(run_study):
    p_inf = eshelby_pressure(E_STAR, E1, NU1, E2, NU2)  # 253.165 MPa
    assert p_inf / 1e6 == pytest.approx(253.165, abs=1e-3)
    b_over_a = 8.0
    p_free = eshelby_pressure(E_STAR, E1, NU1, E2, NU2, b_over_a, "free")
    tree = shell_study("free", b_over_a, 0.2, matrix_mesh_size=1.5 * A)
    final = run_study(tree).rows[-1]
    p = -final["probe.centre.hydrostatic_Pa"]
    assert p == pytest.approx(p_free, rel=0.005)  # the finite shell, exactly
    assert p == pytest.approx(p_inf, rel=0.01)  # within 1 % of the infinite matrix


def test_interface_displacement_converges_at_second_order(run_study):
    """P1 displacement at the interface: u(a) = a (e* - p / (3 K1)), fixed outer surface."""
    p = eshelby_pressure(E_STAR, E1, NU1, E2, NU2, 2.0, "fixed")
    K1 = E1 / (3 * (1 - 2 * NU1))
    u_exact = A * (E_STAR - p / (3 * K1))
    sizes = [0.4, 0.2, 0.1]
    errors = []
    for h in sizes:
        final = run_study(shell_study("fixed", 2.0, h, degree=1)).rows[-1]
        errors.append(abs(final["probe.interface.ux_m"] - u_exact) / u_exact)
    rates = [
        math.log(errors[i] / errors[i + 1]) / math.log(sizes[i] / sizes[i + 1])
        for i in range(len(errors) - 1)
    ]
    assert errors[-1] < 0.01
    assert min(rates) > 1.5, (errors, rates)
