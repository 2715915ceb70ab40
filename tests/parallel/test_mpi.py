"""The same study under ``mpirun -n 2`` gives the serial answer (summary values to 1e-6)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import MPIRUN, ROOT, run_cli, study, write_study
from tests.studies.test_electrode_cell import SMALL_ELECTRODE
from tests.verification.test_cracks_3d import BOX, ELASTIC_STEP, PENNY, SHRINKING

pytestmark = [
    pytest.mark.mpi,
    pytest.mark.skipif(MPIRUN is None, reason="mpirun not found next to the Python interpreter"),
]

TIGHT = {
    "mechanics": {"rtol": 1e-10, "atol": 1e-14, "ksp_rtol": 1e-12},
    "diffusion": {"rtol": 1e-10, "atol": 1e-14},
}

CASES = {
    "matrix_pressure_finite_strain": study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "2 um",
            "mesh_size": "0.3 um",
            "symmetry": "octant",
            "outer_boundary": "pressure",
            "outer_pressure": "50 MPa",
        },
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        protocol=[{"lithiate": {"c_rate": 4, "duration": "40 s"}}],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 2, "figures": True, "probes": {"c": [0, 0, 0], "s": ["1 um", 0, 0]}},
        solver=TIGHT,
    ),
    # A full free body: rigid-body point constraints found across ranks.
    "free_full_particle_in_matrix_small_strain": study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "1.5 um",
            "mesh_size": "0.3 um",
            "symmetry": "full",
        },
        materials={"particle": "crystalline_silicon", "matrix": "llzo"},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        protocol=[{"lithiate": {"c_rate": 2, "duration": "30 s"}}, {"rest": {"duration": "10 s"}}],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 0, "figures": False, "probes": {"c": [0, 0, 0]}},
        solver=TIGHT,
    ),
    # An axisymmetric half-disc (2πr-weighted interior-facet flux; the axial point constraint
    # found across ranks).
    "axisymmetric_free_particle_in_matrix_finite_strain": study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "1.5 um",
            "mesh_size": "0.15 um",
            "symmetry": "full",
            "dimension": 2,
            "formulation": "axisymmetric",
        },
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        protocol=[{"lithiate": {"c_rate": 4, "duration": "40 s"}}],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={
            "every": 2,
            "figures": True,
            "probes": {"c": ["0.6 um", "0.6 um"], "s": ["1 um", 0]},
        },
        solver=TIGHT,
    ),
    # A rigid plate whose master dof lives on one rank and whose slaves span both, with a
    # reduced stack (pellet, lithium counter electrode) between it and the spring frame.
    "film_on_substrate_spring_plate_finite_strain": study(
        geometry={
            "type": "film",
            "thickness": "1 um",
            "substrate_thickness": "0.5 um",
            "width": "1 um",
            "mesh_size": "0.25 um",
        },
        materials={"film": "amorphous_silicon", "substrate": "llzo"},
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        cell={
            "plate": "fixture_stiffness",
            "fixture_stiffness": "1e16 Pa/m",
            "stack": [
                {"name": "pellet", "thickness": "2 um", "material": "li6ps5cl"},
                {
                    "name": "lithium",
                    "thickness": "1 um",
                    "youngs_modulus": "4.9 GPa",
                    "poissons_ratio": 0.36,
                    "swelling": {"kind": "counter_electrode", "molar_volume": "13.0 cm^3/mol"},
                },
            ],
        },
        protocol=[
            {"preload": {"pressure": "20 MPa", "increments": 2}},
            {"lithiate": {"c_rate": 4, "duration": "30 s"}},
        ],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 0, "figures": False, "probes": {"top": ["0.5 um", "0.5 um", "1.5 um"]}},
        solver=TIGHT,
    ),
    # The plate on a 2D plane-strain strip (thickness axis y) with a stack and a spring.
    "strip_on_substrate_spring_plate_2d": study(
        geometry={
            "type": "film",
            "dimension": 2,
            "formulation": "plane_strain",
            "thickness": "1 um",
            "substrate_thickness": "0.5 um",
            "width": "1 um",
            "mesh_size": "0.1 um",
        },
        materials={"film": "amorphous_silicon", "substrate": "llzo"},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        cell={
            "plate": "fixed_gap",
            "load_cell_stiffness": "1e16 Pa/m",
            "stack": [{"name": "pellet", "thickness": "2 um", "material": "li6ps5cl"}],
        },
        protocol=[
            {"preload": {"pressure": "20 MPa", "increments": 2}},
            {"lithiate": {"c_rate": 4, "duration": "30 s"}},
        ],
        time={"initial_step": "10 s", "max_step": "10 s"},
        # No probes: the strip's state depends on y alone, so its shear is round-off.
        outputs={"every": 0, "figures": False},
        solver=TIGHT,
    ),
    # The shipped particle's solver settings (not TIGHT): the time steps must not depend on
    # the partition (they grow after easy Newton solves, whose count used to vary with it).
    "shipped_solver_settings_finite_strain": study(
        geometry={"type": "sphere", "radius": "1 um", "mesh_size": "0.25 um", "symmetry": "octant"},
        materials={"particle": "amorphous_silicon"},
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        protocol=[{"lithiate": {"c_rate": 2, "until_soc": 0.3}}],
        time={"initial_step": "1 s", "max_step": "60 s"},
        outputs={"every": 0, "figures": False, "probes": {"s": "surface"}},
    ),
    # A packed electrode: a mesh built once and read by both ranks, a held plate.
    "electrode_fixed_gap_small_strain": study(
        geometry=SMALL_ELECTRODE,
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        cell={"plate": "fixed_gap"},
        protocol=[
            {"preload": {"pressure": "20 MPa", "increments": 1}},
            {"lithiate": {"c_rate": 2, "duration": "40 s"}},
        ],
        time={"initial_step": "20 s", "max_step": "20 s"},
        outputs={"every": 0, "figures": False, "probes": {"mid": ["3 um", "3 um", "3 um"]}},
        solver=TIGHT,
    ),
    # Plastic history at quadrature points (issue 4): a film that flows in compression while
    # lithium diffuses in from the top (non-uniform α), then unloads on delithiation.
    "plastic_film_finite_strain": study(
        geometry={
            "type": "film",
            "thickness": "0.25 um",
            "width": "0.25 um",
            "mesh_size": "0.0625 um",
        },
        materials={"film": {"base": "amorphous_silicon", "yield_stress": "0.5 GPa"}},
        physics={
            "mechanics": "finite_strain",
            "displacement_degree": 2,
            "constitutive": "elastoplastic",
            "plastic_regions": ["film"],
        },
        protocol=[
            {"lithiate": {"c_rate": 2, "duration": "60 s"}},
            {"delithiate": {"c_rate": 2, "duration": "20 s"}},
        ],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 2, "figures": False, "probes": {"top": ["0.1 um", "0.1 um", "0.2 um"]}},
        solver=TIGHT,
    ),
    # Monolithic stress-diffusion coupling with plastic history: one Newton on (θ, u).
    "coupled_plastic_sphere_finite_strain": study(
        geometry={"type": "sphere", "radius": "1 um", "mesh_size": "0.3 um", "symmetry": "octant"},
        materials={"particle": {"base": "amorphous_silicon", "yield_stress": "0.3 GPa"}},
        physics={
            "mechanics": "finite_strain",
            "displacement_degree": 2,
            "constitutive": "elastoplastic",
            "plastic_regions": ["particle"],
            "stress_diffusion_coupling": True,
        },
        protocol=[{"lithiate": {"c_rate": 4, "duration": "40 s"}}],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 2, "figures": False, "probes": {"s": ["1 um", 0, 0]}},
        solver=TIGHT,
    ),
    # Cracks (issue 5): the Crack plugin's split faces and the rigid-body point constraints
    # (kept off the crack faces) across ranks; an SE crack and a centre crack, G, K, opening.
    "cracked_particle_in_matrix_plane_strain": study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "2 um",
            "mesh_size": "0.15 um",
            "symmetry": "full",
            "dimension": 2,
            "formulation": "plane_strain",
        },
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        protocol=[{"lithiate": {"c_rate": 4, "duration": "40 s"}}],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 0, "figures": False, "probes": {"c": [0, "0.9 um"]}},
        cracks=[
            {
                "name": "se",
                "kind": "electrolyte",
                "length": "0.3 um",
                "angle": "30 deg",
                "tip_size": "10 nm",
            },
            {
                "name": "core",
                "kind": "centre",
                "length": "0.6 um",
                "angle": "-60 deg",
                "tip_size": "10 nm",
            },
        ],  # fmt: skip
        solver=TIGHT,
    ),
    # A crack on the mirror line of a half section, finite strain: G without K.
    "edge_crack_half_section_finite_strain": study(
        geometry={
            "type": "sphere",
            "radius": "1 um",
            "mesh_size": "0.15 um",
            "symmetry": "half",
            "dimension": 2,
            "formulation": "plane_strain",
        },
        materials={"particle": {"base": "amorphous_silicon", "initial_soc": 0.5}},
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        protocol=[{"delithiate": {"c_rate": 2, "duration": "15 s"}}],
        time={"initial_step": "2.5 s", "max_step": "5 s"},
        outputs={"every": 0, "figures": False, "probes": {"c": [0, "0.9 um"]}},
        cracks=[{"name": "edge", "kind": "edge", "length": "0.2 um", "tip_size": "5 nm"}],
        solver=TIGHT,
    ),
    # 3D cracks: a tagged crack surface of a mesh file split by the Crack plugin (its faces and
    # mouths across ranks), G at the stations of its front.
    "tagged_penny_crack_3d_box": study(
        geometry=BOX,
        materials={"particle": SHRINKING},
        cracks=[PENNY],
        **ELASTIC_STEP,
        outputs={"every": 0, "figures": False, "probes": {"c": ["1 um", "1 um", "1 um"]}},
        solver=TIGHT,
    ),
    # A built-in surface crack on an octant's mirror under delithiation: a free end and θ kept
    # tangent to the particle's surface.
    "surface_crack_3d_octant_delithiation": study(
        geometry={"type": "sphere", "radius": "1 um", "mesh_size": "0.2 um", "symmetry": "octant"},
        materials={"particle": {"base": "amorphous_silicon", "initial_soc": 0.5}},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        protocol=[{"delithiate": {"c_rate": 2, "duration": "40 s"}}],
        time={"initial_step": "20 s", "max_step": "20 s"},
        outputs={"every": 0, "figures": False, "probes": {"c": [0, 0, 0]}},
        cracks=[{"name": "s", "kind": "edge", "length": "0.3 um", "tip_size": "0.01 um"}],
        solver=TIGHT,
    ),
    # Butler-Volmer kinetics: the electrode potential is one global (real-space) unknown.
    "butler_volmer_particle_in_matrix": study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "2 um",
            "mesh_size": "0.3 um",
            "symmetry": "octant",
        },
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={
            "mechanics": "small_strain",
            "displacement_degree": 2,
            "surface_kinetics": "butler_volmer",
        },
        protocol=[
            {"lithiate": {"c_rate": 2, "duration": "40 s"}},
            {"hold": {"potential": "0.3 V", "duration": "20 s"}},
        ],
        time={"initial_step": "10 s", "max_step": "10 s"},
        outputs={"every": 0, "figures": False, "probes": {"s": ["1 um", 0, 0]}},
        solver=TIGHT,
    ),
    # Phase-field fracture (issue 5): a crack grows from a flaw at the top of a plane-strain
    # film that shrinks between die walls; staggered damage and displacement solves, the
    # damage bounds and history in parallel.
    "phase_field_film_crack": study(
        geometry={
            "type": "film",
            "thickness": "100 nm",
            "width": "200 nm",
            "mesh_size": "10 nm",
            "dimension": 2,
            "formulation": "plane_strain",
        },
        materials={
            "film": {
                "base": "amorphous_silicon",
                "youngs_modulus": "80 GPa",
                "initial_soc": 0.5,
                "diffusivity": "1e-12 m^2/s",
            }
        },
        physics={"mechanics": "small_strain", "displacement_degree": 1},
        phase_field={
            "model": "AT2",
            "split": "spectral",
            "length_scale": "25 nm",
            "regions": ["film"],
            "initial_cracks": [{"start": ["100 nm", "100 nm"], "end": ["100 nm", "80 nm"]}],
            "staggered": {"tolerance": 1e-7},
        },
        # until the crack has run most of the way down: where it meets the floor it may turn
        # left or right, a symmetric bifurcation that round-off decides
        protocol=[{"delithiate": {"c_rate": 2, "until_soc": 0.475}}],
        time={"initial_step": "2 s", "max_step": "2 s"},
        outputs={"every": 0, "figures": False, "probes": {"side": ["175 nm", "58 nm"]}},
        solver={
            "mechanics": {"linear_solver": "direct", "rtol": 1e-10, "atol": 1e-14},
            "damage": {"linear_solver": "direct", "rtol": 1e-10, "atol": 1e-14},
        },
    ),
}


# Thermal strain: the spring-plate film heated from 25 to 60 °C over a rest, then lithiated;
# the thermal part of the stress comes from a second solve at the reference temperature.
CASES["heated_film_on_llzo_finite_strain"] = CASES[
    "film_on_substrate_spring_plate_finite_strain"
] | {
    "thermal": {"reference_temperature": "25 degC"},
    "protocol": [
        {"preload": {"pressure": "20 MPa", "increments": 2}},
        {"rest": {"duration": "20 s", "temperature": "60 degC"}},
        {"lithiate": {"c_rate": 4, "duration": "20 s"}},
    ],
}


def _run(tmp_path: Path, name: str, ranks: int) -> dict:
    config = write_study(tmp_path, CASES[name], f"{name}.yaml")
    out = tmp_path / f"{name}-{ranks}"
    result = run_cli("run", config, "-o", out, "--no-progress", ranks=ranks)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "summary.json").read_text()) | {
        "manifest": json.loads((out / "manifest.json").read_text())
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_two_ranks_match_serial(tmp_path, name):
    serial = _run(tmp_path, name, 1)
    parallel = _run(tmp_path, name, 2)
    assert parallel["manifest"]["mpi_size"] == 2
    assert serial["steps"] == parallel["steps"]
    compared = 0
    finite = [abs(v) for v in serial["final"].values() if isinstance(v, float) and math.isfinite(v)]
    for key, value in serial["final"].items():
        if isinstance(value, float) and key not in ("dt_s",):
            other = parallel["final"][key]
            if math.isnan(value):  # undefined in both (K at finite strain)
                assert math.isnan(other), key
                continue
            scale = max(abs(value), 1e-9 * max(finite))
            assert math.isclose(value, other, rel_tol=1e-6, abs_tol=1e-6 * scale), key
            compared += 1
    for key, peak in serial["peaks"].items():
        # Peaks of stresses that are zero up to round-off (shear in a uniaxial state) differ
        # in their noise: a millipascal is nothing next to stresses of MPa to GPa.
        noise = 1e-3 if key.endswith("_Pa") else 1e-9
        assert peak["value"] == pytest.approx(parallel["peaks"][key]["value"], rel=1e-6, abs=noise)
    assert compared > 20
    if "thermal" in serial:  # the thermal part of the stress at each protocol step's end
        steps = zip(
            serial["thermal"]["thermal_stress_at_step_ends"],
            parallel["thermal"]["thermal_stress_at_step_ends"],
            strict=True,
        )
        for one, two in steps:
            for region, values in one["regions"].items():
                for key, value in values.items():
                    assert two["regions"][region][key] == pytest.approx(value, rel=1e-6, abs=1e-3)


def test_crack_integrals_two_ranks_match_serial():
    """Domain integrals across a process boundary: the axisymmetric penny crack as a study model
    with a swelling bump (DomainIntegral.for_model, G and K_I on 4 rings) and G at 10 stations
    of the 3D quarter penny front (evaluate_front), serial against 2 ranks."""
    from tests.support.penny_fe import results

    command = [MPIRUN, "-n", "2", sys.executable, "-m", "tests.support.penny_fe"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    parallel = json.loads(out.stdout.strip().splitlines()[-1])
    serial = results()
    for key in ("G", "K_I", "front"):
        assert np.allclose(parallel[key], serial[key], rtol=1e-8, atol=0), key


GHOSTS = """
import femsi
from mpi4py import MPI
from femsi.geometry import build_mesh
from femsi.config.schema import ParticleInMatrixGeometry, MeshFileGeometry
for g in (ParticleInMatrixGeometry(type="particle_in_matrix", radius=1, matrix_size=2,
                                   mesh_size=0.3),
          MeshFileGeometry(type="mesh_file", path="meshes/ellipsoid_in_cube.msh")):
    m = build_mesh(g, MPI.COMM_WORLD).mesh
    fewest = MPI.COMM_WORLD.allreduce(m.topology.index_map(3).num_ghosts, op=MPI.MIN)
    if MPI.COMM_WORLD.rank == 0:
        print("ghosts", fewest)
"""


def test_meshes_ghost_shared_facets():
    """Interface fluxes (interior facets) on a process boundary need both cells on each rank:
    with GhostMode.none a 645k-DOF particle-in-matrix run failed at form creation."""
    result = subprocess.run(
        [MPIRUN, "-n", "2", sys.executable, "-c", GHOSTS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    ghosts = [
        int(line.split()[1]) for line in result.stdout.splitlines() if line.startswith("ghosts")
    ]
    assert len(ghosts) == 2 and min(ghosts) > 0  # every rank holds ghost cells, both meshes
