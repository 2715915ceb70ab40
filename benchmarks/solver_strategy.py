"""The mechanics solver strategies against each other: a study run with ``strategy: iterative``
(the old default, AMG + CG) and with the new default (``auto``), one Markdown table row each,
and the max relative difference of every ``timeseries.csv`` column between them.

    python benchmarks/solver_strategy.py configs/electrode.yaml
    python benchmarks/solver_strategy.py --compare OLD_RUN NEW_RUN   # two finished run folders

Each run is a ``femsi run`` subprocess into a temporary folder (``--keep DIR`` keeps them).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def columns(folder: Path) -> dict[str, list[float]]:
    with open(folder / "timeseries.csv") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, list[float]] = {}
    for key in rows[0]:
        try:
            out[key] = [float(r[key]) for r in rows]
        except ValueError:
            continue
    return out


def max_relative(a: dict, b: dict) -> tuple[float, str]:
    worst, name = 0.0, ""
    for key, x in a.items():
        if key.startswith(("newton_", "krylov_")) or key not in b or len(b[key]) != len(x):
            continue
        scale = max(max(map(abs, x)), max(map(abs, b[key])), 1e-300)
        d = max(abs(p - q) for p, q in zip(x, b[key], strict=True)) / scale
        if d > worst:
            worst, name = d, key
    return worst, name


def row(label: str, folder: Path) -> str:
    m = json.loads((folder / "manifest.json").read_text())
    t, mech = m["wall_time_s"], m["iterations"]["mechanics"]
    per = mech["krylov"] / max(mech["solves"], 1)
    return (
        f"| {label} | {t['total']:.1f} | {t['solve_mechanics']:.1f} | {mech['solves']} "
        f"| {per:.1f} | {mech['preconditioner_setups']} |"
    )


def run(config: str, strategy: str, out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "femsi", "run", config, "-o", str(out), "--no-progress",
         "--overwrite", "--set", f"solver.mechanics.strategy={strategy}"],
        check=True, cwd=REPO,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", default="configs/electrode.yaml")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    if args.compare:
        old, new = args.compare
    else:
        base = args.keep or Path(tempfile.mkdtemp(prefix="femsi-strategy-"))
        old, new = base / "iterative", base / "auto"
        run(args.config, "iterative", old)
        run(args.config, "auto", new)
    print("| strategy | wall (s) | mechanics (s) | solves | Krylov / solve | PC setups |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row("iterative (old)", old))
    print(row("auto (new)", new))
    worst, name = max_relative(columns(old), columns(new))
    print(f"\nmax relative column difference: {worst:.2e} ({name})")


if __name__ == "__main__":
    main()
