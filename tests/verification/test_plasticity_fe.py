"""Plasticity through the FE operator: a film on a rigid substrate, serial and mpirun -n 2.

Reference (Nix, Metall. Trans. A 20 (1989) 2217; Sethuraman et al., J. Power Sources 195 (2010)
5062): an equibiaxially constrained film (ε_xx = ε_yy = 0, σ_zz = 0)
swollen by e* has σ_xx = σ_yy = -M_f e*, M_f = E/(1-ν), until |σ| = σ_Y; then a plateau at
-σ_Y; on reversal elastic unloading over a swelling change of 2 σ_Y/M_f; then a plateau at
+σ_Y. At finite strain (Hencky) the same holds for the Kirchhoff stress with e* = ln(J_s)/3.
The FE film (``tests/support/plasticity_film_fe.py``) is homogeneous, so every quadrature point must
reproduce it to solver tolerance.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import MPIRUN, ROOT
from tests.support.plasticity_film_fe import MF, SY, run_film


def _check_plateaus(steps, e_max):
    peak = max(s["e"] for s in steps)
    loading = True
    for step in steps:
        e = step["e"]
        if e == peak:
            loading = False
        for key in ("sxx_min", "sxx_max"):
            s = step[key]
            if loading or e == peak:
                expected = -min(MF * e, SY)
            else:
                expected = min(-SY + MF * (e_max - e), SY)
            assert s == pytest.approx(expected, rel=1e-6, abs=1e-6 * SY), (e, key)
    # the in-plane stress is equibiaxial
    assert steps[-1]["syy_mean"] == pytest.approx(steps[-1]["sxx_max"], rel=1e-6)


@pytest.mark.parametrize(
    "kinematics, e_max, n", [("small_strain", 0.03, 6), ("finite_strain", 0.2, 4)]
)
def test_film_plateaus_and_quadratic_newton(kinematics, e_max, n):
    result = run_film(kinematics, e_max=e_max, n=n)
    steps = result["steps"]
    _check_plateaus(steps, e_max)
    assert steps[-1]["alpha_max"] > 0.03
    plastic_steps = [s for s in steps if s["iterations"] > 2]
    assert plastic_steps
    for step in plastic_steps:
        # rtol 1e-10: at most 5 (small strain) / 7 (finite strain, e* steps of 0.05) iterations
        assert step["iterations"] <= (5 if kinematics == "small_strain" else 7)
        # quadratic rate: with ρ_k = r_k / r_0, ρ_k+1 <= 100 ρ_k² once ρ_k < 1e-2 (measured
        # constants 0.3-26), until ρ_k+1 reaches the round-off floor (~1e-14)
        r = np.array(step["norms"]) / step["norms"][0]
        tail = [(a, b) for a, b in zip(r[:-1], r[1:], strict=True) if a < 1e-2 and b > 1e-13]
        assert tail, step["norms"]
        for a, b in tail:
            assert b <= 100 * a**2, step["norms"]


def test_viscoplastic_film_with_a_fast_rate_is_rate_independent():
    # Bower-Guduru flow with ε̇₀ Δt = 1e10, m = 2: overstress (1e-10)^(1/2) = 1e-5 σ_Y at most
    from femsi.materials import SocFunction
    from femsi.physics.plasticity import PlasticMaterial

    material = PlasticMaterial(
        SocFunction.constant(SY), viscoplastic_rate=1e10, viscoplastic_exponent=2.0
    )
    steps = run_film("small_strain", e_max=0.03, n=6, material=material, dt=1.0)["steps"]
    reference = run_film("small_strain", e_max=0.03, n=6)["steps"]
    for s, r in zip(steps, reference, strict=True):
        assert s["sxx_max"] == pytest.approx(r["sxx_max"], rel=2e-5, abs=2e-5 * SY)
    assert steps[-1]["alpha_max"] == pytest.approx(reference[-1]["alpha_max"], rel=1e-3)


@pytest.mark.mpi
@pytest.mark.skipif(MPIRUN is None, reason="mpirun not found next to the Python interpreter")
@pytest.mark.parametrize("kinematics", ["small_strain", "finite_strain"])
def test_film_under_mpirun_matches_serial(kinematics):
    # History lives per owned cell; two ranks must reproduce the serial path (to 1e-8).
    serial = run_film(kinematics, e_max=0.03, n=6)
    completed = subprocess.run(
        [MPIRUN, "-n", "2", sys.executable, "-m", "tests.support.plasticity_film_fe", kinematics],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    parallel = json.loads(completed.stdout.strip().splitlines()[-1])
    for s, p in zip(serial["steps"], parallel["steps"], strict=True):
        for key in ("sxx_min", "sxx_max", "alpha_max", "top_uz"):
            assert p[key] == pytest.approx(s[key], rel=1e-8, abs=1e-12), key
    assert parallel["alpha_cell_sum"] == pytest.approx(serial["alpha_cell_sum"], rel=1e-8)
    _check_plateaus(parallel["steps"], 0.03)


def test_operator_history_commit_restore_and_degree():
    # A large shear u = (γ z, 0, 0) yields every point (γ = 0.05 > σ_Y √3 / (2 G)); the
    # trial history becomes the committed one only on commit().
    from mpi4py import MPI

    import ufl
    from dolfinx import fem, mesh

    from femsi.materials import SocFunction
    from femsi.physics.plasticity import PlasticMaterial
    from femsi.physics.plasticity.operator import QuadratureConstitutive
    from femsi.physics.plasticity.tensors import von_mises

    msh = mesh.create_unit_cube(MPI.COMM_SELF, 2, 2, 2)
    V = fem.functionspace(msh, ("Lagrange", 1, (3,)))
    u = fem.Function(V)
    cells = np.arange(msh.topology.index_map(3).size_local)
    op = QuadratureConstitutive(
        u,
        kinematics="finite_strain",
        swelling=fem.Constant(msh, 1.0),
        soc=fem.Constant(msh, 0.5),
        youngs_modulus=fem.Constant(msh, 80e9),
        poissons_ratio=fem.Constant(msh, 0.22),
        plastic=[(cells, PlasticMaterial(SocFunction((0.0, 1.0), (2e9, 1e9))))],
        quadrature_degree=2,
    )
    for form in (
        op.residual(ufl.TestFunction(V)),
        op.jacobian(ufl.TrialFunction(V), ufl.TestFunction(V)),
    ):
        assert {i.metadata()["quadrature_degree"] for i in form.integrals()} == {2}
    u.interpolate(lambda x: np.stack([0.05 * x[2], 0 * x[0], 0 * x[0]]))
    op.refresh()
    op.refresh()  # same inputs: cached
    assert op.evaluations == 1
    assert np.all(op.dgamma > 0)
    # σ_Y(SOC 0.5) = 1.5 GPa: the returned Kirchhoff stress sits on the yield surface
    assert np.allclose(von_mises(op.kirchhoff), 1.5e9, rtol=1e-10)
    op.restore()
    assert np.all(op.equivalent_plastic_strain == 0)
    op.update()
    op.commit()
    alpha = op.equivalent_plastic_strain.copy()
    assert np.all(alpha > 0)
    op.update()  # same u from the committed state: no further flow (round-off only)
    assert np.all(op.dgamma < 1e-15)
    op.restore()
    assert np.array_equal(op.equivalent_plastic_strain, alpha)
    dg0 = op.equivalent_plastic_strain_dg0()
    assert np.allclose(dg0.x.array, alpha.reshape(-1, op.points_per_cell).mean(axis=1))
    sigma = op.cauchy_dg0().x.array.reshape(-1, 3, 3)
    assert np.allclose(sigma, op.cauchy.reshape(-1, op.points_per_cell, 3, 3).mean(axis=1))


@pytest.mark.parametrize("kinematics", ["small_strain", "finite_strain"])
def test_assembled_jacobian_matches_finite_differences_of_the_residual(kinematics):
    # A non-homogeneous plastic state (random displacement, graded swelling, committed
    # history from one earlier plastic evaluation): J du against central differences of the
    # assembled residual, (R(u + h du) - R(u - h du)) / 2h.
    from mpi4py import MPI

    import dolfinx.fem.petsc
    import ufl
    from dolfinx import fem, mesh

    from femsi.materials import SocFunction
    from femsi.physics.plasticity import PlasticMaterial
    from femsi.physics.plasticity.operator import QuadratureConstitutive

    msh = mesh.create_box(MPI.COMM_SELF, [[0, 0, 0], [1, 1, 1]], [2, 2, 2])
    V = fem.functionspace(msh, ("Lagrange", 2, (3,)))
    u, du = fem.Function(V), fem.Function(V)
    rng = np.random.default_rng(11)
    c = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
    c.interpolate(lambda x: 0.01 * (1 + x[0] + x[1] * x[2]))
    op = QuadratureConstitutive(
        u,
        kinematics=kinematics,
        swelling=c if kinematics == "small_strain" else 1 + 3 * c,
        soc=c * 30,
        youngs_modulus=fem.Constant(msh, 1.0),  # scaled units: E = 1, σ_Y ~ 1e-3
        poissons_ratio=fem.Constant(msh, 0.3),
        plastic=[
            (np.arange(msh.topology.index_map(3).size_local),
             PlasticMaterial(SocFunction((0.0, 1.0), (2e-3, 1e-3)), hardening_modulus=0.05)),
        ],
        quadrature_degree=2,
    )  # fmt: skip
    u.x.array[:] = 0.01 * rng.standard_normal(u.x.array.size)
    op.refresh()
    op.commit()
    u.x.array[:] += 0.01 * rng.standard_normal(u.x.array.size)
    du.x.array[:] = rng.standard_normal(du.x.array.size)
    v, trial = ufl.TestFunction(V), ufl.TrialFunction(V)
    residual, jacobian = fem.form(op.residual(v)), fem.form(op.jacobian(trial, v))
    op.refresh()
    assert np.count_nonzero(op.dgamma > 0) > 0.3 * op.n_points
    A = dolfinx.fem.petsc.assemble_matrix(jacobian)
    A.assemble()
    x, jdu = A.createVecRight(), A.createVecLeft()
    x.array[:] = du.x.array[: x.array.size]
    A.mult(x, jdu)
    u0 = u.x.array.copy()
    h = 1e-7
    parts = []
    for sign in (1, -1):
        u.x.array[:] = u0 + sign * h * du.x.array
        op.refresh()
        parts.append(fem.assemble_vector(residual).array.copy())
    fd = (parts[0] - parts[1]) / (2 * h)
    error = np.abs(fd - jdu.array).max() / np.abs(jdu.array).max()
    print(f"{kinematics}: relative error of J du {error:.2e}")
    assert error < 1e-6


@pytest.mark.parametrize("kinematics", ["small_strain", "finite_strain"])
def test_elastic_limit_matches_femsi_elastic_residual(kinematics):
    # σ_Y = ∞: the operator's residual against femsi's elastic forms (femsi/physics/
    # elasticity.py) for a non-homogeneous P2 displacement (stresses vary inside each cell,
    # so this also checks that quadrature points and dofs are matched). Small strain: the
    # same law, agreement to round-off. Finite strain: Hencky vs neo-Hookean on top of J_s = 4
    # swelling at elastic strains ~10 δ (nodal noise δ, cells of size 0.5): the relative
    # difference is first order, measured 4.7e-4 at δ = 1e-4 and tenfold less at 1e-5.
    from mpi4py import MPI

    import ufl
    from dolfinx import fem, mesh

    from femsi.physics.elasticity import lame, neo_hookean_energy, small_strain_energy
    from femsi.physics.plasticity.operator import QuadratureConstitutive

    msh = mesh.create_box(MPI.COMM_SELF, [[0, 0, 0], [1, 1, 1]], [2, 2, 2])
    V = fem.functionspace(msh, ("Lagrange", 2, (3,)))
    u = fem.Function(V)
    E_, nu = 80e9, 0.22
    finite = kinematics == "finite_strain"
    x = ufl.SpatialCoordinate(msh)
    e_star = 1e-3 * (1 + x[0] * x[1])
    swelling = fem.Constant(msh, 4.0) if finite else e_star
    op = QuadratureConstitutive(
        u,
        kinematics=kinematics,
        swelling=swelling,
        soc=fem.Constant(msh, 0.0),
        youngs_modulus=fem.Constant(msh, E_),
        poissons_ratio=fem.Constant(msh, nu),
        plastic=[],
        quadrature_degree=2,
    )
    v = ufl.TestFunction(V)
    mu, lmbda = lame(fem.Constant(msh, E_), fem.Constant(msh, nu))
    dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": 2})
    if finite:
        energy = neo_hookean_energy(u, swelling, mu, lmbda) * dx
    else:
        energy = small_strain_energy(u, e_star * ufl.Identity(3), mu, lmbda) * dx
    ours_form, theirs_form = fem.form(op.residual(v)), fem.form(ufl.derivative(energy, u, v))
    differences = []
    for delta in (1e-4, 1e-5) if finite else (1e-4,):
        rng = np.random.default_rng(12)
        u.interpolate(lambda x: (4 ** (1 / 3) - 1) * x if finite else 0 * x)
        u.x.array[:] += delta * rng.standard_normal(u.x.array.size)
        op.refresh()
        ours = fem.assemble_vector(ours_form).array
        theirs = fem.assemble_vector(theirs_form).array
        differences.append(np.abs(ours - theirs).max() / np.abs(theirs).max())
    if finite:
        assert differences[0] < 1e-3
        assert differences[1] < 0.15 * differences[0]
    else:
        assert differences[0] < 1e-12
