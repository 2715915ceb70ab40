"""Benchmark femsi on the particle-in-matrix study at several mesh sizes.

A 1 um amorphous-Si particle in a Li6PS5Cl sphere of radius 3 um (octant), lithiated at 1C for
300 s in 60 s steps (5 steps), P2 displacement. Each mesh size is one ``femsi.run`` in a
temporary folder; the phases come from the run's ``manifest.json``, the per-step iteration
counts from its time series, and AMG setups from the PETSc log. Prints a Markdown table on
rank 0. See ``benchmarks/README.md`` for the columns.

    python benchmarks/particle_in_matrix.py --mesh-sizes 0.2 0.1 0.05
    mpirun -n 2 python benchmarks/particle_in_matrix.py --small
    python benchmarks/particle_in_matrix.py --both --mechanics small_strain
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

from mpi4py import MPI
from petsc4py import PETSc

import common

import femsi

COLUMNS = [
    ("ranks", "ranks"),
    ("mesh_size_um", "mesh size um (matrix)"),
    ("cells", "cells"),
    ("dofs", "displacement DOFs"),
    ("mesh_s", "mesh s"),
    ("setup_s", "setup s"),
    ("diffusion_s", "diffusion solve s"),
    ("mech_per_step_s", "mechanics solve s/step"),
    ("newton_per_step", "Newton its/step"),
    ("krylov_per_newton", "Krylov its/Newton"),
    ("pc_setups", "PC setups femsi (GAMG)"),
    ("amg_setup_s", "GAMG setup s"),
    ("peak_mb_max", "peak MB max rank"),
    ("peak_mb_sum", "peak MB sum ranks"),
    ("mdof_its_per_s", "MDOF·its/s"),
    ("steps", "steps"),
    ("total_s", "total s"),
    ("status", "status"),
]

LOG_COLUMNS = [
    ("ranks", "ranks"),
    ("mesh_size_um", "mesh size um (matrix)"),
    ("dofs", "displacement DOFs"),
    ("mechanics_s", "mechanics solve s (all steps)"),
    ("log_F", "residual evals: n, s"),
    ("log_J", "Jacobian evals: n, s"),
    ("log_KSP", "KSPSolve: n, s"),
    ("log_GAMG", "GAMG setups: n, s"),
    ("log_MatMult", "MatMult: n, s"),
    ("newton_total", "Newton its"),
    ("krylov_total", "Krylov its"),
    ("untimed_s", "untimed s"),
]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_study_arguments(parser)
    parser.add_argument(
        "--mechanics", choices=["finite_strain", "small_strain"], default="finite_strain"
    )
    parser.add_argument("--degree", type=int, choices=[1, 2], default=2)
    parser.add_argument("--duration", type=float, default=300.0, help="lithiation time, s")
    parser.add_argument("--step", type=float, default=60.0, help="time step, s")
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the untimed coarse run that JIT-compiles the forms first",
    )
    return parser.parse_args(argv)


def one_run(args, mesh_size: float, comm: MPI.Comm = MPI.COMM_WORLD) -> dict:
    """Run the study at one mesh size and return its table row (complete on rank 0)."""
    config = femsi.load_config(
        common.study_dict(
            mesh_size,
            matrix_ratio=args.matrix_ratio,
            mechanics=args.mechanics,
            degree=args.degree,
            duration_s=args.duration,
            step_s=args.step,
        ),
        args.overrides,
    )
    folder = common.temp_dir(comm)
    gc.collect()
    before_max, _ = common.peak_rss_mb(comm)
    events = common.Events(comm)
    comm.Barrier()
    t0 = time.perf_counter()
    result = femsi.run(config, folder / "run", progress=False, overwrite=True, comm=comm)
    wall = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
    log = events.since()
    peak_max, peak_sum = common.peak_rss_mb(comm)
    row = None
    if comm.rank == 0:
        manifest = json.loads((folder / "run" / "manifest.json").read_text())
        row = summarise(manifest, result, log, mesh_size * args.matrix_ratio, mesh_size)
        row |= {
            "ranks": comm.size,
            "peak_mb_max": peak_max if peak_max > before_max else f"≤ {peak_max:,.0f}",
            "peak_mb_sum": peak_sum,
            "wall_s": wall,
        }
    common.remove_dir(folder, comm)
    return row


def summarise(manifest: dict, result, log: dict, matrix_h: float, h: float) -> dict:
    """The table row of one run from its manifest, time series and PETSc log."""
    wall = manifest["wall_time_s"]
    mech = manifest["iterations"].get("mechanics", {})
    steps = [r for r in result.rows if r["step"] > 0]
    n_steps = len(steps)
    newton = sum(int(r["newton_mechanics"]) for r in steps)
    krylov = sum(int(r["krylov_mechanics"]) for r in steps)
    mech_s = wall.get("solve_mechanics", 0.0)
    dofs = manifest["dofs"]["displacement"]
    gamg_count, gamg_s = log["PCSetUp_GAMG+"]
    return {
        "mesh_size_um": f"{h:g} ({matrix_h:g})",
        "cells": manifest["mesh"]["cells"],
        "dofs": dofs,
        "mesh_s": wall.get("mesh"),
        "setup_s": wall.get("setup"),
        "diffusion_s": wall.get("solve_diffusion"),
        "mechanics_s": mech_s,
        "mech_per_step_s": mech_s / n_steps if n_steps else None,
        "newton_per_step": newton / n_steps if n_steps else None,
        "krylov_per_newton": krylov / newton if newton else None,
        "newton_total": newton,
        "krylov_total": krylov,
        "pc_setups": f"{mech.get('preconditioner_setups', 0)} ({gamg_count})",
        "pc_setups_femsi": mech.get("preconditioner_setups", 0),
        "gamg_setups_log": gamg_count,
        "amg_setup_s": gamg_s,
        "mdof_its_per_s": dofs * krylov / mech_s / 1e6 if mech_s > 0 else None,
        "steps": n_steps,
        "total_s": wall.get("total"),
        "untimed_s": wall.get("total", 0.0) - sum(v for k, v in wall.items() if k != "total"),
        "phases_s": wall,
        "status": manifest["status"],
        "petsc_log": {k: {"count": c, "s": t} for k, (c, t) in log.items()},
        **{
            f"log_{key}": f"{log[name][0]}, {common.fmt(log[name][1])}"
            for key, name in (
                ("F", "SNESFunctionEval"),
                ("J", "SNESJacobianEval"),
                ("KSP", "KSPSolve"),
                ("GAMG", "PCSetUp_GAMG+"),
                ("MatMult", "MatMult"),
            )
        },
        "manifest_iterations": manifest["iterations"],
        "per_step": [
            {k: r[k] for k in ("step", "soc", "newton_mechanics", "krylov_mechanics")}
            for r in steps
        ],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    comm = MPI.COMM_WORLD

    def measure(sizes):
        PETSc.Log.begin()
        if not args.no_warmup:
            one_run(args, common.WARMUP_MESH_SIZE, comm)
        return [one_run(args, h, comm) for h in sizes]

    rows = common.collect_rows(Path(__file__).resolve(), args, argv, comm, measure)
    if comm.rank == 0:
        common.write_json(args.json_out, rows, comm)
        if not args.quiet:
            print(
                f"\nfemsi particle_in_matrix, {args.mechanics}, P{args.degree}, "
                f"{args.duration:g} s at 1C in {args.step:g} s steps, matrix mesh size "
                f"{args.matrix_ratio:g} x particle mesh size\n"
            )
            print(common.markdown_table(COLUMNS, rows))
            print(
                "\nPETSc log of the same runs (all SNES solves: mechanics and diffusion; "
                "time max over ranks)\n"
            )
            print(common.markdown_table(LOG_COLUMNS, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
