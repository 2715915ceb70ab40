"""Reference: bare DOLFINx linear elasticity on femsi's particle-in-matrix mesh, and femsi's step.

For each mesh size the mesh is built once with ``femsi.geometry.build_mesh`` from the same
study as ``particle_in_matrix.py``. On it:

1. a bare DOLFINx script (no femsi code but the mesh and the material numbers) solves linear
   elasticity with a uniform swelling eigenstrain in the particle (SOC ``--soc``; E of the
   particle at that SOC, the matrix unstrained), symmetry conditions on the three planes, free
   outer surface; CG + GAMG with the rigid-body near-nullspace and femsi's own Krylov/AMG
   options. Timed: assembly of A and b, AMG setup, Krylov solve; then a second solve that
   re-assembles and reuses the AMG hierarchy.
2. femsi's small-strain mechanics solver (``CoupledModel`` + ``NewtonSolver``, built the way
   ``femsi.study`` builds it) solves the same problem (particle concentration set uniform to
   ``--soc``): one step with a fresh AMG setup, then the same step again from u = 0 with the
   AMG hierarchy reused (femsi's policy between steps).

The ratios femsi step / bare script are printed for both (target <= 1.2). Each measurement is
repeated ``--repeat`` times; the fastest fresh and the fastest reused step are kept.

    python benchmarks/bare_elasticity.py --degree 2 --mesh-sizes 0.2 0.1 0.05
    mpirun -n 2 python benchmarks/bare_elasticity.py --small
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

from mpi4py import MPI
from petsc4py import PETSc

import common
import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

import femsi
from femsi.config.schema import SubSolver
from femsi.geometry import build_mesh
from femsi.physics.model import CoupledModel
from femsi.solvers.newton import NewtonSolver
from femsi.solvers.nullspace import rigid_body_modes
from femsi.solvers.options import petsc_options

#: The bare script's Krylov/AMG options: written out here, checked against femsi's defaults.
BARE_OPTIONS = {
    "ksp_type": "cg",
    "ksp_rtol": 1e-10,
    "ksp_atol": 1e-30,
    "ksp_max_it": 1000,
    "ksp_norm_type": "unpreconditioned",
    "pc_type": "gamg",
    "pc_gamg_type": "agg",
    "pc_gamg_coarse_eq_limit": 1000,
    "pc_gamg_threshold": 0.01,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
    "mg_levels_ksp_chebyshev_esteig_steps": 10,
}

BARE_COLUMNS = [
    ("ranks", "ranks"),
    ("mesh_size_um", "mesh size um (matrix)"),
    ("cells", "cells"),
    ("degree", "P"),
    ("dofs", "DOFs"),
    ("mesh_s", "mesh s"),
    ("compile_s", "forms+matrix create s"),
    ("nullspace_s", "near-nullspace s"),
    ("assemble_s", "assemble s (A+b)"),
    ("amg_setup_s", "AMG setup s"),
    ("solve_s", "solve s"),
    ("its", "its"),
    ("bare_s", "assemble+setup+solve s"),
    ("bare_reuse_s", "reassemble+solve s (AMG reused)"),
    ("reuse_its", "its (reused)"),
    ("peak_mb_max", "peak MB max rank"),
    ("peak_mb_sum", "peak MB sum ranks"),
]

COMPARE_COLUMNS = [
    ("ranks", "ranks"),
    ("mesh_size_um", "mesh size um"),
    ("degree", "P"),
    ("dofs", "DOFs"),
    ("femsi_s", "femsi step s (fresh AMG)"),
    ("femsi_newton", "Newton"),
    ("femsi_its", "Krylov"),
    ("femsi_F", "residual evals: n, s"),
    ("femsi_J_s", "Jacobian s"),
    ("femsi_amg_s", "AMG setup s"),
    ("femsi_ksp_s", "Krylov s"),
    ("ratio", "femsi / bare"),
    ("femsi_reuse_s", "femsi step s (AMG reused)"),
    ("femsi_reuse_its", "Krylov (reused)"),
    ("ratio_reuse", "femsi / bare (reused)"),
    ("rel_diff", "‖u_femsi − u_bare‖/‖u_bare‖"),
]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_study_arguments(parser)
    parser.add_argument("--degree", type=int, choices=[1, 2], default=2)
    parser.add_argument(
        "--soc",
        type=float,
        default=0.05,
        help="uniform particle SOC that sets eigenstrain and E (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="repeats, fastest kept")
    parser.add_argument("--skip-femsi", action="store_true", help="time the bare script only")
    return parser.parse_args(argv)


def check_options() -> None:
    """Warn when femsi's default mechanics options no longer match the bare script's."""
    femsi_options = petsc_options(SubSolver(), symmetric=True, linear=True, vector=True)
    solver_keys = {k: v for k, v in femsi_options.items() if not k.startswith("snes_")}
    if solver_keys != BARE_OPTIONS and MPI.COMM_WORLD.rank == 0:
        print(
            f"warning: femsi's mechanics options differ from the bare script's:\n"
            f"  femsi {solver_keys}\n  bare  {BARE_OPTIONS}",
            file=sys.stderr,
        )


def timed(comm: MPI.Comm, fn):
    """Run ``fn`` between barriers; returns (result, seconds max over ranks)."""
    comm.Barrier()
    t0 = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - t0
    return result, comm.allreduce(elapsed, op=MPI.MAX)


# --------------------------------------------------------------------------- bare DOLFINx


class BareElasticity:
    """Linear elasticity with a DG0 eigenstrain, assembled and solved with plain DOLFINx."""

    def __init__(self, mesh_model, config, degree: int, soc: float):
        mesh = mesh_model.mesh
        self.comm = mesh.comm
        V = fem.functionspace(mesh, ("Lagrange", degree, (3,)))
        self.V = V
        Q = fem.functionspace(mesh, ("DG", 0))
        E, nu, eig = fem.Function(Q), fem.Function(Q), fem.Function(Q)
        for region, material in config.materials.items():
            cells = mesh_model.cells_of(region)
            E.x.array[cells] = float(material.youngs_modulus(soc))
            nu.x.array[cells] = material.poissons_ratio
            if material.is_active:
                c = soc * material.max_concentration
                eig.x.array[cells] = (
                    material.partial_molar_volume * (c - material.stress_free_concentration) / 3
                )
        mu = E / (2 * (1 + nu))
        lmbda = E * nu / ((1 + nu) * (1 - 2 * nu))
        eye = ufl.Identity(3)

        def sigma(eps):
            return 2 * mu * eps + lmbda * ufl.tr(eps) * eye

        def strain(w):
            return ufl.sym(ufl.grad(w))

        q = max(degree, 2 * (degree - 1))  # femsi's default: exact for the stiffness
        dx = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": q})
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self.a = ufl.inner(sigma(strain(u)), strain(v)) * dx
        self.L = ufl.inner(sigma(eig * eye), strain(v)) * dx
        zero = fem.Constant(mesh, 0.0)
        self.bcs = []
        for axis, name in mesh_model.symmetry.items():
            dofs = fem.locate_dofs_topological(V.sub(axis), 2, mesh_model.facets_of(name))
            self.bcs.append(fem.dirichletbc(zero, dofs, V.sub(axis)))
        self.uh = fem.Function(V, name="u_bare")

    def compile(self) -> None:
        """JIT-compile the forms, create A and b (once per mesh)."""
        self.a_form = fem.form(self.a)
        self.L_form = fem.form(self.L)
        self.A = dolfinx.fem.petsc.create_matrix(self.a_form)
        self.A.setOption(PETSc.Mat.Option.USE_INODES, False)  # as femsi (faster MatMult)
        self.b = dolfinx.fem.petsc.create_vector(self.V)

    def nullspace(self) -> None:
        """Attach the rigid-body near-nullspace."""
        self.rbm = rigid_body_modes(self.V)
        self.A.setNearNullSpace(self.rbm.nullspace)

    def assemble(self) -> None:
        """Assemble A (with the Dirichlet rows) and b (lifted)."""
        A, b = self.A, self.b
        A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(A, self.a_form, bcs=self.bcs)
        A.assemble()
        with b.localForm() as local:
            local.set(0.0)
        dolfinx.fem.petsc.assemble_vector(b, self.L_form)
        dolfinx.fem.petsc.apply_lifting(b, [self.a_form], bcs=[self.bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(b, self.bcs)

    def new_ksp(self) -> PETSc.KSP:
        """A KSP with the bare options (prefix ``bare_``) on A."""
        ksp = PETSc.KSP().create(self.comm)
        ksp.setOptionsPrefix("bare_")
        options = PETSc.Options()
        for key, value in BARE_OPTIONS.items():
            options["bare_" + key] = value
        ksp.setFromOptions()
        ksp.setOperators(self.A)
        return ksp

    def solve(self, ksp: PETSc.KSP) -> int:
        """Solve from zero; returns the iterations (raises if CG did not converge)."""
        x = self.uh.x.petsc_vec
        x.set(0.0)
        ksp.solve(self.b, x)
        self.uh.x.scatter_forward()
        reason = ksp.getConvergedReason()
        if reason <= 0:
            raise RuntimeError(f"bare CG did not converge (reason {reason})")
        return ksp.getIterationNumber()


def bare_once(problem: BareElasticity) -> dict:
    """One bare step with a new AMG setup, then one with the hierarchy reused."""
    comm = problem.comm
    events = common.Events(comm)
    _, assemble_s = timed(comm, problem.assemble)
    ksp = problem.new_ksp()
    _, setup_s = timed(comm, ksp.setUp)
    its, solve_s = timed(comm, lambda: problem.solve(ksp))
    # Second step: new values in A and b (here the same), AMG hierarchy kept.
    ksp.getPC().setReusePreconditioner(True)
    _, reassemble_s = timed(comm, problem.assemble)
    reuse_its, resolve_s = timed(comm, lambda: problem.solve(ksp))
    ksp.destroy()
    log = events.since()
    return {
        "assemble_s": assemble_s,
        "amg_setup_s": setup_s,
        "solve_s": solve_s,
        "its": its,
        "bare_s": assemble_s + setup_s + solve_s,
        "bare_reuse_s": reassemble_s + resolve_s,
        "reuse_its": reuse_its,
        "gamg_setups_log": log["PCSetUp_GAMG+"][0],
    }


# --------------------------------------------------------------------------- femsi


def femsi_mechanics(mesh_model, config):
    """femsi's model and mechanics solver on an existing mesh, as ``femsi.study`` builds them."""
    study = config.study
    model = CoupledModel(mesh_model, config.materials, study.physics)
    options = petsc_options(
        study.solver.mechanics,
        symmetric=not model.follower_pressure,
        linear=model.mechanics_is_linear,
        vector=True,
    )
    rbm = rigid_body_modes(model.Vu)
    return model, rbm, options


def femsi_loaded(mesh_model, config, soc: float):
    """femsi's model with the particle concentration set uniform to ``soc``."""
    model, rbm, options = femsi_mechanics(mesh_model, config)
    model.theta.x.array[model.active_dofs] = soc
    model.theta_n.x.array[:] = model.theta.x.array
    model.sync_concentration()
    return model, rbm, options


def femsi_once(model: CoupledModel, rbm, options: dict) -> dict:
    """femsi's first mechanics step (new solver: fresh AMG), then the same step reusing AMG."""
    comm = model.mesh.comm
    solver = NewtonSolver(
        "mechanics",
        model.mechanics_form,
        model.u,
        model.mechanics_bcs,
        options,
        near_nullspace=rbm.nullspace,
    )
    model.u.x.array[:] = 0.0
    events = common.Events(comm)
    stats, step_s = timed(comm, solver.solve)
    log = events.since()
    if not stats.converged:
        raise RuntimeError(f"femsi mechanics did not converge (reason {stats.reason})")
    # The same step again from u = 0: femsi keeps the AMG hierarchy between steps.
    model.u.x.array[:] = 0.0
    reuse_events = common.Events(comm)
    reuse, reuse_s = timed(comm, solver.solve)
    reuse_log = reuse_events.since()
    del solver
    gc.collect()
    f_count, f_s = log["SNESFunctionEval"]
    amg_s = log["PCSetUp_GAMG+"][1]
    return {
        "femsi_s": step_s,
        "femsi_newton": stats.newton_iterations,
        "femsi_its": stats.linear_iterations,
        "femsi_F": f"{f_count}, {common.fmt(f_s)}",
        "femsi_F_s": f_s,
        "femsi_J_s": log["SNESJacobianEval"][1],
        "femsi_amg_s": amg_s,
        "femsi_amg_count": log["PCSetUp_GAMG+"][0],
        # SNES sets the preconditioner up outside the KSPSolve event.
        "femsi_ksp_s": log["KSPSolve"][1],
        "femsi_reuse_s": reuse_s,
        "femsi_reuse_its": reuse.linear_iterations,
        "femsi_reuse_amg_count": reuse_log["PCSetUp_GAMG+"][0],
        "femsi_reuse_F_s": reuse_log["SNESFunctionEval"][1],
        "femsi_reuse_J_s": reuse_log["SNESJacobianEval"][1],
        "femsi_reuse_ksp_s": reuse_log["KSPSolve"][1],
    }


def fastest(rows: list[dict], key: str, reuse_keys: tuple[str, ...]) -> dict:
    """The repeat with the smallest ``key``, with the reused-step fields of the repeat whose
    reused step was fastest (the two are minimised separately)."""
    best = min(rows, key=lambda r: r[key])
    reuse_key = reuse_keys[0]
    best_reuse = min(rows, key=lambda r: r[reuse_key])
    return {**best, **{k: best_reuse[k] for k in reuse_keys}}


def relative_difference(model: CoupledModel, bare: BareElasticity) -> float:
    """‖u_femsi − u_bare‖ / ‖u_bare‖ over the displacement DOFs."""
    ub = fem.Function(model.Vu)
    ub.interpolate(bare.uh)
    n = model.Vu.dofmap.index_map.size_local * model.Vu.dofmap.index_map_bs
    diff = model.u.x.array[:n] - ub.x.array[:n]
    comm = model.mesh.comm
    num = comm.allreduce(float(diff @ diff), op=MPI.SUM)
    den = comm.allreduce(float(ub.x.array[:n] @ ub.x.array[:n]), op=MPI.SUM)
    return float(np.sqrt(num / den)) if den > 0 else float("nan")


# --------------------------------------------------------------------------- driver


def one_size(args, mesh_size: float, comm: MPI.Comm = MPI.COMM_WORLD) -> dict:
    config = femsi.load_config(
        common.study_dict(
            mesh_size,
            matrix_ratio=args.matrix_ratio,
            mechanics="small_strain",
            degree=args.degree,
        ),
        args.overrides,
    )
    gc.collect()
    mesh_model, mesh_s = timed(comm, lambda: build_mesh(config.study.geometry, comm))
    bare = BareElasticity(mesh_model, config, args.degree, args.soc)
    row = {
        "ranks": comm.size,
        "mesh_size_um": f"{mesh_size:g} ({mesh_size * args.matrix_ratio:g})",
        "cells": mesh_model.mesh.topology.index_map(3).size_global,
        "degree": args.degree,
        "dofs": bare.V.dofmap.index_map.size_global * 3,
        "mesh_s": mesh_s,
    }
    _, row["compile_s"] = timed(comm, bare.compile)
    _, row["nullspace_s"] = timed(comm, bare.nullspace)
    femsi_parts = None if args.skip_femsi else femsi_loaded(mesh_model, config, args.soc)
    # Bare and femsi alternate, so a load change on a shared machine hits both alike.
    bare_rows, femsi_rows = [], []
    for _ in range(args.repeat):
        bare_rows.append(bare_once(bare))
        if femsi_parts is not None:
            femsi_rows.append(femsi_once(*femsi_parts))
    row |= fastest(bare_rows, "bare_s", ("bare_reuse_s", "reuse_its"))
    if femsi_parts is not None:
        reuse_keys = tuple(k for k in femsi_rows[0] if k.startswith("femsi_reuse"))
        row |= fastest(femsi_rows, "femsi_s", reuse_keys)
        row["ratio"] = row["femsi_s"] / row["bare_s"]
        row["ratio_reuse"] = row["femsi_reuse_s"] / row["bare_reuse_s"]
        row["rel_diff"] = relative_difference(femsi_parts[0], bare)
    peak_max, peak_sum = common.peak_rss_mb(comm)
    row |= {"peak_mb_max": peak_max, "peak_mb_sum": peak_sum}
    return row


def warm_up(args, comm: MPI.Comm) -> None:
    """Compile every form on a coarse mesh (JIT cache), untimed."""
    quick = argparse.Namespace(**{**vars(args), "repeat": 1})
    one_size(quick, common.WARMUP_MESH_SIZE, comm)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    comm = MPI.COMM_WORLD

    def measure(sizes):
        check_options()
        PETSc.Log.begin()
        warm_up(args, comm)
        return [one_size(args, h, comm) for h in sizes]

    rows = common.collect_rows(Path(__file__).resolve(), args, argv, comm, measure)
    if comm.rank == 0:
        common.write_json(args.json_out, rows, comm)
        if not args.quiet:
            print(
                f"\nBare DOLFINx linear elasticity (CG + GAMG + rigid-body near-nullspace) on "
                f"femsi's particle_in_matrix mesh, P{args.degree}, uniform particle SOC "
                f"{args.soc:g}; fastest of {args.repeat}\n"
            )
            print(common.markdown_table(BARE_COLUMNS, rows))
            if not args.skip_femsi:
                print(
                    "\nfemsi small-strain mechanics step (NewtonSolver) on the same mesh and "
                    "load, against the bare script\n"
                )
                print(common.markdown_table(COMPARE_COLUMNS, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
