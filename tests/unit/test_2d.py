"""2D models: config switches and their errors, section geometries and their names, outputs."""

from __future__ import annotations

import json
import math

from mpi4py import MPI

import pytest

import femsi
from femsi.config.loader import load_config
from femsi.geometry import build_mesh
from tests.conftest import study

SPHERE = {"type": "sphere", "radius": "1 um", "mesh_size": "0.25 um"}
AXI = {"dimension": 2, "formulation": "axisymmetric"}
PLANE = {"dimension": 2, "formulation": "plane_strain"}
FILM = {"type": "film", "thickness": "1 um", "width": "1 um", "mesh_size": "0.25 um"}


@pytest.mark.parametrize(
    ("sections", "field", "message"),
    [
        ({"geometry": SPHERE | {"dimension": 2}}, "geometry.formulation", "axisymmetric or"),
        (
            {"geometry": SPHERE | {"formulation": "axisymmetric"}},
            "geometry.formulation",
            "needs geometry.dimension: 2",
        ),
        ({"geometry": SPHERE | {"dimension": 4}}, "geometry.dimension", "2 or 3"),
        ({"geometry": SPHERE | AXI | {"formulation": "plane_stress"}}, "geometry.formulation", ""),
        (
            {"geometry": FILM | AXI, "materials": {"film": "amorphous_silicon"}},
            "geometry.formulation",
            "plane_strain strip",
        ),
        (
            {
                "geometry": {
                    "type": "electrode",
                    "width": "10 um",
                    "electrode_thickness": "10 um",
                    "radius": "1 um",
                    "volume_fraction": 0.3,
                    "mesh_size": "1 um",
                    "dimension": 2,
                },
                "materials": {"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
            },
            "geometry.dimension",
            "3D only",
        ),
        (
            {"geometry": {"type": "mesh_file", "path": "x.msh", "dimension": 2}},
            "geometry.formulation",
            "axisymmetric or plane_strain",
        ),
    ],
)
def test_2d_switches_are_validated(sections, field, message):
    with pytest.raises(femsi.InputError) as info:
        load_config(study(**sections))
    assert info.value.field == field, str(info.value)
    assert message in info.value.message


GEOMETRIES = [
    (SPHERE, {"particle_surface"}, {"particle"}),
    (SPHERE | {"type": "core_shell", "coating_thickness": "0.3 um"}, {"outer_surface"}, None),
    (SPHERE | {"type": "hollow_sphere", "inner_radius": "0.5 um"}, {"inner_surface"}, None),
    (SPHERE | {"type": "particle_in_matrix", "matrix_size": "2 um"}, {"outer_surface"}, None),
    (
        SPHERE | {"type": "particle_in_matrix", "matrix_size": "2 um", "matrix_shape": "cube"},
        {"outer_surface"},
        {"particle", "matrix"},
    ),
]


@pytest.mark.parametrize(("geometry", "surfaces", "regions"), GEOMETRIES)
@pytest.mark.parametrize("formulation", [AXI, PLANE])
@pytest.mark.parametrize("symmetry", ["full", "octant"])
def test_sections_are_meshed_and_named(geometry, surfaces, regions, formulation, symmetry):
    from pydantic import TypeAdapter

    from femsi.config.schema import Geometry

    section = TypeAdapter(Geometry).validate_python(geometry | formulation | {"symmetry": symmetry})
    model = build_mesh(section, MPI.COMM_WORLD)
    assert model.mesh.geometry.dim == 2 and model.mesh.topology.dim == 2
    assert model.formulation == formulation["formulation"]
    assert surfaces | {"particle_surface"} <= set(model.surfaces)
    if regions is not None:
        assert set(model.regions) == regions
    axisymmetric = formulation is AXI
    expected = set()
    if axisymmetric or symmetry == "octant":
        expected.add("symmetry_x")  # the axis r = 0, or the x = 0 mirror line
    if symmetry == "octant":
        expected.add("symmetry_y")
    assert {s for s in model.surfaces if s.startswith("symmetry")} == expected
    assert set(model.symmetry.values()) == expected
    x = model.mesh.geometry.x
    if axisymmetric:
        assert x[:, 0].min() > -1e-15  # r >= 0
    scale = {("full", True): 1, ("octant", True): 2, ("full", False): 1, ("octant", False): 4}
    assert model.volume_scale == scale[(symmetry, axisymmetric)]


def test_axisymmetric_run_writes_the_usual_outputs(run_study):
    """Same YAML, same outputs: columns, summary, VTX fields, snapshots and figures."""
    tree = study(
        geometry=SPHERE | AXI | {"symmetry": "full"},
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        outputs={"every": 1, "figures": True, "probes": {"centre": [0, 0, 0]}},
    )
    result = run_study(tree)
    assert result.status == "completed"
    row = result.rows[-1]
    for column in ("particle.max_von_mises_Pa", "probe.centre.szz_Pa", "probe.centre.uz_m"):
        assert column in row
    assert row["probe.centre.uz_m"] == 0.0
    out = result.output_dir
    assert (out / "fields" / "fields.bp").is_dir()
    index = json.loads((out / "fields" / "snapshots" / "index.json").read_text())
    assert index[-1]["planar"] is True
    figures = {p.name for p in (out / "figures").iterdir()}
    assert "step0_lithiate_von_mises.png" in figures
    summary = json.loads((out / "summary.json").read_text())
    # The 2πr weight: the capacity is the whole sphere's (faceted half-disc, 2 %).
    c_max = load_config(tree).materials["particle"].max_concentration
    assert summary["capacity_mol"] == pytest.approx(4 / 3 * math.pi * 1e-18 * c_max, rel=0.02)


@pytest.mark.parametrize(("formulation", "count"), [("plane_strain", 3), ("axisymmetric", 1)])
def test_rigid_body_modes_are_the_kernel_of_the_2d_stiffness(formulation, count):
    """Each near-nullspace vector is strain free: K m = 0 for the 2D (weighted) stiffness."""
    import ufl
    from dolfinx import fem
    from dolfinx.fem.petsc import assemble_matrix
    from pydantic import TypeAdapter

    from femsi.config.schema import Geometry
    from femsi.physics.kinematics import small_strain
    from femsi.physics.measures import Measures
    from femsi.solvers.nullspace import rigid_body_modes

    section = TypeAdapter(Geometry).validate_python(
        SPHERE | {"dimension": 2, "formulation": formulation, "symmetry": "full"}
    )
    model = build_mesh(section, MPI.COMM_WORLD)
    V = fem.functionspace(model.mesh, ("Lagrange", 2, (2,)))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    dx = Measures(model, 3, 2).dx(3)
    a = ufl.inner(small_strain(u, formulation), small_strain(v, formulation)) * dx
    A = assemble_matrix(fem.form(a))
    A.assemble()
    modes = rigid_body_modes(V, formulation)
    vectors = modes.nullspace.getVecs()
    assert len(vectors) == count
    scale = A.norm()
    for vector in vectors:
        assert (A * vector).norm() < 1e-10 * scale
    # A radial translation is not rigid in axisymmetry (ε_θθ = u_r/r): it is not in the kernel.
    if formulation == "axisymmetric":
        shift = A.createVecRight()
        shift.array.reshape(-1, 2)[:, 0] = 1.0
        assert (A * shift).norm() > 1e-3 * scale
