"""Shared helpers: run a study from a dict, in-process, into a temporary folder."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import femsi

ROOT = Path(__file__).resolve().parents[1]
MPIRUN = shutil.which("mpirun", path=str(Path(sys.executable).parent)) or shutil.which("mpirun")


def run_cli(*args, ranks: int = 1, timeout: int = 900) -> subprocess.CompletedProcess:
    """``femsi ARGS`` in a subprocess (under ``mpirun -n RANKS`` when ranks > 1)."""
    command = [sys.executable, "-m", "femsi", *map(str, args)]
    if ranks > 1:
        command = [MPIRUN, "-n", str(ranks), *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def write_study(folder: Path, tree: dict, name: str = "study.yaml") -> Path:
    """Write a study dict as YAML; returns its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(tree))
    return path


def study(**sections) -> dict:
    """A minimal valid study dict (sphere, small strain) updated with ``sections``."""
    tree = {
        "study": "test",
        "geometry": {
            "type": "sphere",
            "radius": "1 um",
            "symmetry": "octant",
            "mesh_size": "0.25 um",
        },
        "materials": {"particle": "amorphous_silicon"},
        "physics": {"mechanics": "small_strain", "displacement_degree": 1},
        "protocol": [{"lithiate": {"c_rate": 1, "duration": "20 s"}}],
        "time": {"initial_step": "10 s", "max_step": "10 s"},
        "outputs": {"every": 0, "figures": False},
    }
    for key, value in sections.items():
        tree[key] = copy.deepcopy(value)
    return tree


@pytest.fixture
def run_study(tmp_path):
    """Run a study dict and return the RunResult."""
    counter = {"n": 0}

    def _run(tree: dict, overrides=None, name: str | None = None):
        counter["n"] += 1
        out = tmp_path / (name or f"run{counter['n']}")
        config = femsi.load_config(tree, overrides)
        return femsi.run(config, out, progress=False)

    return _run


@pytest.fixture
def jit_calls(monkeypatch) -> dict:
    """Counts FFCx JIT compilations from now on: ``jit_calls["n"]``."""
    import dolfinx.jit  # after femsi, which loads MPI first

    calls = {"n": 0}
    original = dolfinx.jit.ffcx_jit

    def counting(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(dolfinx.jit, "ffcx_jit", counting)
    return calls
