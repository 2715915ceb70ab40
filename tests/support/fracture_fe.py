"""Cracked plates under remote tension and a swelling field: the solves the fracture tests share.

A plate of half-height h = 4 b (long enough for Tada's infinite-strip formulas) is pulled by a
uniform traction S on its ends; rigid-body motion is removed by point constraints that carry
no load (the traction is self-equilibrated). An optional isotropic eigenstrain
β(x, y) = β₀ ((x² + y²)/b²) gives a swelling gradient at the tips.

Run as a script (``python -m tests.support.fracture_fe``, also under ``mpirun``) it prints the
K, G of one case as JSON, for the serial-versus-parallel test.
"""

from __future__ import annotations

import json
import math

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import LinearProblem

import femsi.compat  # noqa: F401
from femsi.cracks.cracked_plate import cracked_plate
from femsi.cracks.domain_integral import DomainIntegral, elastic_strain, in_plane, stress
from femsi.parallel import ScalarForm

E, NU, S = 100e9, 0.25, 100e6
B, H = 1.0, 4.0
DEGREE = 4


def solve_plate(
    kind: str,
    a: float,
    beta0: float = 0.0,
    angle: float = 0.0,
    tip_size: float = 0.004,
    mesh_size: float = 0.2,
    eigenstrain_term: bool = True,
    b: float = B,
):
    """Solve one cracked plate.

    Returns:
        (tips, DomainIntegral, potential energy Π = ∫ψ dA − ∫ t·u ds per unit thickness).
    """
    model, tips = cracked_plate(kind, a, b, H, mesh_size, tip_size, angle=angle)
    msh = model.mesh
    V = fem.functionspace(msh, ("Lagrange", 2, (2,)))
    dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": DEGREE})
    ds = ufl.Measure(
        "ds", domain=msh, subdomain_data=model.facet_tags, metadata={"quadrature_degree": DEGREE}
    )
    ends = ds((model.surfaces["top"], model.surfaces["bottom"]))
    beta = None
    if beta0:
        beta = fem.Function(fem.functionspace(msh, ("Lagrange", 2)))
        beta.interpolate(lambda x: beta0 * (x[0] ** 2 + x[1] ** 2) / B**2)
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    n = ufl.FacetNormal(msh)
    residual = (
        ufl.inner(in_plane(stress(u, E, NU, beta)), ufl.sym(ufl.grad(v))) * dx
        - S * ufl.dot(n, v) * ends
    )
    bcs = point_constraints(V, kind, b)
    problem = LinearProblem(
        ufl.lhs(residual),
        ufl.rhs(residual),
        bcs=bcs,
        petsc_options_prefix="fracture_test_",
        petsc_options={
            "ksp_type": "preonly",
            "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        },
    )
    uh = problem.solve()
    assert problem.solver.getConvergedReason() > 0
    psi = 0.5 * ufl.inner(stress(uh, E, NU, beta), elastic_strain(uh, beta))
    energy = ScalarForm(psi * dx - S * ufl.dot(n, uh) * ends, msh.comm)()
    return tips, DomainIntegral(uh, E, NU, DEGREE, beta, eigenstrain_term), energy


def point_constraints(V, kind: str, b: float, h: float = H):
    """Point constraints that remove rigid-body motion and carry no load."""
    x0 = -b if kind == "centre" else 0.0
    fixed = fem.locate_dofs_geometrical(V, lambda x: np.isclose(x[0], b) & np.isclose(x[1], 0.0))
    # the second constraint stops the rotation about the first
    axis = 1 if kind == "centre" else 0
    where = (x0, 0.0) if kind == "centre" else (b, h)
    sub = V.sub(axis)
    Vs = sub.collapse()[0]
    roller = fem.locate_dofs_geometrical(
        (sub, Vs), lambda x: np.isclose(x[0], where[0]) & np.isclose(x[1], where[1])
    )
    return [
        fem.dirichletbc(np.zeros(2), fixed, V),
        fem.dirichletbc(fem.Function(Vs), roller, sub),
    ]


RINGS = [(0.05, 0.1), (0.1, 0.2), (0.15, 0.3), (0.2, 0.4)]


def reference_K(kind: str, a: float) -> float:
    """Tada, Paris & Irwin (2000): K_I of a centre crack (2a in 2b) or edge crack (a in b)."""
    alpha = a / B
    if kind == "centre":
        factor = (1 - 0.025 * alpha**2 + 0.06 * alpha**4) * math.sqrt(
            1 / math.cos(math.pi * alpha / 2)
        )
    else:
        t = math.pi * alpha / 2
        factor = (
            math.sqrt(math.tan(t) / t)
            * (0.752 + 2.02 * alpha + 0.37 * (1 - math.sin(t)) ** 3)
            / math.cos(t)
        )
    return S * math.sqrt(math.pi * a) * factor


if __name__ == "__main__":
    tips, integral, energy = solve_plate("centre", 0.5, beta0=1e-3, angle=0.3)
    result = integral.evaluate(tips[0].point, tips[0].direction, RINGS)
    if MPI.COMM_WORLD.rank == 0:
        print(
            json.dumps(
                {
                    "G": result.G.tolist(),
                    "K_I": result.K_I.tolist(),
                    "K_II": result.K_II.tolist(),
                    "energy": energy,
                }
            )
        )
