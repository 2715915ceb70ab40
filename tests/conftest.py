"""Shared helpers: run a study from a dict, in-process, into a temporary folder."""

from __future__ import annotations

import copy

import pytest

import femsi


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
