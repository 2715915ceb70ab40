"""The field file ``fields/fields.bp``: every field on one mesh, the mesh once, lengths in µm.

References: the nodal average of a linear discontinuous field is the field (it is continuous);
of a cell-wise constant field it is Σ_K |K| f_K / Σ_K |K| over the cells around the node, by
hand on a two-cell mesh; P1 fields interpolated at the vertices equal the snapshots' (gathered
P1 interpolation); the confined elastoplastic film's α after the cycle 0 → e_max → 0 is
2(2 e_max − 3σ_Y/M_f) (tests/verification/test_plasticity_runner.py) in every cell.
"""

from __future__ import annotations

import json

from mpi4py import MPI

import meshio
import numpy as np
import pytest
from dolfinx import fem, mesh

from femsi.outputs.fields import NodalAverage
from tests.conftest import study
from tests.verification.test_plasticity_runner import film_study

FIELDS = {
    "u",
    "concentration_mol_m3",
    "cauchy_stress_Pa",
    "von_mises_Pa",
    "hydrostatic_stress_Pa",
    "max_principal_Pa",
    "volume_ratio_J",
}


def read_vtx(path):
    """The file read back (the test is skipped without the adios2 wheel)."""
    from tests.support.vtx import read_vtx as read

    return read(path)


def _particle(**outputs) -> dict:
    return study(
        physics={"mechanics": "finite_strain", "displacement_degree": 2},
        protocol=[{"lithiate": {"c_rate": 4, "duration": "30 s"}}],
        outputs={"every": 1, "figures": False, **outputs},
    )


def _by_point(points: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` ordered by their points' rounded coordinates, duplicates dropped."""
    key = np.round(points / np.abs(points).max(), 9)
    _, first = np.unique(key, axis=0, return_index=True)
    order = np.lexsort(key[first].T[::-1])
    return values[first][order]


def test_nodal_average_is_exact_for_continuous_and_volume_weighted_for_cell_values():
    cube = mesh.create_unit_cube(MPI.COMM_SELF, 2, 2, 2)
    average = NodalAverage(cube)
    for degree in (1, 2):
        linear = fem.Function(fem.functionspace(cube, ("DG", 1, (3, 3))))
        linear.interpolate(lambda x: np.vstack([x[0] + 2 * x[1] - k * x[2] for k in range(9)]))
        target = fem.Function(fem.functionspace(cube, ("Lagrange", degree, (3, 3))))
        average.apply(linear, target)
        exact = fem.Function(target.function_space)
        exact.interpolate(linear)
        np.testing.assert_allclose(target.x.array, exact.x.array, atol=1e-13)
    # Two triangles of areas 1/2 and 1 sharing the edge (0,0)-(1,0): f = 3 and 7 on them.
    points = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, -2.0]])
    cells = np.array([[0, 1, 2], [0, 1, 3]], dtype=np.int64)
    import basix.ufl
    import ufl

    element = ufl.Mesh(basix.ufl.element("Lagrange", "triangle", 1, shape=(2,)))
    pair = mesh.create_mesh(MPI.COMM_SELF, cells, element, points)
    cell_value = fem.Function(fem.functionspace(pair, ("DG", 0)))
    cell_value.interpolate(lambda x: np.where(x[1] > 0, 3.0, 7.0))
    nodal = fem.Function(fem.functionspace(pair, ("Lagrange", 1)))
    NodalAverage(pair).apply(cell_value, nodal)
    at = nodal.function_space.tabulate_dof_coordinates()[:, :2]
    expected = np.where(
        at[:, 1] > 0.5, 3.0, np.where(at[:, 1] < -0.5, 7.0, (0.5 * 3 + 1.0 * 7) / 1.5)
    )
    np.testing.assert_allclose(nodal.x.array, expected, rtol=1e-14)


def test_the_file_grows_by_the_fields_alone_at_each_step(run_study):
    """Without ADIOS2 bindings: the data file holds the mesh once and 145 B/node a step.

    A step holds 17 doubles (u 3, c, σ 9, four scalars), a point id (8 B) and a ghost flag
    (1 B) per node; the mesh is the coordinates (24 B/node) and the connectivity (5 int64 per
    tetrahedron). ADIOS2 adds under 4 kB of block headers a step (1.6 kB measured). A mesh
    rewritten at each step would exceed the bound by (steps - 1) meshes.
    """
    result = run_study(_particle(), name="size")
    manifest = json.loads((result.output_dir / "manifest.json").read_text())
    nodes, cells = manifest["mesh"]["vertices"], manifest["mesh"]["cells"]
    steps = len(result.rows)
    mesh_bytes = nodes * 3 * 8 + cells * 5 * 8
    assert mesh_bytes > 3 * 4096  # the bound below tells one mesh from two
    size = (result.output_dir / "fields" / "fields.bp" / "data.0").stat().st_size
    assert steps * nodes * 145 + mesh_bytes < size < steps * (nodes * 145 + 4096) + mesh_bytes


def test_one_file_every_field_one_mesh_written_once_and_the_snapshots_agree(run_study):
    result = run_study(_particle(), name="si")
    assert result.status == "completed"
    out = result.output_dir
    assert sorted(p.name for p in (out / "fields").iterdir()) == [
        "fields.bp",
        "snapshots",
        "snapshots.pvd",
    ]
    vtx = read_vtx(out / "fields" / "fields.bp")
    assert set(vtx.arrays) == FIELDS
    steps = len(result.rows)
    assert vtx.steps == steps == 4
    assert vtx.times == [row["time_s"] for row in result.rows]
    # the mesh (and its cells) once; every field and the per-step VTX arrays at each step
    for name in ("geometry", "connectivity", "types", "NumberOfNodes"):
        assert vtx.step_counts[name] == 1, name
    for name in (*FIELDS, "vtkGhostType", "vtkOriginalPointIds", "step"):
        assert vtx.step_counts[name] == steps, name
    for name in FIELDS:
        assert f'<DataArray Name="{name}" />' in vtx.vtk_xml
    # P1 (the default): the vertices, one value per node of every field
    nodes = vtx.geometry.shape[0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert nodes == manifest["mesh"]["vertices"]
    assert vtx.arrays["cauchy_stress_Pa"].shape == (steps, nodes, 9)
    assert vtx.arrays["u"].shape == (steps, nodes, 3)
    # the continuous fields are the snapshots' (both P1 at the vertices)
    index = json.loads((out / "fields" / "snapshots" / "index.json").read_text())
    snapshot = meshio.read(out / "fields" / "snapshots" / index[-1]["file"])
    assert nodes == snapshot.points.shape[0]
    for name in ("u", "concentration_mol_m3"):
        np.testing.assert_allclose(
            _by_point(vtx.geometry, vtx.arrays[name][-1]),
            _by_point(snapshot.points, snapshot.point_data[name].reshape(nodes, -1)),
            rtol=1e-12,
            atol=1e-12 * np.abs(snapshot.point_data[name]).max(),
        )
    sigma = vtx.arrays["cauchy_stress_Pa"][-1]
    trace = (sigma[:, 0] + sigma[:, 4] + sigma[:, 8]) / 3  # averaging is linear
    np.testing.assert_allclose(vtx.arrays["hydrostatic_stress_Pa"][-1, :, 0], trace, rtol=1e-9)
    # nodal averages lie within the discontinuous extremes of the time series
    largest = vtx.arrays["von_mises_Pa"][-1].max()
    assert 0.5 * result.rows[-1]["particle.max_von_mises_Pa"] < largest
    assert largest <= result.rows[-1]["particle.max_von_mises_Pa"] * (1 + 1e-12)
    assert vtx.arrays["volume_ratio_J"][-1].max() > 1.1  # the lithiated shell has swollen
    assert vtx.arrays["volume_ratio_J"][0] == pytest.approx(1.0)


def test_length_unit_um_scales_the_coordinates_and_u_of_the_field_file_only(run_study):
    si = run_study(_particle(), name="si")
    um = run_study(_particle(length_unit="1 um"), name="um")
    # the model itself is untouched (its mesh scaled for the first write only, then restored)
    assert [r["particle.volume_m3"] for r in um.rows] == [r["particle.volume_m3"] for r in si.rows]
    a, b = (read_vtx(r.output_dir / "fields" / "fields.bp") for r in (si, um))
    np.testing.assert_allclose(b.geometry, a.geometry * 1e6, rtol=1e-12)
    assert 0.99 < b.geometry.max() <= 1.0  # a 1 µm particle reads 0 … 1
    np.testing.assert_allclose(b.arrays["u"], a.arrays["u"] * 1e6, rtol=1e-12)
    for name in FIELDS - {"u"}:
        np.testing.assert_array_equal(b.arrays[name], a.arrays[name])
    # the snapshots stay SI: femsi plot and the Python API read them as metres
    index = json.loads((si.output_dir / "fields" / "snapshots" / "index.json").read_text())
    for entry in index:
        m, same = (
            meshio.read(r.output_dir / "fields" / "snapshots" / entry["file"]) for r in (si, um)
        )
        np.testing.assert_array_equal(same.points, m.points)
        np.testing.assert_array_equal(same.point_data["u"], m.point_data["u"])
    assert m.points.max() == pytest.approx(1e-6)


def test_displacement_space_has_the_p2_nodes(run_study):
    result = run_study(_particle(field_space="displacement"), name="p2")
    vtx = read_vtx(result.output_dir / "fields" / "fields.bp")
    manifest = json.loads((result.output_dir / "manifest.json").read_text())
    assert vtx.geometry.shape[0] == manifest["dofs"]["displacement"] // 3
    assert set(vtx.arrays) == FIELDS
    assert vtx.step_counts["geometry"] == 1


def test_plastic_strain_is_written_at_each_output(run_study):
    """The film's α is uniform: every node holds the time series' value of that step."""
    tree = film_study(step=0.005)
    tree["outputs"] = {"every": 2, "figures": False}
    result = run_study(tree, name="film")
    vtx = read_vtx(result.output_dir / "fields" / "fields.bp")
    assert set(vtx.arrays) == FIELDS | {"equivalent_plastic_strain"}
    alpha = vtx.arrays["equivalent_plastic_strain"][:, :, 0]
    by_time = {row["time_s"]: row["film.max_equivalent_plastic_strain"] for row in result.rows}
    expected = np.array([by_time[t] for t in vtx.times])
    assert expected[-1] > 0.01  # the cycle has flowed
    # uniform but for the film's small concentration gradient (2e-8 at the first plastic output)
    np.testing.assert_allclose(
        alpha, expected[:, None] * np.ones_like(alpha), rtol=0, atol=1e-5 * expected[-1]
    )
