"""A penny-shaped crack of radius a in a cylinder: the axisymmetric half section and the 3D quarter.

The crack lies in the plane z = 0, which is a plane of symmetry of the body under axial
loads: only z ≥ 0 is meshed, the crack face (z = 0, r < a) is a free surface and the ligament
(z = 0, r > a) is held at u_z = 0, so no crack faces are duplicated. The 3D model is also cut by
the symmetry planes x = 0 and y = 0 (a quarter cylinder: the crack front is a quarter circle
ending on them). A Distance + Threshold field refines the mesh towards the tip (2D) or the
front (3D).

Tagged surfaces: ``crack`` (free crack face), ``ligament`` (u_z = 0), ``top`` (z = h, the
loaded end), ``outer`` (r = w), and ``axis`` (r = 0, axisymmetric) or ``x0``, ``y0`` (the
symmetry planes, 3D). Region: ``body``.

Reference problem: remote tension σ normal to the crack in an infinite body,
K_I = 2σ√(a/π) along the front (Sneddon 1946; Tada, Paris & Irwin, The Stress Analysis of
Cracks Handbook, 3rd ed. (2000)).
"""

from __future__ import annotations

import math

from mpi4py import MPI

import gmsh
import numpy as np

import femsi.compat  # noqa: F401
from femsi.cracks.cracked_plate import CrackTip
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import MeshModel

#: Growth of the element size with the distance from the tip or front.
GROWTH = 0.2
_BODY = 1
_SURFACES = {"crack": 11, "ligament": 12, "top": 13, "outer": 14, "axis": 15, "x0": 16, "y0": 17}


def _check(a: float, w: float, h: float, tip_size: float, mesh_size: float) -> None:
    if not 0 < a < w:
        raise ValueError(f"the crack radius a = {a} must lie in (0, w = {w})")
    if h <= 0 or not 0 < tip_size <= mesh_size:
        raise ValueError("need h > 0 and 0 < tip_size ≤ mesh_size")


def _refine(entities_dim: int, tags: list[int], tip_size: float, mesh_size: float):
    """Element size tip_size + GROWTH · distance (at most mesh_size) from the tip or front."""
    field = gmsh.model.mesh.field
    distance = field.add("Distance")
    field.setNumbers(distance, "PointsList" if entities_dim == 0 else "CurvesList", tags)
    if entities_dim == 1:
        field.setNumber(distance, "Sampling", 200)
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", tip_size)
    field.setNumber(threshold, "SizeMax", mesh_size)
    field.setNumber(threshold, "DistMin", 2 * tip_size)
    field.setNumber(threshold, "DistMax", 2 * tip_size + (mesh_size - tip_size) / GROWTH)
    field.setAsBackgroundMesh(threshold)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)


def penny_section(
    a: float,
    w: float,
    h: float,
    mesh_size: float,
    tip_size: float,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> tuple[MeshModel, CrackTip]:
    """Axisymmetric half section [0, w] × [0, h] (x = r, y = z) of a cylinder with a penny crack.

    Args:
        a: Crack radius, m.
        w: Cylinder radius, m.
        h: Half-height (the meshed part is z ∈ [0, h]), m.
        mesh_size: Element size far from the tip, m.
        tip_size: Element size at the tip, m.
        comm: Communicator of the mesh.

    Returns:
        The mesh model (axisymmetric) and the tip at (a, 0), advancing along +r.
    """
    from dolfinx.io import gmsh as gmshio

    _check(a, w, h, tip_size, mesh_size)
    with gmsh_session("penny_section"):
        if comm.rank == 0:
            occ = gmsh.model.occ
            rectangle = occ.addRectangle(0, 0, 0, w, h)
            tip = occ.addPoint(a, 0, 0)
            occ.fragment([(2, rectangle)], [(0, tip)])
            occ.synchronize()
            groups: dict[str, list[int]] = {k: [] for k in ("crack", "ligament", "top", "outer")}
            groups["axis"] = []
            for _, tag in gmsh.model.getEntities(1):
                x, y, _ = occ.getCenterOfMass(1, tag)
                if abs(y) < 1e-9 * h:
                    groups["crack" if x < a else "ligament"].append(tag)
                elif abs(y - h) < 1e-9 * h:
                    groups["top"].append(tag)
                elif abs(x) < 1e-9 * w:
                    groups["axis"].append(tag)
                else:
                    groups["outer"].append(tag)
            gmsh.model.addPhysicalGroup(2, [t for _, t in gmsh.model.getEntities(2)], _BODY)
            for name, curves in groups.items():
                gmsh.model.addPhysicalGroup(1, curves, _SURFACES[name])
            tips = [
                t
                for _, t in gmsh.model.getEntities(0)
                if np.hypot(*(np.array(gmsh.model.getValue(0, t, [])[:2]) - (a, 0))) < 1e-9 * w
            ]
            _refine(0, tips, tip_size, mesh_size)
            gmsh.model.mesh.generate(2)
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=2)
    names = ("crack", "ligament", "top", "outer", "axis")
    assert data.cell_tags is not None and data.facet_tags is not None  # tagged model
    model = MeshModel(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        regions={"body": _BODY},
        surfaces={k: _SURFACES[k] for k in names},
        symmetry={0: "axis"},
        rollers={"ligament": 1},
        formulation="axisymmetric",
        info={"crack": "penny", "a": a, "w": w, "h": h},
    )
    return model, CrackTip((a, 0.0), (1.0, 0.0))


def penny_quarter(
    a: float,
    w: float,
    h: float,
    mesh_size: float,
    tip_size: float,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> MeshModel:
    """3D quarter cylinder (x, y ≥ 0, radius w, z ∈ [0, h]) with a quarter penny crack on z = 0.

    Args:
        a: Crack radius, m.
        w: Cylinder radius, m.
        h: Half-height, m.
        mesh_size: Element size far from the front, m.
        tip_size: Element size at the front, m.
        comm: Communicator of the mesh.

    Returns:
        The mesh model (3D); the front is :func:`penny_front`.
    """
    from dolfinx.io import gmsh as gmshio

    _check(a, w, h, tip_size, mesh_size)
    with gmsh_session("penny_quarter"):
        if comm.rank == 0:
            occ = gmsh.model.occ
            body = occ.addCylinder(0, 0, 0, 0, 0, h, w, angle=math.pi / 2)
            front = occ.addCircle(0, 0, 0, a, angle1=0.0, angle2=math.pi / 2)
            _, pieces = occ.fragment([(3, body)], [(1, front)])
            occ.synchronize()
            curves = [tag for _, tag in pieces[1]]
            groups: dict[str, list[int]] = {k: [] for k in ("crack", "ligament", "top", "outer")}
            groups |= {"x0": [], "y0": []}
            for _, tag in gmsh.model.getEntities(2):
                x, y, z = occ.getCenterOfMass(2, tag)
                if abs(z) < 1e-9 * h:
                    groups["crack" if math.hypot(x, y) < a else "ligament"].append(tag)
                elif abs(z - h) < 1e-9 * h:
                    groups["top"].append(tag)
                elif abs(x) < 1e-9 * w:
                    groups["x0"].append(tag)
                elif abs(y) < 1e-9 * w:
                    groups["y0"].append(tag)
                else:
                    groups["outer"].append(tag)
            gmsh.model.addPhysicalGroup(3, [t for _, t in gmsh.model.getEntities(3)], _BODY)
            for name, surfaces in groups.items():
                gmsh.model.addPhysicalGroup(2, surfaces, _SURFACES[name])
            _refine(1, curves, tip_size, mesh_size)
            gmsh.model.mesh.generate(3)
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=3)
    names = ("crack", "ligament", "top", "outer", "x0", "y0")
    assert data.cell_tags is not None and data.facet_tags is not None  # tagged model
    return MeshModel(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        regions={"body": _BODY},
        surfaces={k: _SURFACES[k] for k in names},
        symmetry={0: "x0", 1: "y0"},
        rollers={"ligament": 2},
        info={"crack": "penny", "a": a, "w": w, "h": h},
    )


def penny_front(a: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The quarter front: n points (a cos φ, a sin φ, 0), φ ∈ [0, π/2], and radial normals."""
    phi = np.linspace(0.0, math.pi / 2, n)
    normals = np.stack([np.cos(phi), np.sin(phi), np.zeros(n)], axis=1)
    return a * normals, normals
