"""Benchmark a full lithiation of a composite electrode in a cell with a rigid plate.

A 20 x 20 um footprint, 20 um composite layer of a-Si spheres (radius 2 um, 45 % by volume, 107
particles) in Li6PS5Cl under a 5 um Li6PS5Cl separator, in a die under a stack-pressure plate
(50 MPa preload), lithiated at 1C to SOC 0.95. The a-Si diffusivity is raised to 1e-14 m²/s so
that the whole particle lithiates at 1C (with the library's 1e-16 m²/s the surface saturates
near SOC 0.15 and the run stops there): the benchmark measures the solver, not diffusion
limitation. Each mesh level is one ``femsi.run``; packing and meshing are timed separately
(``manifest.json`` phase ``mesh``, with the mesh cache off).

Columns: cells, displacement DOFs, particles and fraction, packing + meshing seconds, steps,
mechanics seconds per step and per Newton iteration, Newton iterations per step, Krylov
iterations per linear solve (mean and max over steps: GAMG with the rigid-body near-nullspace
keeps them nearly flat under refinement), GAMG setups, peak memory and total wall time.

    python benchmarks/electrode.py                          # the 344k-DOF level, full lithiation
    python benchmarks/electrode.py --levels coarse medium --until-soc 0.1   # Krylov vs h
    mpirun -n 2 python benchmarks/electrode.py --levels coarse --until-soc 0.05
"""

from __future__ import annotations

import argparse
import json
import os
import time

from mpi4py import MPI

import common

import femsi

#: Mesh sizes (matrix, particle, interface) in um per level, with their measured sizes.
LEVELS = {
    "coarse": (3.0, 1.5, 1.2),  # refinement ratio 1.5 between levels
    "medium": (2.0, 1.0, 0.8),  # 83k cells, 344k P2 displacement DOFs
    "fine": (1.5, 0.8, 0.6),  # 167k cells, 687k P2 displacement DOFs
}

COLUMNS = [
    ("ranks", "ranks"),
    ("level", "level"),
    ("cells", "cells"),
    ("dofs", "displacement DOFs"),
    ("particles", "particles"),
    ("fraction", "Si fraction"),
    ("mesh_s", "packing + meshing s"),
    ("steps", "steps"),
    ("final_soc", "final SOC"),
    ("mech_per_step_s", "mechanics s/step"),
    ("mech_per_newton_s", "mechanics s/Newton"),
    ("newton_per_step", "Newton/step"),
    ("krylov_mean", "Krylov/solve mean"),
    ("krylov_max", "Krylov/solve max"),
    ("pc_setups", "GAMG setups"),
    ("peak_mb_max", "peak MB (max rank)"),
    ("total_s", "total s"),
    ("status", "status"),
]


def study(level: str, args) -> dict:
    """The electrode study at one mesh level."""
    h, h_particle, h_interface = LEVELS[level]
    return {
        "study": f"bench-electrode-{level}",
        "geometry": {
            "type": "electrode",
            "width": "20 um",
            "electrode_thickness": "20 um",
            "separator_thickness": "5 um",
            "radius": "2 um",
            "volume_fraction": 0.45,
            "seed": 0,
            "mesh_size": f"{h} um",
            "particle_mesh_size": f"{h_particle} um",
            "interface_mesh_size": f"{h_interface} um",
        },
        "materials": {
            "particle": {"base": "amorphous_silicon", "diffusivity": "1e-14 m^2/s"},
            "matrix": "li6ps5cl",
        },
        "physics": {"mechanics": args.mechanics, "displacement_degree": 2},
        "cell": {"plate": args.plate},
        "protocol": [
            {"preload": {"pressure": "50 MPa", "increments": 2}},
            {"lithiate": {"c_rate": 1, "until_soc": args.until_soc}},
        ],
        "time": {"initial_step": "30 s", "max_step": "120 s", "max_soc_change": 0.02},
        "outputs": {"every": 0, "fields": False, "figures": False},
    }


def measure(level: str, args, comm) -> dict:
    """One run at one level; its row."""
    folder = common.temp_dir(comm)
    started = time.perf_counter()
    config = femsi.load_config(study(level, args), args.overrides)
    result = femsi.run(config, folder / "run", progress=False)
    total = time.perf_counter() - started
    manifest = json.loads((folder / "run" / "manifest.json").read_text())
    rows = [r for r in result.rows if r["protocol_kind"] == "lithiate"]
    solves = [r for r in rows if r["newton_mechanics"] > 0]
    krylov = [r["krylov_mechanics"] / r["newton_mechanics"] for r in solves]
    phases = manifest["wall_time_s"]
    mech = manifest["iterations"]["mechanics"]
    newton = sum(r["newton_mechanics"] for r in rows)
    peak_max, _ = common.peak_rss_mb(comm)
    info = result.summary.get("geometry", {})
    common.remove_dir(folder, comm)
    return {
        "ranks": comm.size,
        "level": level,
        "cells": manifest["mesh"]["cells"],
        "dofs": manifest["dofs"]["displacement"],
        "particles": info.get("particles"),
        "fraction": info.get("volume_fraction"),
        "mesh_s": phases.get("mesh"),
        "steps": len(rows),
        "final_soc": rows[-1]["soc"] if rows else None,
        "mech_per_step_s": phases.get("solve_mechanics", 0.0) / max(len(result.rows) - 1, 1),
        "mech_per_newton_s": phases.get("solve_mechanics", 0.0) / max(mech["newton"], 1),
        "newton_per_step": newton / max(len(rows), 1),
        "krylov_mean": sum(krylov) / len(krylov) if krylov else None,
        "krylov_max": max(krylov) if krylov else None,
        "pc_setups": mech["preconditioner_setups"],
        "peak_mb_max": peak_max,
        "total_s": total,
        "status": result.status,
    }


def main() -> None:
    """Run the levels and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", default=["medium"], choices=list(LEVELS))
    parser.add_argument("--until-soc", type=float, default=0.95)
    parser.add_argument(
        "--mechanics", default="finite_strain", choices=["finite_strain", "small_strain"]
    )
    parser.add_argument(
        "--plate", default="stack_pressure", choices=["stack_pressure", "fixed_gap"]
    )
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--json-out", type=common.Path)
    args = parser.parse_args()
    os.environ["FEMSI_MESH_CACHE"] = "0"  # time the packing and meshing every time
    comm = MPI.COMM_WORLD
    rows = [measure(level, args, comm) for level in args.levels]
    common.write_json(args.json_out, rows, comm)
    if comm.rank == 0:
        print(
            f"\nelectrode, {args.mechanics}, plate {args.plate}, 1C to SOC {args.until_soc}, "
            f"{comm.size} rank(s)\n"
        )
        print(common.markdown_table(COLUMNS, rows))


if __name__ == "__main__":
    main()
