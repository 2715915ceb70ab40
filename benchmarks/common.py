"""Shared pieces of the benchmark scripts: the study, memory, PETSc events, tables, relaunching.

Imported by ``particle_in_matrix.py`` and ``bare_elasticity.py`` from the same folder.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mpi4py import MPI  # first: the DOLFINx wheel needs MPI loaded before PETSc
from petsc4py import PETSc

REPO = Path(__file__).resolve().parents[1]

#: Default mesh sizes (um) of the particle. With ``matrix_mesh_size = 2 * mesh_size`` they give
#: 13,614 / 90,048 / 645,312 P2 displacement DOFs (2,712 / 19,984 / 152,451 cells).
DEFAULT_MESH_SIZES = (0.2, 0.1, 0.05)

#: Small sizes for a quick check (30,528 and 58,887 P2 DOFs at 0.15 and 0.12 um).
SMALL_MESH_SIZES = (0.15, 0.12)

#: Mesh size of the untimed warm-up run that compiles the forms (JIT) before any timed run.
WARMUP_MESH_SIZE = 0.4


def study_dict(
    mesh_size_um: float,
    *,
    matrix_ratio: float = 2.0,
    mechanics: str = "finite_strain",
    degree: int = 2,
    duration_s: float = 300.0,
    step_s: float = 60.0,
) -> dict:
    """The particle-in-matrix study of the benchmarks as a femsi config mapping.

    Args:
        mesh_size_um: ``geometry.mesh_size`` in um (the particle's element size).
        matrix_ratio: ``matrix_mesh_size / mesh_size`` (the matrix mesh coarsens linearly from
            ``mesh_size`` at the particle surface to this at the outer surface).
        mechanics: ``finite_strain`` or ``small_strain``.
        degree: Displacement degree (1 or 2).
        duration_s: Duration of the 1C lithiation.
        step_s: Initial and maximum time step.
    """
    config = {
        "study": f"bench-pim-{mechanics}-h{mesh_size_um:g}um",
        "geometry": {
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_shape": "sphere",
            "matrix_size": "3 um",
            "symmetry": "octant",
            "mesh_size": f"{mesh_size_um:g} um",
            "matrix_mesh_size": f"{matrix_ratio * mesh_size_um:g} um",
        },
        "materials": {"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        "physics": {"mechanics": mechanics, "displacement_degree": degree},
        "protocol": [{"lithiate": {"c_rate": 1, "duration": f"{duration_s:g} s"}}],
        "time": {"initial_step": f"{step_s:g} s", "max_step": f"{step_s:g} s"},
        "outputs": {"every": 0, "figures": False, "fields": False},
    }
    return config


def add_study_arguments(parser) -> None:
    """Command-line options shared by both scripts."""
    parser.add_argument(
        "--mesh-sizes",
        type=float,
        nargs="+",
        default=list(DEFAULT_MESH_SIZES),
        metavar="UM",
        help="particle mesh sizes in um (default: %(default)s)",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help=f"use the small test sizes {' '.join(map(str, SMALL_MESH_SIZES))} um",
    )
    parser.add_argument(
        "--matrix-ratio",
        type=float,
        default=2.0,
        help="matrix_mesh_size / mesh_size (default: %(default)s)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        dest="overrides",
        help="femsi config override, as femsi's --set (repeatable), e.g. "
        "solver.mechanics.petsc_options.snes_ksp_ew=false",
    )
    parser.add_argument("--both", action="store_true", help="run under mpirun -n 1 and -n 2")
    parser.add_argument(
        "--launch",
        type=int,
        nargs="+",
        metavar="N",
        help="run under mpirun -n N for each N, one process per (N, mesh size)",
    )
    parser.add_argument("--json-out", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--quiet", action="store_true", help="print no table (with --json-out)")


def mesh_sizes(args) -> list[float]:
    """The requested mesh sizes, coarsest first (so the memory high-water mark rises)."""
    sizes = list(SMALL_MESH_SIZES) if args.small else args.mesh_sizes
    return sorted(sizes, reverse=True)


# --------------------------------------------------------------------------- measurements


def peak_rss_mb(comm: MPI.Comm = MPI.COMM_WORLD) -> tuple[float, float]:
    """Peak resident memory (ru_maxrss) of this process since it started, MB.

    Returns:
        (max over ranks, sum over ranks).
    """
    local = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    return comm.allreduce(local, op=MPI.MAX), comm.allreduce(local, op=MPI.SUM)


class Events:
    """Differences of PETSc log events (time max over ranks, count on rank 0) between snapshots.

    ``PETSc.Log.begin()`` must have been called before the events of interest happen.
    """

    NAMES = (
        "SNESSolve",
        "SNESFunctionEval",
        "SNESJacobianEval",
        "KSPSolve",
        "PCSetUp",
        "PCSetUp_GAMG+",
        "PCApply",
        "MatMult",
    )

    def __init__(self, comm: MPI.Comm = MPI.COMM_WORLD):
        self.comm = comm
        self.start = self._now()

    def _now(self) -> dict[str, tuple[int, float]]:
        values = {}
        for name in self.NAMES:
            info = PETSc.Log.Event(name).getPerfInfo()
            values[name] = (int(info["count"]), float(info["time"]))
        return values

    def since(self) -> dict[str, tuple[int, float]]:
        """(count, seconds) of every event since construction; seconds are the max over ranks."""
        now = self._now()
        out = {}
        for name in self.NAMES:
            count = now[name][0] - self.start[name][0]
            seconds = self.comm.allreduce(now[name][1] - self.start[name][1], op=MPI.MAX)
            out[name] = (count, seconds)
        return out


def temp_dir(comm: MPI.Comm = MPI.COMM_WORLD, prefix: str = "femsi-bench-") -> Path:
    """A fresh temporary folder made on rank 0, its path known to all ranks."""
    path = tempfile.mkdtemp(prefix=prefix) if comm.rank == 0 else None
    return Path(comm.bcast(path, root=0))


def remove_dir(path: Path, comm: MPI.Comm = MPI.COMM_WORLD) -> None:
    """Remove a folder from :func:`temp_dir` once every rank is done with it."""
    comm.Barrier()
    if comm.rank == 0:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- output


def fmt(value, digits: int = 3) -> str:
    """A table cell: integers with thousands separators, floats to ``digits`` significant."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if value == 0:
        return "0"
    if abs(value) >= 10**digits:
        return f"{value:,.0f}"
    return f"{value:#.{digits}g}".rstrip(".")


def markdown_table(columns: list[tuple[str, str]], rows: list[dict]) -> str:
    """A Markdown table; ``columns`` are (row key, header) pairs; numbers right-aligned."""
    header = "| " + " | ".join(h for _, h in columns) + " |"
    rule = (
        "|"
        + "|".join(
            "---:" if any(isinstance(r.get(k), int | float) for r in rows) else "---"
            for k, _ in columns
        )
        + "|"
    )
    lines = [header, rule]
    for row in rows:
        lines.append("| " + " | ".join(fmt(row.get(k)) for k, _ in columns) + " |")
    return "\n".join(lines)


def write_json(path: Path | None, rows: list[dict], comm: MPI.Comm = MPI.COMM_WORLD) -> None:
    """Write the rows as JSON on rank 0 (nothing without a path)."""
    if path is not None and comm.rank == 0:
        path.write_text(json.dumps(rows, indent=2))


# --------------------------------------------------------------------------- relaunching


def mpirun() -> str:
    """The mpirun of this Python environment (the mpich wheel installs it next to python)."""
    beside = Path(sys.executable).parent / "mpirun"
    if beside.exists():
        return str(beside)
    found = shutil.which("mpirun")
    if found is None:
        raise SystemExit("mpirun not found next to python or on PATH")
    return found


def strip_launch_options(argv: list[str]) -> list[str]:
    """The command line without ``--both``, ``--launch N...``, ``--mesh-sizes ...``, ``--small``,
    ``--json-out X`` and ``--quiet`` (the relauncher sets those per child)."""
    out, skip_values, i = [], False, 0
    while i < len(argv):
        arg = argv[i]
        if skip_values:
            if arg.startswith("--"):
                skip_values = False
            else:
                i += 1
                continue
        if arg in ("--both", "--small", "--quiet"):
            i += 1
            continue
        if arg in ("--launch", "--mesh-sizes"):
            skip_values = True
            i += 1
            continue
        if arg == "--json-out":
            i += 2
            continue
        if arg.startswith(("--launch=", "--mesh-sizes=", "--json-out=")):
            i += 1
            continue
        out.append(arg)
        i += 1
    return out


def relaunch(script: Path, ranks: list[int], sizes: list[float], argv: list[str]) -> list[dict]:
    """Run ``script`` under ``mpirun -n N`` once per (N, mesh size) and collect its rows.

    One process per mesh size keeps ``ru_maxrss`` (a high-water mark) specific to that size.
    """
    rows: list[dict] = []
    passthrough = strip_launch_options(argv)
    with tempfile.TemporaryDirectory(prefix="femsi-bench-rows-") as tmp:
        for n in ranks:
            for h in sizes:
                out = Path(tmp) / f"rows-{n}-{h:g}.json"
                cmd = [
                    mpirun(),
                    "-n",
                    str(n),
                    sys.executable,
                    str(script),
                    "--mesh-sizes",
                    f"{h:g}",
                    "--json-out",
                    str(out),
                    "--quiet",
                    *passthrough,
                ]
                print(f"# {' '.join(cmd)}", file=sys.stderr, flush=True)
                done = subprocess.run(cmd, check=False)
                if done.returncode != 0 or not out.exists():
                    rows.append({"ranks": n, "mesh_size_um": h, "status": "crashed"})
                    continue
                rows.extend(json.loads(out.read_text()))
    return rows


def collect_rows(script: Path, args, argv: list[str], comm, measure) -> list[dict]:
    """Rows for every mesh size of a benchmark script.

    With ``--both`` or ``--launch`` the script relaunches itself under ``mpirun`` once per
    (ranks, size) and gathers the rows; otherwise ``measure(sizes)`` runs here.
    """
    sizes = mesh_sizes(args)
    ranks = [1, 2] if args.both else args.launch
    if not ranks:
        return measure(sizes)
    if comm.size > 1:
        raise SystemExit("--both/--launch start mpirun themselves: run them without mpirun")
    return relaunch(script, ranks, sizes, argv)
