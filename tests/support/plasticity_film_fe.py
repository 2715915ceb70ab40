"""A plastic film on a rigid substrate solved with the FE operator (serial or under mpirun).

Box 1 x 1 x 0.25 (any unit; the problem is homogeneous), 4 x 4 x 2 cubes of 6 tetrahedra
(192 cells), P2 displacement, quadrature degree 2. Rollers: the normal displacement vanishes
on the four side faces and the bottom; the top is free. A uniform concentration is set
directly (no diffusion) so that the swelling strain e* goes 0 -> e_max -> 0. The in-plane
stress is that of an elastic-perfectly plastic film on a rigid substrate (Nix, Metall. Trans.
A 20 (1989) 2217; for lithiated Si, Sethuraman et al., J. Power Sources 195 (2010) 5062):
-M_f e*, then -σ_Y, elastic unloading over 2 σ_Y / M_f, then +σ_Y.

Run as a script it prints one JSON line (on rank 0) with the in-plane stress of every step
and the committed plastic strain, so a test can compare ``mpirun -n 2`` with serial.
"""

from __future__ import annotations

import json
import sys

from mpi4py import MPI

import numpy as np
import ufl
from dolfinx import fem, mesh

import femsi.compat  # noqa: F401
from femsi.materials import SocFunction
from femsi.physics.plasticity import PlasticMaterial
from femsi.physics.plasticity.operator import QuadratureConstitutive
from femsi.solvers.newton import NewtonSolver

E, NU, SY = 80e9, 0.22, 1.0e9
MF = E / (1 - NU)
C_MAX = 1e5
THICKNESS = 0.25


def swelling_path(e_max: float, n: int) -> np.ndarray:
    up = np.linspace(0.0, e_max, n + 1)[1:]
    return np.concatenate([up, up[::-1][1:], [0.0]])


def run_film(
    kinematics: str, e_max: float, n: int, comm=MPI.COMM_WORLD, material=None, dt: float = 1.0
):
    """Solve the film through the swelling cycle; returns a dict of per-step results.

    ``material`` defaults to rate-independent flow at σ_Y; ``dt`` is the time step per
    swelling increment (viscoplastic materials only).
    """
    material = material or PlasticMaterial(SocFunction.constant(SY))
    msh = mesh.create_box(
        comm, [[0, 0, 0], [1, 1, THICKNESS]], [4, 4, 2], mesh.CellType.tetrahedron
    )
    V = fem.functionspace(msh, ("Lagrange", 2, (3,)))
    u = fem.Function(V, name="displacement")
    c = fem.Function(fem.functionspace(msh, ("Lagrange", 1)), name="concentration")
    # Ω c_max = 3 e_ref so that e* = Ω c / 3 (small) and J_s = 1 + Ω c (finite)
    omega = 3.0 / C_MAX
    if kinematics == "small_strain":
        swelling = omega * c / 3
    else:
        swelling = 1 + omega * c
    op = QuadratureConstitutive(
        u,
        kinematics=kinematics,
        swelling=swelling,
        soc=c / C_MAX,
        youngs_modulus=fem.Constant(msh, E),
        poissons_ratio=fem.Constant(msh, NU),
        plastic=[(np.arange(msh.topology.index_map(3).size_local), material)],
        quadrature_degree=2,
    )  # fmt: skip
    fdim = 2
    bcs = []
    for axis, where in (
        (0, lambda x: np.isclose(x[0], 0) | np.isclose(x[0], 1)),
        (1, lambda x: np.isclose(x[1], 0) | np.isclose(x[1], 1)),
        (2, lambda x: np.isclose(x[2], 0)),
    ):
        facets = mesh.locate_entities_boundary(msh, fdim, where)
        dofs = fem.locate_dofs_topological(V.sub(axis), fdim, facets)
        bcs.append(fem.dirichletbc(fem.Constant(msh, 0.0), dofs, V.sub(axis)))
    v, du = ufl.TestFunction(V), ufl.TrialFunction(V)
    scale = 1.0 / E  # a strain-like residual, as femsi scales its mechanics residual
    options = {
        "snes_type": "newtonls",
        "snes_linesearch_type": "basic",
        "snes_rtol": 1e-10,
        "snes_atol": 1e-14,
        "snes_stol": 0.0,
        "snes_max_it": 20,
        "ksp_type": "preonly",
        "pc_type": "lu",
        "pc_factor_mat_solver_type": "mumps",
    }
    solver = NewtonSolver(
        "plastic_film",
        scale * op.residual(v),
        u,
        bcs,
        options,
        jacobian=scale * op.jacobian(du, v),
        pre_assembly=op.refresh,
    )
    norms: list[float] = []
    solver.snes.setMonitor(lambda _snes, _it, norm: norms.append(norm))
    steps = []
    for e in swelling_path(e_max, n):
        c.x.array[:] = 3 * e / omega if kinematics == "small_strain" else np.expm1(3 * e) / omega
        norms.clear()
        op.update(dt)  # what the study runner does before each mechanics solve
        stats = solver.solve()
        if not stats.converged:
            raise RuntimeError(f"Newton failed at e* = {e}: reason {stats.reason}")
        op.commit()
        local = op.kirchhoff[:, 0, 0]  # τ = σ at small strain; τ hits σ_Y exactly
        steps.append(
            {
                "e": float(e),
                "sxx_min": comm.allreduce(float(local.min()), op=MPI.MIN),
                "sxx_max": comm.allreduce(float(local.max()), op=MPI.MAX),
                "syy_mean": comm.allreduce(float(op.kirchhoff[:, 1, 1].sum()), op=MPI.SUM)
                / comm.allreduce(op.n_points, op=MPI.SUM),
                "szz_max": comm.allreduce(float(np.abs(op.cauchy[:, 2, 2]).max()), op=MPI.MAX),
                "alpha_max": comm.allreduce(float(op.equivalent_plastic_strain.max()), op=MPI.MAX),
                "top_uz": comm.allreduce(float(np.max(u.x.array[2::3])), op=MPI.MAX),
                "iterations": stats.newton_iterations,
                "norms": list(norms),
            }
        )
    solver.close()
    alpha_dg0 = op.equivalent_plastic_strain_dg0()
    total_alpha = comm.allreduce(
        float(alpha_dg0.x.array[: msh.topology.index_map(3).size_local].sum()), op=MPI.SUM
    )
    return {"steps": steps, "alpha_cell_sum": total_alpha, "evaluations": op.evaluations}


if __name__ == "__main__":
    kinematics = sys.argv[1] if len(sys.argv) > 1 else "small_strain"
    result = run_film(kinematics, e_max=0.03, n=6)
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps(result))
