"""What a sweep costs per run beyond the solve: process start, imports, JIT compilation.

Runs one small sweep (``--runs`` variants of the tiny test study: 1 um sphere octant,
mesh 0.25 um, small strain, P1, two 10 s steps, no fields or figures) several times:

1. ``cold``: 1 worker, an empty FFCx JIT cache (``XDG_CACHE_HOME`` set to a new folder), so
   every form is compiled (JIT cache miss) in the first run;
2. ``warm``: 1 worker, the cache of (1): every run hits it;
3. ``warm, 2 workers``: the same with two runs at a time;
4. ``cold, 2 workers``: a fresh cache and two runs compiling the same forms concurrently (FFCx's
   exclusive ``.c`` file and ready marker make them share one compilation);
5. ``warm, all runs in one process`` (``runs_per_process``): the start and imports paid once.

For each it prints the sweep's wall time, the mean per-run process wall time as the pool sees
it (``python -m femsi sweep-task``: interpreter start, imports, claim, config load, run,
figures, exit), the run's own ``wall_time_s.total`` from ``manifest.json`` and the part of it
spent in the solvers (``solve_diffusion + solve_mechanics``) and meshing, and the overhead
(process wall − femsi total). A second table measures the parts of the fixed cost directly:
``python -c pass``, ``import femsi.study`` and the expansion and validation of the sweep.

Usage (from the repository root)::

    .venv/bin/python benchmarks/sweep_overhead.py [--runs 4] [--json-out overhead.json]

The mesh cache (``FEMSI_CACHE_DIR``, Gmsh geometries) is not in this branch yet; when it is,
the ``mesh s`` column shows its hits. Timings vary by tens of percent on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STUDY = {
    "study": "overhead",
    "geometry": {"type": "sphere", "radius": "1 um", "symmetry": "octant", "mesh_size": "0.25 um"},
    "materials": {"particle": "amorphous_silicon"},
    "physics": {"mechanics": "small_strain", "displacement_degree": 1},
    "protocol": [{"lithiate": {"c_rate": 1, "duration": "20 s"}}],
    "time": {"initial_step": "10 s", "max_step": "10 s"},
    "outputs": {"every": 0, "figures": False, "fields": False},
}


def write_sweep(folder: Path, runs: int) -> Path:
    """The study and a sweep of ``runs`` C-rates over it."""
    (folder / "base.yaml").write_text(yaml.safe_dump(STUDY))
    rates = [round(1 + 0.25 * i, 2) for i in range(runs)]
    sweep = {"base": "base.yaml", "sweep": {"grid": {"protocol.0.lithiate.c_rate": rates}}}
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep))
    return path


def timed(command: list[str], env: dict | None = None) -> float:
    """Wall time of a command (best of 3)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=REPO)
        best = min(best, time.perf_counter() - t0)
    return best


def measure(
    label: str, sweep_file: Path, out: Path, workers: int, cache: Path, per_process: int = 1
) -> dict:
    """Run the sweep with a given JIT cache and collect the per-run numbers."""
    from femsi.sweeps.folder import prepare_sweep_folder, read_sweep
    from femsi.sweeps.local import run_local
    from femsi.sweeps.spec import load_sweep

    os.environ["XDG_CACHE_HOME"] = str(cache)  # the children's FFCx cache
    sweep = load_sweep(sweep_file)
    prepare_sweep_folder(out, sweep)
    t0 = time.perf_counter()
    result = run_local(
        out, read_sweep(out)["runs"], workers, 1, progress=False, runs_per_process=per_process
    )
    wall = time.perf_counter() - t0
    if result.failed:
        raise SystemExit(f"{label}: runs failed: {result.failed}")
    process, total, solve, mesh, setup = [], [], [], [], []
    for name, seconds in result.wall_s.items():
        phases = json.loads((out / "runs" / name / "manifest.json").read_text())["wall_time_s"]
        process.append(seconds)
        total.append(phases["total"])
        solve.append(phases.get("solve_diffusion", 0.0) + phases.get("solve_mechanics", 0.0))
        mesh.append(phases.get("mesh", 0.0))
        setup.append(phases.get("setup", 0.0))

    def mean(values):
        return sum(values) / len(values)

    return {
        "case": label,
        "workers": workers,
        "runs_per_process": per_process,
        "runs": len(process),
        "sweep_wall_s": wall,
        "process_s": mean(process),
        "first_process_s": process[0] if workers == 1 else max(process),
        "femsi_total_s": mean(total),
        "setup_s": mean(setup),
        "mesh_s": mean(mesh),
        "solve_s": mean(solve),
        "overhead_s": mean(process) - mean(total),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4, help="runs in the sweep (default 4)")
    parser.add_argument("--json-out", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="femsi-sweep-overhead-") as tmp:
        tmp = Path(tmp)
        sweep_file = write_sweep(tmp, args.runs)
        cold, cold2 = tmp / "cache-cold", tmp / "cache-cold-2"
        rows.append(measure("cold JIT cache", sweep_file, tmp / "s1", 1, cold))
        rows.append(measure("warm JIT cache", sweep_file, tmp / "s2", 1, cold))
        rows.append(measure("warm JIT cache", sweep_file, tmp / "s3", 2, cold))
        rows.append(measure("cold JIT cache", sweep_file, tmp / "s4", 2, cold2))
        rows.append(measure("warm JIT cache", sweep_file, tmp / "s5", 1, cold, args.runs))
        env = {**os.environ, "XDG_CACHE_HOME": str(cold)}
        python = [sys.executable]
        t0 = time.perf_counter()
        from femsi.sweeps.spec import load_sweep

        load_sweep(sweep_file)
        expand_s = time.perf_counter() - t0
        parts = {
            "python -c pass": timed([*python, "-c", "pass"], env),
            "python -c 'import femsi.study'": timed([*python, "-c", "import femsi.study"], env),
            "python -m femsi --help": timed([*python, "-m", "femsi", "--help"], env),
            f"expand + validate the sweep ({args.runs} runs, in process)": expand_s,
        }
    print(
        f"\n### Sweep overhead: {args.runs} tiny runs (1 um octant, P1, 2 steps), 1 MPI rank each\n"
    )
    print(
        "| case | workers | runs/process | sweep wall s | process s/run | first/slowest run s "
        "| femsi total s/run "
        "| setup s/run | mesh s/run | solve s/run | overhead s/run | overhead % |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['case']} | {r['workers']} | {r['runs_per_process']} | "
            f"{r['sweep_wall_s']:.2f} | {r['process_s']:.2f} | "
            f"{r['first_process_s']:.2f} | {r['femsi_total_s']:.2f} | {r['setup_s']:.2f} | "
            f"{r['mesh_s']:.2f} | {r['solve_s']:.2f} | {r['overhead_s']:.2f} | "
            f"{100 * r['overhead_s'] / r['process_s']:.0f} |"
        )
    print("\n| fixed cost | s |\n|---|---:|")
    for name, seconds in parts.items():
        print(f"| {name} | {seconds:.2f} |")
    if args.json_out:
        args.json_out.write_text(json.dumps({"rows": rows, "parts": parts}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
