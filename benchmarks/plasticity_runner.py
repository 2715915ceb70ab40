"""Cost of plasticity and of two-way coupling in complete femsi runs (``femsi.run``).

The study: a free 1 µm amorphous-silicon particle (octant, P2, finite strain, ``--mesh-size``,
default 0.1 µm) lithiated at 2C for 10 fixed steps of 30 s (``time.max_step`` =
``initial_step``), so every variant solves the same steps. Variants:

- ``elastic``: femsi's neo-Hookean UFL energy (``constitutive: elastic``);
- ``elastoplastic``: J2 at quadrature points, σ_Y = 1 GPa (the library value);
- ``elastoplastic + coupling``: the same with ``stress_diffusion_coupling: true``, one
  monolithic Newton on (θ, u, σ_h) per step with MUMPS;
- ``elastic + coupling``.

Columns: Newton iterations per step (mechanics, or the coupled solve), mechanics (or coupled)
solve seconds per step, the seconds per step in the operator's ``refresh`` (timed by wrapping
it: the Expression evaluation of ∇u, swelling, SOC, E, ν at the points, and the return map
unless the inputs equal those of the last call), its calls per step, the return maps actually
run per step, and the wall time of the run. A
warm-up run of each variant compiles the forms first (not timed). Run from the repository
root:

    python benchmarks/plasticity_runner.py
    python benchmarks/plasticity_runner.py --mesh-size 0.15
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mpi4py import MPI

import femsi
from femsi.physics.plasticity.operator import QuadratureConstitutive

VARIANTS = {
    "elastic": {},
    "elastoplastic": {"constitutive": "elastoplastic", "plastic_regions": ["particle"]},
    "elastic + coupling": {"stress_diffusion_coupling": True},
    "elastoplastic + coupling": {
        "constitutive": "elastoplastic",
        "plastic_regions": ["particle"],
        "stress_diffusion_coupling": True,
    },
}


def study(mesh_size: float, physics: dict, steps: int) -> dict:
    """The benchmark study with extra ``physics`` keys."""
    return {
        "study": "plasticity-runner",
        "geometry": {
            "type": "sphere",
            "radius": "1 um",
            "symmetry": "octant",
            "mesh_size": f"{mesh_size} um",
        },
        "materials": {"particle": "amorphous_silicon"},
        "physics": {"mechanics": "finite_strain", "displacement_degree": 2, **physics},
        "protocol": [{"lithiate": {"c_rate": 2, "duration": f"{30 * steps} s"}}],
        "time": {"initial_step": "30 s", "max_step": "30 s"},
        "outputs": {"every": 0, "fields": False, "figures": False},
    }


class _ReturnMapTimer:
    """Wraps QuadratureConstitutive.refresh to add up its time and calls."""

    def __init__(self):
        self.seconds = 0.0
        self.calls = 0
        self.evaluations = 0
        self._original = QuadratureConstitutive.refresh
        timer = self

        def timed(op):
            before = op.evaluations
            t0 = time.perf_counter()
            timer._original(op)
            timer.seconds += time.perf_counter() - t0
            timer.calls += 1
            timer.evaluations += op.evaluations - before

        QuadratureConstitutive.refresh = timed

    def close(self):
        QuadratureConstitutive.refresh = self._original


def run_variant(name: str, mesh_size: float, steps: int, folder: Path) -> dict:
    physics = VARIANTS[name]
    femsi.run(femsi.load_config(study(0.4, physics, 1)), folder / "warm", progress=False)
    timer = _ReturnMapTimer()
    try:
        t0 = time.perf_counter()
        result = femsi.run(femsi.load_config(study(mesh_size, physics, steps)), folder / "run",
                           progress=False)  # fmt: skip
        wall = time.perf_counter() - t0
    finally:
        timer.close()
    import json

    manifest = json.loads((folder / "run" / "manifest.json").read_text())
    phases = manifest["wall_time_s"]
    iterations = manifest["iterations"]
    coupled = "coupled_flux" in iterations
    solver = iterations["coupled_flux" if coupled else "mechanics"]
    solve_s = phases.get("solve_coupled" if coupled else "solve_mechanics", 0.0)
    n = result.summary["steps"]
    return {
        "variant": name,
        "dofs": manifest["dofs"]["displacement"],
        "steps": n,
        "newton": solver["newton"] / max(solver["solves"], 1),
        "solve": solve_s / n,
        "return_map": timer.seconds / n,
        "calls": timer.calls / n,
        "evaluations": timer.evaluations / n,
        "wall": wall,
        "status": result.status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mesh-size", type=float, default=0.1, help="um")
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, name in enumerate(VARIANTS):
            rows.append(run_variant(name, args.mesh_size, args.steps, Path(tmp) / str(index)))
    if MPI.COMM_WORLD.rank == 0:
        print(
            "| variant | displacement DOFs | steps | Newton/step | solve s/step "
            "| refresh s/step | refresh calls/step | return maps/step | run s |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['variant']} | {r['dofs']:,} | {r['steps']} | {r['newton']:.1f} "
                f"| {r['solve']:.2f} | {r['return_map']:.2f} | {r['calls']:.1f} "
                f"| {r['evaluations']:.1f} | {r['wall']:.1f} |"
            )


if __name__ == "__main__":
    main()
