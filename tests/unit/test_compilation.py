"""Forms and Expressions are compiled once per run, never per time step."""

from __future__ import annotations

import femsi
from tests.conftest import study


def _compilations(calls: dict, tmp_path, steps: int, physics: dict | None = None) -> int:
    """FFCx compilations of one run of ``steps`` steps (``calls``: the jit_calls fixture)."""
    calls["n"] = 0
    tree = study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "2 um",
            "mesh_size": "0.4 um",
        },
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics=physics or {"mechanics": "finite_strain", "displacement_degree": 1},
        protocol=[{"lithiate": {"c_rate": 1, "duration": f"{10 * steps} s"}}],
        outputs={"every": 1, "figures": True, "probes": {"c": [0, 0, 0]}},
    )
    name = f"run{steps}{'-physics' if physics else ''}"
    result = femsi.run(femsi.load_config(tree), tmp_path / name, progress=False)
    # (a cut step adds rows; what matters is that more steps compile nothing more)
    assert result.status == "completed" and len(result.rows) >= steps + 1
    return calls["n"]


def test_compilations_do_not_grow_with_the_number_of_steps(jit_calls, tmp_path):
    few = _compilations(jit_calls, tmp_path, 2)
    many = _compilations(jit_calls, tmp_path, 8)
    assert few == many > 0


def test_plastic_coupled_kinetic_forms_compile_once_per_run(jit_calls, tmp_path):
    # Plasticity (quadrature operator and its Expression), the monolithic (c, u, σ_h, φ)
    # blocks and Butler-Volmer kinetics: still no compilation per step.
    physics = {
        "mechanics": "finite_strain",
        "displacement_degree": 2,
        "constitutive": "elastoplastic",
        "plastic_regions": ["particle"],
        "stress_diffusion_coupling": True,
        "surface_kinetics": "butler_volmer",
    }
    few = _compilations(jit_calls, tmp_path, 2, physics)
    many = _compilations(jit_calls, tmp_path, 5, physics)
    assert few == many > 0
