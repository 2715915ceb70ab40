"""Generate the example meshes of ``meshes/`` (run: ``python meshes/make_meshes.py``).

Coordinates are in micrometres: use them with ``geometry.length_unit: 1 um``.

* ``ellipsoid_in_cube.msh`` (Gmsh 4.1): one octant (x, y, z >= 0) of an ellipsoidal particle,
  semi-axes 1.0 x 0.7 x 0.5, in a cube matrix of half edge 2.0. Physical volumes ``particle``
  (1) and ``matrix`` (2); physical surfaces ``particle_surface`` (11, the particle/matrix
  interface), ``symmetry_x`` / ``symmetry_y`` / ``symmetry_z`` (12-14, the planes x = 0,
  y = 0, z = 0 across particle and matrix) and ``outer`` (15, the faces x, y, z = 2).
* ``cylinder_particle.vtu`` (VTK XML, via meshio): a full silicon cylinder (nanowire segment),
  radius 0.5, length 1.0, axis along z from z = 0 to z = 1. Integer cell data
  ``gmsh:physical``: 1 = particle (tetrahedra); 11 = mantle, 12 = bottom end (z = 0),
  13 = top end (z = 1) (triangles). VTU keeps no group names, only the numbers.

* ``cracked_disc.msh`` (Gmsh 4.1): a 2D disc of radius 1.0 in the x-y plane (a plane-strain
  particle section) with a straight radial edge crack from the surface point at 30° inward,
  length 0.2, meshed with linear triangles refined towards the tip (0.005 at the tip, 0.1 far).
  Physical groups: surface ``particle`` (1), curves ``particle_surface`` (11, the circle) and
  ``crack`` (12, the crack curve, not yet split: femsi's ``kind: tagged`` opens it).

* ``penny_in_box.msh`` (Gmsh 4.1): a quarter (x, y >= 0) of a box 4 x 4 x 4 centred at the
  origin, [0, 2] x [0, 2] x [-2, 2], with an embedded quarter penny crack of radius 0.4 in the
  plane z = 0 (its front the quarter circle, its straight edges on the symmetry planes), linear
  tetrahedra refined towards the front (0.02 there, 0.4 far). Physical groups: volume
  ``particle`` (1); surfaces ``symmetry_x`` (11, x = 0), ``symmetry_y`` (12, y = 0), ``outer``
  (13, the faces x = 2, y = 2, z = +-2) and ``crack`` (14, the crack surface, not yet split:
  femsi's ``kind: tagged`` opens it).

The meshes are deterministic for a given Gmsh version (single thread, fixed algorithms).
Give file names to rewrite only those: ``python meshes/make_meshes.py cracked_disc.msh``.
"""

from __future__ import annotations

import contextlib
import io
import math
import sys
import tempfile
from pathlib import Path

import gmsh
import meshio
import numpy as np

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------- ellipsoid in a cube (octant)
SEMI_AXES = (1.0, 0.7, 0.5)
HALF_EDGE = 2.0
MESH_SIZE = 0.25  # matrix, away from the particle
PARTICLE_MESH_SIZE = 0.15  # particle and its surface

# ---------------------------------------------------------------- cylinder
RADIUS = 0.5
LENGTH = 1.0
CYLINDER_MESH_SIZE = 0.12

# ---------------------------------------------------------------- cracked disc (2D)
CRACK_ANGLE = math.radians(30.0)
CRACK_LENGTH = 0.2
DISC_MESH_SIZE = 0.1
CRACK_TIP_SIZE = 0.005

# ---------------------------------------------------------------- penny crack in a box (3D)
PENNY_RADIUS = 0.4
BOX_HALF = 2.0
PENNY_TIP_SIZE = 0.02
BOX_MESH_SIZE = 0.4


def _start(name: str) -> None:
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("General.NumThreads", 1)
    gmsh.option.setNumber("Mesh.Algorithm", 6)  # Frontal-Delaunay (surfaces)
    gmsh.option.setNumber("Mesh.Algorithm3D", 1)  # Delaunay
    gmsh.option.setNumber("Mesh.Optimize", 1)
    gmsh.option.setNumber("Mesh.RandomSeed", 1)
    gmsh.model.add(name)


def _on_plane(tag: int, axis: int, value: float, tol: float) -> bool:
    box = gmsh.model.getBoundingBox(2, tag)
    lo, hi = box[axis], box[axis + 3]
    return abs(lo - value) < tol and abs(hi - value) < tol


def ellipsoid_in_cube(target: Path) -> dict:
    """Mesh the octant ellipsoid-in-cube model and write it in Gmsh 4.1 format."""
    _start("ellipsoid_in_cube")
    try:
        occ = gmsh.model.occ
        a, b, c = SEMI_AXES
        # An octant of the unit sphere (polar angle from 0 to pi/2, azimuth from 0 to pi/2),
        # stretched into the ellipsoid.
        ball = occ.addSphere(0, 0, 0, 1.0, -1, 0.0, math.pi / 2, math.pi / 2)
        occ.dilate([(3, ball)], 0, 0, 0, a, b, c)
        cube = occ.addBox(0, 0, 0, HALF_EDGE, HALF_EDGE, HALF_EDGE)
        occ.fragment([(3, cube)], [(3, ball)])
        occ.removeAllDuplicates()
        occ.synchronize()
        volumes = [t for d, t in gmsh.model.getEntities(3)]
        if len(volumes) != 2:
            raise RuntimeError(f"expected 2 volumes after the fragment, got {volumes}")
        # The particle is the volume whose bounding box ends at the semi-axes.
        particle = min(volumes, key=lambda t: gmsh.model.getBoundingBox(3, t)[3])
        matrix = next(t for t in volumes if t != particle)

        tol = 1e-6
        groups: dict[str, list[int]] = {
            "particle_surface": [],
            "symmetry_x": [],
            "symmetry_y": [],
            "symmetry_z": [],
            "outer": [],
        }
        for _, tag in gmsh.model.getEntities(2):
            for axis in range(3):
                if _on_plane(tag, axis, 0.0, tol):
                    groups[f"symmetry_{'xyz'[axis]}"].append(tag)
                    break
                if _on_plane(tag, axis, HALF_EDGE, tol):
                    groups["outer"].append(tag)
                    break
            else:
                groups["particle_surface"].append(tag)
        if len(groups["particle_surface"]) != 1 or len(groups["outer"]) != 3:
            raise RuntimeError(f"unexpected surface classification: {groups}")

        gmsh.model.addPhysicalGroup(3, [particle], 1, name="particle")
        gmsh.model.addPhysicalGroup(3, [matrix], 2, name="matrix")
        for index, (name, tags) in enumerate(groups.items(), start=11):
            gmsh.model.addPhysicalGroup(2, tags, index, name=name)

        # Mesh size: fine in and on the particle, growing to MESH_SIZE in the matrix.
        field = gmsh.model.mesh.field
        distance = field.add("Distance")
        field.setNumbers(distance, "SurfacesList", groups["particle_surface"])
        threshold = field.add("Threshold")
        field.setNumber(threshold, "InField", distance)
        field.setNumber(threshold, "SizeMin", PARTICLE_MESH_SIZE)
        field.setNumber(threshold, "SizeMax", MESH_SIZE)
        field.setNumber(threshold, "DistMin", 0.0)
        field.setNumber(threshold, "DistMax", 0.5)
        inside = field.add("Constant")
        field.setNumber(inside, "VIn", PARTICLE_MESH_SIZE)
        field.setNumber(inside, "VOut", MESH_SIZE)
        field.setNumbers(inside, "VolumesList", [particle])
        both = field.add("Min")
        field.setNumbers(both, "FieldsList", [threshold, inside])
        field.setAsBackgroundMesh(both)
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)

        gmsh.model.mesh.generate(3)
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.option.setNumber("Mesh.Binary", 0)
        gmsh.option.setNumber("Mesh.SaveAll", 0)  # only elements in physical groups
        gmsh.write(str(target))
        return _count(target)
    finally:
        gmsh.finalize()


def cylinder_particle(target: Path) -> dict:
    """Mesh the full cylinder and write it through meshio with integer ``gmsh:physical`` tags."""
    _start("cylinder_particle")
    try:
        occ = gmsh.model.occ
        cylinder = occ.addCylinder(0, 0, 0, 0, 0, LENGTH, RADIUS)
        occ.synchronize()
        tol = 1e-6
        groups: dict[int, list[int]] = {11: [], 12: [], 13: []}
        for _, tag in gmsh.model.getBoundary([(3, cylinder)], oriented=False):
            if _on_plane(tag, 2, 0.0, tol):
                groups[12].append(tag)
            elif _on_plane(tag, 2, LENGTH, tol):
                groups[13].append(tag)
            else:
                groups[11].append(tag)
        if not all(groups.values()):
            raise RuntimeError(f"unexpected surface classification: {groups}")
        gmsh.model.addPhysicalGroup(3, [cylinder], 1, name="particle")
        names = {11: "mantle", 12: "bottom", 13: "top"}
        for tag, surfaces in groups.items():
            gmsh.model.addPhysicalGroup(2, surfaces, tag, name=names[tag])
        gmsh.option.setNumber("Mesh.MeshSizeMin", CYLINDER_MESH_SIZE)
        gmsh.option.setNumber("Mesh.MeshSizeMax", CYLINDER_MESH_SIZE)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.model.mesh.generate(3)
        gmsh.option.setNumber("Mesh.SaveAll", 0)
        with tempfile.TemporaryDirectory() as tmp:
            msh = Path(tmp) / "cylinder.msh"
            gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
            gmsh.write(str(msh))
            mesh = _quiet_read(msh)
    finally:
        gmsh.finalize()
    # Keep tetrahedra and triangles with their physical tag only, drop unused points.
    blocks, tags = [], []
    for block, physical in zip(mesh.cells, mesh.cell_data["gmsh:physical"], strict=True):
        if block.type in ("tetra", "triangle"):
            blocks.append((block.type, block.data))
            tags.append(np.asarray(physical, dtype=np.int32))
    used = np.unique(np.concatenate([data.ravel() for _, data in blocks]))
    renumber = np.full(len(mesh.points), -1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    out = meshio.Mesh(
        mesh.points[used],
        [(kind, renumber[data]) for kind, data in blocks],
        cell_data={"gmsh:physical": tags},
    )
    out.write(target, file_format="vtu", binary=True, compression="zlib")
    _check_round_trip(out, target)
    return _count(target)


def cracked_disc(target: Path) -> dict:
    """Mesh a disc with a tagged (not yet opened) radial edge crack in Gmsh 4.1 format."""
    _start("cracked_disc")
    try:
        occ = gmsh.model.occ
        disc = occ.addDisk(0, 0, 0, 1.0, 1.0)
        c, s = math.cos(CRACK_ANGLE), math.sin(CRACK_ANGLE)
        mouth = occ.addPoint(c, s, 0)
        tip = occ.addPoint((1 - CRACK_LENGTH) * c, (1 - CRACK_LENGTH) * s, 0)
        line = occ.addLine(mouth, tip)
        occ.fragment([(2, disc)], [(1, line)])
        occ.synchronize()
        crack = [t for _, t in gmsh.model.getEntities(1) if gmsh.model.getType(1, t) == "Line"]
        circle = [t for _, t in gmsh.model.getEntities(1) if t not in crack]
        if len(crack) != 1 or not circle:
            raise RuntimeError(f"unexpected curves: crack {crack}, circle {circle}")
        gmsh.model.addPhysicalGroup(
            2, [t for _, t in gmsh.model.getEntities(2)], 1, name="particle"
        )
        gmsh.model.addPhysicalGroup(1, circle, 11, name="particle_surface")
        gmsh.model.addPhysicalGroup(1, crack, 12, name="crack")
        tip_point = next(
            t
            for _, t in gmsh.model.getEntities(0)
            if np.linalg.norm(
                gmsh.model.getValue(0, t, [])[:2] - (1 - CRACK_LENGTH) * np.array([c, s])
            )
            < 1e-9
        )
        field = gmsh.model.mesh.field
        distance = field.add("Distance")
        field.setNumbers(distance, "PointsList", [tip_point])
        threshold = field.add("Threshold")
        field.setNumber(threshold, "InField", distance)
        field.setNumber(threshold, "SizeMin", CRACK_TIP_SIZE)
        field.setNumber(threshold, "SizeMax", DISC_MESH_SIZE)
        field.setNumber(threshold, "DistMin", 2 * CRACK_TIP_SIZE)
        field.setNumber(threshold, "DistMax", 0.5)
        field.setAsBackgroundMesh(threshold)
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        gmsh.model.mesh.generate(2)
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.option.setNumber("Mesh.Binary", 0)
        gmsh.option.setNumber("Mesh.SaveAll", 0)
        gmsh.write(str(target))
        return _count(target)
    finally:
        gmsh.finalize()


def penny_in_box(target: Path, tip_size: float = PENNY_TIP_SIZE) -> dict:
    """Mesh the quarter box with an embedded, tagged quarter penny crack (Gmsh 4.1).

    ``tip_size`` other than the shipped 0.02 makes the refined meshes of the tests.
    """
    _start("penny_in_box")
    try:
        occ = gmsh.model.occ
        a, w = PENNY_RADIUS, BOX_HALF
        box = occ.addBox(0, 0, -w, w, w, 2 * w)
        disc = occ.addDisk(0, 0, 0, a, a)
        quarter, _ = occ.intersect([(2, disc)], [(2, occ.addRectangle(0, 0, 0, w, w))])
        occ.fragment([(3, box)], quarter)
        occ.synchronize()
        tol = 1e-6
        groups: dict[str, list[int]] = {"symmetry_x": [], "symmetry_y": [], "outer": []}
        crack = []
        for _, tag in gmsh.model.getEntities(2):
            if _on_plane(tag, 2, 0.0, tol):
                crack.append(tag)
            elif _on_plane(tag, 0, 0.0, tol):
                groups["symmetry_x"].append(tag)
            elif _on_plane(tag, 1, 0.0, tol):
                groups["symmetry_y"].append(tag)
            else:
                groups["outer"].append(tag)
        if len(crack) != 1 or len(groups["outer"]) != 4:
            raise RuntimeError(f"unexpected surfaces: crack {crack}, {groups}")
        volumes = [t for _, t in gmsh.model.getEntities(3)]
        gmsh.model.addPhysicalGroup(3, volumes, 1, name="particle")
        for index, (name, tags) in enumerate(groups.items(), start=11):
            gmsh.model.addPhysicalGroup(2, tags, index, name=name)
        gmsh.model.addPhysicalGroup(2, crack, 14, name="crack")
        field = gmsh.model.mesh.field
        size = field.add("MathEval")
        front = f"Sqrt((Sqrt(x*x+y*y)-{a})^2+z*z)"
        field.setString(size, "F", f"Min({BOX_MESH_SIZE}, {tip_size} + 0.2*{front})")
        field.setAsBackgroundMesh(size)
        gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
        gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
        gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        gmsh.model.mesh.generate(3)
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.option.setNumber("Mesh.Binary", 0)
        gmsh.option.setNumber("Mesh.SaveAll", 0)
        gmsh.write(str(target))
        return _count(target)
    finally:
        gmsh.finalize()


def _check_round_trip(written: meshio.Mesh, target: Path) -> None:
    """Read the file back and check points, cells and integer tags survived."""
    back = _quiet_read(target)
    assert np.allclose(back.points, written.points)
    for kind in ("tetra", "triangle"):
        assert np.array_equal(back.get_cells_type(kind), written.get_cells_type(kind)), kind
        tags_in = written.get_cell_data("gmsh:physical", kind)
        tags_out = back.get_cell_data("gmsh:physical", kind)
        assert np.issubdtype(tags_out.dtype, np.integer), tags_out.dtype
        assert np.array_equal(tags_in, tags_out), kind


def _quiet_read(path: Path) -> meshio.Mesh:
    """meshio.read without the blank line meshio's Gmsh reader prints."""
    with contextlib.redirect_stdout(io.StringIO()):
        return meshio.read(path)


def _count(path: Path) -> dict:
    mesh = _quiet_read(path)
    summary = {
        "file": path.name,
        "size_kB": round(path.stat().st_size / 1024, 1),
        "points": len(mesh.points),
    }
    for block in mesh.cells:
        summary[block.type] = summary.get(block.type, 0) + len(block.data)
    return summary


def main(names: list[str]) -> int:
    """Write the meshes (all, or those named) next to this script and print their sizes."""
    builders = {
        "ellipsoid_in_cube.msh": ellipsoid_in_cube,
        "cylinder_particle.vtu": cylinder_particle,
        "cracked_disc.msh": cracked_disc,
        "penny_in_box.msh": penny_in_box,
    }
    for name in names or builders:
        print(builders[name](HERE / name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
