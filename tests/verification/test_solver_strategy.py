"""Mechanics solver strategies (docs/solvers.md): one kept MUMPS factorisation against AMG.

Reference: the iterative (AMG + CG) solve at ``ksp_rtol`` 1e-12; the direct strategy must give
the same ``timeseries.csv`` to 1e-7 relative (both solve the same linear system, each to a
relative residual of 1e-12 or exactly), factor once per run, and be chosen by ``auto`` only for
a fixed operator whose estimated factor fits the memory limit.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from tests.conftest import MPIRUN, run_cli, study, write_study
from tests.studies.test_electrode_cell import SMALL_ELECTRODE

TIGHT = {"rtol": 1e-10, "atol": 1e-14, "ksp_rtol": 1e-12}


def _columns(folder) -> dict[str, np.ndarray]:
    with open(folder / "timeseries.csv") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for key in rows[0]:
        if key.startswith(("newton_", "krylov_")):  # solver counters, not answers
            continue
        try:
            out[key] = np.array([float(r[key]) for r in rows])
        except ValueError:
            continue
    return out


def _max_relative(a: dict, b: dict) -> float:
    worst = 0.0
    for key, x in a.items():
        y = b[key]
        scale = max(float(np.max(np.abs(x))), float(np.max(np.abs(y))), 1e-300)
        worst = max(worst, float(np.max(np.abs(x - y))) / scale)
    return worst


def _plate_study(strategy: str, **extra) -> dict:
    return study(
        geometry=SMALL_ELECTRODE,
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "small_strain", "displacement_degree": 1},
        cell={"plate": "fixed_gap", "lateral": "confined"},
        protocol=[
            {"preload": {"pressure": "10 MPa", "increments": 1}},
            {"lithiate": {"c_rate": 2, "duration": "60 s"}},
        ],
        time={"initial_step": "20 s", "max_step": "20 s"},
        solver={"mechanics": TIGHT | {"strategy": strategy} | extra},
    )


@pytest.mark.parametrize("tree", [study, _plate_study], ids=["sphere", "electrode_plate"])
def test_direct_equals_iterative_and_factors_once(run_study, tree):
    def make(strategy):
        if tree is study:
            return study(solver={"mechanics": TIGHT | {"strategy": strategy}})
        return tree(strategy)

    direct = run_study(make("direct"), name="direct")
    iterative = run_study(make("iterative"), name="iterative")
    assert _max_relative(_columns(direct.output_dir), _columns(iterative.output_dir)) < 1e-7
    counts = json.loads((direct.output_dir / "manifest.json").read_text())["iterations"][
        "mechanics"
    ]
    assert counts["solves"] > 2
    assert counts["preconditioner_setups"] == 1  # one factorisation for the whole run


def test_memory_limit_falls_back_to_iterative(run_study, caplog):
    result = run_study(study(solver={"mechanics": {"direct_memory_limit_mb": 1e-6}}))
    counts = json.loads((result.output_dir / "manifest.json").read_text())["iterations"][
        "mechanics"
    ]
    assert "iterative (AMG) solver instead" in caplog.text
    assert counts["krylov"] > counts["solves"]  # AMG-preconditioned CG, not one factor


def test_strategy_value_refused(tmp_path):
    path = write_study(tmp_path, study(solver={"mechanics": {"strategy": "cholesky"}}))
    result = run_cli("validate", str(path), "--no-mesh")
    assert result.returncode == 2
    assert "solver.mechanics.strategy" in result.stdout + result.stderr


@pytest.mark.mpi
@pytest.mark.skipif(MPIRUN is None, reason="mpirun not found next to the Python interpreter")
def test_direct_parallel_equals_serial(tmp_path):
    tree = _plate_study("direct")
    path = write_study(tmp_path, tree)
    serial = run_cli("run", str(path), "-o", str(tmp_path / "serial"), "--no-progress")
    assert serial.returncode == 0, serial.stderr
    parallel = run_cli("run", str(path), "-o", str(tmp_path / "parallel"), "--no-progress", ranks=2)
    assert parallel.returncode == 0, parallel.stderr
    assert _max_relative(_columns(tmp_path / "serial"), _columns(tmp_path / "parallel")) < 1e-7
