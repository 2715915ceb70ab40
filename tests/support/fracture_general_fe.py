"""Solves shared by the general domain-integral tests (finite strain, study models, penny cracks).

Every body here is solved by minimising its potential energy Π = ∫ ψ(∇u, c) dV − ∫ t · u dA
with Newton (PETSc SNES, MUMPS), so the same strain energy ψ drives the solve and the domain
integral. Plates are those of :mod:`tests.support.fracture_fe` (half-height 4 b, traction S on
the ends, point constraints).
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import NonlinearProblem

import femsi.compat  # noqa: F401
from femsi.parallel import ScalarForm
from femsi.physics.elasticity import lame, neo_hookean_energy_density
from femsi.physics.kinematics import displacement_gradient
from tests.support.fracture_fe import NU, E, point_constraints

DEGREE = 4
MU, LMBDA = lame(E, NU)


def neo_hookean(H, c):
    """ψ of the swelling neo-Hookean solid (femsi.physics.elasticity) with J_s = 1 + c."""
    return neo_hookean_energy_density(H, 1 + c if c is not None else 1.0, MU, LMBDA)


def small_strain(H, c):
    """ψ of linear elasticity with the eigenstrain (c/3) I, the small-strain limit of J_s."""
    eps = ufl.sym(H) - (0 if c is None else c / 3) * ufl.Identity(3)
    return MU * ufl.inner(eps, eps) + LMBDA / 2 * ufl.tr(eps) ** 2


def minimise(u, potential, bcs, load, value, increments=1, prefix="fracture_general_"):
    """Newton on dΠ/du = 0, the load Constant ramped to ``value`` in ``increments`` steps."""
    residual = ufl.derivative(potential, u)
    problem = NonlinearProblem(
        residual,
        u,
        bcs=bcs,
        J=ufl.derivative(residual, u),
        petsc_options_prefix=prefix,
        petsc_options={
            "snes_type": "newtonls",
            "snes_linesearch_type": "basic",
            "snes_rtol": 1e-11,
            "snes_atol": 1e-12,
            "snes_max_it": 30,
            "ksp_type": "preonly",
            "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        },
    )
    for step in range(1, increments + 1):
        load.value = value * step / increments
        problem.solve()
        reason = problem.solver.getConvergedReason()
        assert reason > 0, f"Newton did not converge (reason {reason}) at step {step}"
    return u


def solve_plate_energy(model, energy, c, S, kind="centre", b=1.0, u=None, increments=1):
    """Cracked plate (a MeshModel of femsi.cracks.cracked_plate) under end traction S, ψ = energy.

    Returns:
        (u, Π).
    """
    msh = model.mesh
    if u is None:
        u = fem.Function(fem.functionspace(msh, ("Lagrange", 2, (2,))))
    dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": DEGREE})
    ds = ufl.Measure(
        "ds", domain=msh, subdomain_data=model.facet_tags, metadata={"quadrature_degree": DEGREE}
    )
    ends = ds((model.surfaces["top"], model.surfaces["bottom"]))
    load = fem.Constant(msh, 0.0)
    n = ufl.FacetNormal(msh)
    psi = energy(displacement_gradient(u, "plane_strain"), c)
    potential = psi * dx - load * ufl.dot(n, u) * ends
    minimise(u, potential, point_constraints(u.function_space, kind, b), load, S, increments)
    return u, ScalarForm(potential, msh.comm)()


def swelling_field(msh, c0: float, b: float = 1.0):
    """c(x, y) = c0 (x² + y²)/b² (P2): a swelling gradient at the tips."""
    c = fem.Function(fem.functionspace(msh, ("Lagrange", 2)))
    c.interpolate(lambda x: c0 * (x[0] ** 2 + x[1] ** 2) / b**2)
    return c


def relative(values, reference):
    """Largest |value/reference − 1|."""
    return float(np.max(np.abs(np.asarray(values) / reference - 1)))
