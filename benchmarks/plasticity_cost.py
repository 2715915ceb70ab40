"""Cost of plasticity: one elastic step against one plastic step on the same mesh.

A film-like box 1 x 1 x 0.5 (``--cells N``: N x N x N/2 cubes of 6 tetrahedra), P2
displacement, quadrature degree 2, rollers on the sides and the bottom, top free. The
concentration is set directly (no diffusion) and varies linearly across the film,
e*(x) = e (0.5 + x), so the stress is not homogeneous and the plastic zone has a front.
Two steps, e = e_y/2 (elastic everywhere) then e = 1.5 e_y (e_y = σ_Y / M_f, σ_Y = 1 GPa;
plastic where e*(x) > e_y, i.e. x > 1/6),
are solved with CG + GAMG (femsi's mechanics options, rigid-body near-nullspace, rtol 1e-8
on the residual norm); the second step is timed. Three models:

- ``elastic-ufl``: femsi's elastic energy form (neo-Hookean at finite strain, linear at small
  strain) with ``ufl.derivative`` — what femsi solves today;
- ``elastic-qp``: the quadrature operator with σ_Y = ∞ (the elastic Hencky law through the
  same quadrature path as plasticity: the cost of the path itself);
- ``plastic-qp``: the quadrature operator with σ_Y = 1 GPa.

Columns: Newton iterations of the step, residual and Jacobian assembly (one each, timed
separately after the solve), return-map time per call and per point, number of calls, and the
step's wall time. Run from the repository root:

    python benchmarks/plasticity_cost.py                    # N = 16: 55,539 P2 DOFs
    python benchmarks/plasticity_cost.py --cells 20 --kinematics small_strain
    mpirun -n 2 python benchmarks/plasticity_cost.py
"""

from __future__ import annotations

import argparse
import time

from mpi4py import MPI

import common
import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem, mesh

import femsi.compat  # noqa: F401
from femsi.config.schema import SubSolver
from femsi.materials import SocFunction
from femsi.physics.elasticity import lame, neo_hookean_energy, small_strain_energy
from femsi.physics.plasticity import PlasticMaterial
from femsi.physics.plasticity.operator import QuadratureConstitutive
from femsi.solvers.newton import NewtonSolver
from femsi.solvers.nullspace import rigid_body_modes
from femsi.solvers.options import petsc_options

E, NU, SY = 80e9, 0.22, 1.0e9
MF = E / (1 - NU)
C_MAX = 1e5


def build(n: int, kinematics: str, model: str):
    comm = MPI.COMM_WORLD
    msh = mesh.create_box(
        comm, [[0, 0, 0], [1, 1, 0.5]], [n, n, max(n // 2, 1)], mesh.CellType.tetrahedron
    )
    V = fem.functionspace(msh, ("Lagrange", 2, (3,)))
    u = fem.Function(V)
    c = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
    level = fem.Constant(msh, 0.0)
    c.interpolate(lambda x: C_MAX * (0.5 + x[0]))  # c / c_max in [0.5, 1.5]
    omega = 3.0 / C_MAX
    e_star = level * omega * c / 3  # e*(x) = e (0.5 + x)
    js = 1 + 3 * e_star
    dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": 2})
    v, du = ufl.TestFunction(V), ufl.TrialFunction(V)
    op = None
    if model == "elastic-ufl":
        mu, lmbda = lame(fem.Constant(msh, E), fem.Constant(msh, NU))
        if kinematics == "small_strain":
            energy = small_strain_energy(u, e_star * ufl.Identity(3), mu, lmbda) * dx
        else:
            energy = neo_hookean_energy(u, js, mu, lmbda) * dx
        residual = (1 / E) * ufl.derivative(energy, u, v)
        jacobian = ufl.derivative(residual, u, du)
    else:
        sigma_y = np.inf if model == "elastic-qp" else SY
        cells = np.arange(msh.topology.index_map(3).size_local)
        plastic = [] if np.isinf(sigma_y) else [(cells, PlasticMaterial(SocFunction.constant(SY)))]
        op = QuadratureConstitutive(
            u,
            kinematics=kinematics,
            swelling=e_star if kinematics == "small_strain" else js,
            soc=fem.Constant(msh, 0.5),
            youngs_modulus=fem.Constant(msh, E),
            poissons_ratio=fem.Constant(msh, NU),
            plastic=plastic,
            quadrature_degree=2,
        )
        residual, jacobian = (1 / E) * op.residual(v), (1 / E) * op.jacobian(du, v)
    bcs = []
    for axis, where in (
        (0, lambda x: np.isclose(x[0], 0) | np.isclose(x[0], 1)),
        (1, lambda x: np.isclose(x[1], 0) | np.isclose(x[1], 1)),
        (2, lambda x: np.isclose(x[2], 0)),
    ):
        facets = mesh.locate_entities_boundary(msh, 2, where)
        dofs = fem.locate_dofs_topological(V.sub(axis), 2, facets)
        bcs.append(fem.dirichletbc(fem.Constant(msh, 0.0), dofs, V.sub(axis)))
    options = petsc_options(SubSolver(), symmetric=True, linear=False, vector=True)
    modes = rigid_body_modes(V)
    timer = {"calls": 0, "seconds": 0.0}

    def refresh():
        if op is None:
            return
        before = op.evaluations
        start = time.perf_counter()
        op.refresh()
        if op.evaluations > before:
            timer["calls"] += 1
            timer["seconds"] += time.perf_counter() - start

    solver = NewtonSolver(
        f"bench_{model}",
        residual,
        u,
        bcs,
        options,
        near_nullspace=modes.nullspace,
        jacobian=jacobian,
        pre_assembly=refresh if op is not None else None,
    )
    return msh, V, u, level, op, solver, timer, residual, jacobian, modes


def measure(n: int, kinematics: str, model: str) -> dict:
    msh, V, u, level, op, solver, timer, residual, jacobian, _modes = build(n, kinematics, model)
    ey = SY / MF
    for step, e in enumerate((0.5 * ey, 1.5 * ey)):
        level.value = e
        timer.update(calls=0, seconds=0.0)
        MPI.COMM_WORLD.Barrier()
        start = time.perf_counter()
        stats = solver.solve()
        wall = time.perf_counter() - start
        if not stats.converged:
            raise RuntimeError(f"{model}: step {step} did not converge ({stats.reason})")
        if op is not None:
            op.commit()
    residual_form, jacobian_form = fem.form(residual), fem.form(jacobian)
    start = time.perf_counter()
    b = dolfinx.fem.petsc.assemble_vector(residual_form)
    t_residual = time.perf_counter() - start
    start = time.perf_counter()
    A = dolfinx.fem.petsc.assemble_matrix(jacobian_form, bcs=[])
    A.assemble()
    t_jacobian = time.perf_counter() - start
    b.destroy()
    A.destroy()
    points = MPI.COMM_WORLD.allreduce(op.n_points if op is not None else 0, op=MPI.SUM)
    plastic = (
        MPI.COMM_WORLD.allreduce(int(np.count_nonzero(op.dgamma > 0)), op=MPI.SUM)
        if op is not None
        else 0
    )
    calls = max(timer["calls"], 1)
    per_call = MPI.COMM_WORLD.allreduce(timer["seconds"], op=MPI.MAX) / calls
    solver.close()
    return {
        "model": model,
        "kinematics": kinematics,
        "ranks": MPI.COMM_WORLD.size,
        "dofs": V.dofmap.index_map.size_global * 3,
        "points": points,
        "plastic_points": plastic,
        "newton": stats.newton_iterations,
        "krylov": stats.linear_iterations,
        "residual_s": MPI.COMM_WORLD.allreduce(t_residual, op=MPI.MAX),
        "jacobian_s": MPI.COMM_WORLD.allreduce(t_jacobian, op=MPI.MAX),
        "return_map_calls": timer["calls"],
        "return_map_s": per_call if op is not None else None,
        "us_per_point": 1e6 * per_call * MPI.COMM_WORLD.size / max(points, 1)
        if op is not None
        else None,
        "step_s": MPI.COMM_WORLD.allreduce(wall, op=MPI.MAX),
    }


COLUMNS = [
    ("model", "model"),
    ("kinematics", "kinematics"),
    ("ranks", "ranks"),
    ("dofs", "P2 DOFs"),
    ("points", "points"),
    ("plastic_points", "plastic"),
    ("newton", "Newton its"),
    ("krylov", "Krylov its"),
    ("residual_s", "residual asm s"),
    ("jacobian_s", "Jacobian asm s"),
    ("return_map_calls", "return maps"),
    ("return_map_s", "s / return map"),
    ("us_per_point", "us / point"),
    ("step_s", "step s"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=16, help="cubes per side (default 16)")
    parser.add_argument(
        "--kinematics", choices=["finite_strain", "small_strain"], default="finite_strain"
    )
    args = parser.parse_args()
    measure(4, args.kinematics, "plastic-qp")  # warm-up: JIT-compile every form once
    measure(4, args.kinematics, "elastic-ufl")
    measure(4, args.kinematics, "elastic-qp")
    rows = [
        measure(args.cells, args.kinematics, m) for m in ("elastic-ufl", "elastic-qp", "plastic-qp")
    ]
    if MPI.COMM_WORLD.rank == 0:
        print(common.markdown_table(COLUMNS, rows))


if __name__ == "__main__":
    main()
