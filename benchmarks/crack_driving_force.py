"""Cost of evaluating crack driving forces in complete femsi runs (``femsi.run``).

The study is ``configs/particle_crack.yaml``: a 500 nm plane-strain a-Si particle, half
section, with a 50 nm edge crack, delithiated at 1C from SOC 0.8. The tip element size
``tip_size`` and the mesh sizes are divided by the refinement factor ``--refine`` (default
1, 2, 4). For each level the table gives the displacement DOFs, the steps, the mechanics solve
seconds per step, the seconds per step spent in the crack evaluation (``CrackOutputs.evaluate``,
timed by wrapping it: G on every ring, K_I and K_II by the interaction integral, the opening
behind the tip), its share of the mechanics solve, and the maximum G with its ring spread. A
warm-up run compiles the forms first (not timed). Run from the repository root:

    python benchmarks/crack_driving_force.py
    python benchmarks/crack_driving_force.py --refine 1 2
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

from mpi4py import MPI

import femsi
from femsi.cracks.outputs import CrackOutputs

STUDY = Path(__file__).resolve().parents[1] / "configs" / "particle_crack.yaml"


class _EvaluateTimer:
    """Wraps CrackOutputs.evaluate to add up its time and calls."""

    def __init__(self):
        self.seconds = 0.0
        self.calls = 0
        self._original = CrackOutputs.evaluate
        timer = self

        def timed(outputs):
            t0 = time.perf_counter()
            values = timer._original(outputs)
            timer.seconds += time.perf_counter() - t0
            timer.calls += 1
            return values

        CrackOutputs.evaluate = timed

    def close(self):
        CrackOutputs.evaluate = self._original


def overrides(refine: float) -> list[str]:
    """The study's mesh and tip sizes divided by ``refine``."""
    return [
        f"geometry.mesh_size={50 / refine} nm",
        f"geometry.surface_mesh_size={20 / refine} nm",
        f"cracks.0.tip_size={2 / refine} nm",
        "outputs.every=0",
        "outputs.figures=false",
        "outputs.fields=false",
    ]


def run_level(refine: float, folder: Path) -> dict:
    timer = _EvaluateTimer()
    try:
        t0 = time.perf_counter()
        result = femsi.run(femsi.load_config(STUDY, overrides(refine)), folder, progress=False)
        wall = time.perf_counter() - t0
    finally:
        timer.close()
    manifest = json.loads((folder / "manifest.json").read_text())
    steps = result.summary["steps"]
    crack = result.summary["cracks"]["surface"]
    with (folder / "timeseries.csv").open() as stream:
        values = [float(r["crack.surface.G_spread"] or "nan") for r in csv.DictReader(stream)]
    spread = max((v for v in values if v == v), default=float("nan"))  # NaN: crack closed
    return {
        "refine": refine,
        "dofs": manifest["dofs"]["displacement"],
        "steps": steps,
        "solve": manifest["wall_time_s"].get("solve_mechanics", 0.0) / steps,
        "crack": timer.seconds / max(timer.calls, 1),
        "G_max": crack["G_max_J_m2"],
        "spread": spread,
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refine", type=float, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        warm = [*overrides(1), "protocol.0.delithiate.until_soc=0.79"]
        femsi.run(femsi.load_config(STUDY, warm), Path(tmp) / "warm", progress=False)
        for index, refine in enumerate(args.refine):
            rows.append(run_level(refine, Path(tmp) / str(index)))
    if MPI.COMM_WORLD.rank == 0:
        print(
            "| refine | displacement DOFs | steps | mechanics solve s/step | crack evaluation "
            "s/step | share | max G (J/m²) | max ring spread | run s |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            share = r["crack"] / r["solve"] if r["solve"] else float("nan")
            print(
                f"| {r['refine']:g} | {r['dofs']:,} | {r['steps']} | {r['solve']:.3f} "
                f"| {r['crack']:.4f} | {share:.0%} | {r['G_max']:.2f} | {r['spread']:.1e} "
                f"| {r['wall']:.1f} |"
            )


if __name__ == "__main__":
    main()
