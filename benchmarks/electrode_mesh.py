"""Benchmark the composite-electrode geometry: packing, Gmsh meshing, cache, cells and DOFs.

A 20 x 20 um footprint, 20 um composite layer of a-Si spheres (radius 2 um, 45 % by volume)
under a 5 um separator, meshed at several sizes; each size is built once with the cache off
(packing + OCC + meshing + distribution) and once more from a fresh cache (miss, then hit).
Prints a Markdown table on rank 0.

    python benchmarks/electrode_mesh.py
    python benchmarks/electrode_mesh.py --sizes 2,1,0.8 --fraction 0.5
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from mpi4py import MPI

from dolfinx import fem
from pydantic import TypeAdapter

from femsi.config.schema import Geometry
from femsi.geometry import build_mesh


def electrode(args, sizes) -> dict:
    """The geometry section of one run (sizes: matrix, particle, interface mesh size in um)."""
    h, h_in, h_s = sizes
    return {
        "type": "electrode",
        "width": f"{args.width} um",
        "electrode_thickness": f"{args.thickness} um",
        "separator_thickness": f"{args.separator} um",
        "radius": f"{args.radius} um",
        "volume_fraction": args.fraction,
        "seed": args.seed,
        "mesh_size": f"{h} um",
        "particle_mesh_size": f"{h_in} um",
        "interface_mesh_size": f"{h_s} um",
    }


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=float, default=20.0)
    parser.add_argument("--thickness", type=float, default=20.0)
    parser.add_argument("--separator", type=float, default=5.0)
    parser.add_argument("--radius", type=float, default=2.0)
    parser.add_argument("--fraction", type=float, default=0.45)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=["2,1,0.8", "1.5,0.8,0.6"],
        help="mesh_size,particle_mesh_size,interface_mesh_size in um, one triple per run",
    )
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    rows = []
    for text in args.sizes:
        sizes = tuple(float(v) for v in text.split(","))
        g = TypeAdapter(Geometry).validate_python(electrode(args, sizes))
        os.environ["FEMSI_MESH_CACHE"] = "0"
        t0 = time.perf_counter()
        model = build_mesh(g, comm)
        built = time.perf_counter() - t0
        V = fem.functionspace(model.mesh, ("Lagrange", 2, (3,)))
        dofs = V.dofmap.index_map.size_global * 3
        with tempfile.TemporaryDirectory() as folder:
            os.environ.update(FEMSI_MESH_CACHE="1", FEMSI_CACHE_DIR=comm.bcast(folder, root=0))
            t0 = time.perf_counter()
            build_mesh(g, comm)
            miss = time.perf_counter() - t0
            t0 = time.perf_counter()
            hit = build_mesh(g, comm)
            read = time.perf_counter() - t0
            assert hit.info["mesh_cache"] == "hit"
        info = model.info
        rows.append(
            (
                comm.size, text, info["particles"], f"{info['volume_fraction']:.3f}",
                f"{info['packing_s']:.2f}", f"{info['meshing_s']:.1f}", f"{built:.1f}",
                f"{miss:.1f}", f"{read:.2f}", f"{info['cells']:,}", f"{dofs:,}",
            )
        )  # fmt: skip
    if comm.rank == 0:
        head = (
            "ranks", "h matrix,particle,interface um", "particles", "fraction", "packing s",
            "Gmsh s", "build s (no cache)", "build s (cache miss)", "read s (cache hit)",
            "cells", "P2 displacement DOFs",
        )  # fmt: skip
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---:" for _ in head) + "|")
        for row in rows:
            print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    main()
