"""Pre-cracked 2D plane-strain test geometries: a centre-cracked plate and an edge-cracked strip.

The crack is a straight segment embedded in the plate (OpenCASCADE fragment), meshed with the
plate, then opened by Gmsh's ``Crack`` plugin, which duplicates the nodes on the segment so the
two crack faces are coincident curves that move independently (zero initial opening). The tips
are not duplicated; the mouth of an edge crack, on the outer boundary, is. A Distance +
Threshold field refines the mesh towards each tip.

Coordinates: the plate is ``[-b, b] × [-h, h]`` (centre crack) or ``[0, b] × [-h, h]`` (edge
crack from ``x = 0``), in metres. The crack is centred on the origin (centre crack, half-length
``a``, inclined by ``angle`` to the x axis) or runs from ``(0, 0)`` to ``(a, 0)`` (edge crack).

Tagged surfaces: ``top`` and ``bottom`` (the loaded ends), ``left``, ``right``, ``crack`` (both
faces). Region: ``plate``.

Reference for the test problems: Tada, Paris & Irwin, The Stress Analysis of Cracks Handbook
(3rd ed., 2000).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mpi4py import MPI

import gmsh
import numpy as np

import femsi.compat  # noqa: F401
from femsi.cracks.plugin import renumber, split_crack
from femsi.errors import InputError
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import MeshModel

_PLATE, _TOP, _BOTTOM, _LEFT, _RIGHT, _CRACK = 1, 11, 12, 13, 14, 15


@dataclass(frozen=True)
class CrackTip:
    """One crack tip.

    Attributes:
        point: Tip coordinates, m.
        direction: Unit vector along which the crack would grow (from the crack into the body).
    """

    point: tuple[float, float]
    direction: tuple[float, float]


def _check(kind: str, a: float, b: float, h: float, angle: float) -> None:
    if a <= 0:
        raise InputError("cracks.length", f"must be positive, got {a} m")
    if kind == "centre":
        reach_x = a * abs(math.cos(angle))
        reach_y = a * abs(math.sin(angle))
        if reach_x >= b or reach_y >= h:
            raise InputError(
                "cracks.length",
                f"a centre crack of half-length {a} m at {math.degrees(angle):g}° leaves the "
                f"plate of half-width {b} m and half-height {h} m",
            )
    elif a >= b:
        raise InputError(
            "cracks.length", f"an edge crack of length {a} m cuts through the strip of width {b} m"
        )


def cracked_plate(
    kind: str,
    a: float,
    b: float,
    h: float,
    mesh_size: float,
    tip_size: float,
    angle: float = 0.0,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> tuple[MeshModel, list[CrackTip]]:
    """Mesh a plate with a centre crack or a strip with a single edge crack.

    Args:
        kind: ``centre`` (crack of length 2a centred in a plate of width 2b) or ``edge`` (crack
            of length a from the left edge of a strip of width b).
        a: Half-length of a centre crack, or length of an edge crack, m.
        b: Half-width of the plate (centre) or width of the strip (edge), m.
        h: Half-height, m.
        mesh_size: Element size far from the tips, m.
        tip_size: Element size at the tips, m.
        angle: Inclination of a centre crack to the x axis, radians.
        comm: Communicator of the mesh.

    Returns:
        The mesh model (plane strain) and the crack tips.

    Raises:
        InputError: A crack that leaves the plate or cuts through the strip.
    """
    from dolfinx.io import gmsh as gmshio

    if kind not in ("centre", "edge"):
        raise InputError("cracks.kind", f"must be 'centre' or 'edge', got {kind!r}")
    _check(kind, a, b, h, angle)
    if kind == "centre":
        c, s = math.cos(angle), math.sin(angle)
        ends = [(-a * c, -a * s), (a * c, a * s)]
        tips = [CrackTip(ends[1], (c, s)), CrackTip(ends[0], (-c, -s))]
        x0 = -b
        width = 2 * b
    else:
        ends = [(0.0, 0.0), (a, 0.0)]
        tips = [CrackTip(ends[1], (1.0, 0.0))]
        x0 = 0.0
        width = b
    with gmsh_session("cracked_plate"):
        if comm.rank == 0:
            occ = gmsh.model.occ
            plate = occ.addRectangle(x0, -h, 0, width, 2 * h)
            p0 = occ.addPoint(*ends[0], 0)
            p1 = occ.addPoint(*ends[1], 0)
            line = occ.addLine(p0, p1)
            occ.fragment([(2, plate)], [(1, line)])
            occ.synchronize()
            sides: dict[int, list[int]]
            crack_curves, sides = [], {_TOP: [], _BOTTOM: [], _LEFT: [], _RIGHT: []}
            for dim, tag in gmsh.model.getEntities(1):
                x = gmsh.model.occ.getCenterOfMass(dim, tag)
                if abs(x[1] - h) < 1e-9 * h:
                    sides[_TOP].append(tag)
                elif abs(x[1] + h) < 1e-9 * h:
                    sides[_BOTTOM].append(tag)
                elif abs(x[0] - x0) < 1e-9 * width:
                    sides[_LEFT].append(tag)
                elif abs(x[0] - x0 - width) < 1e-9 * width:
                    sides[_RIGHT].append(tag)
                else:
                    crack_curves.append(tag)
            gmsh.model.addPhysicalGroup(2, [t for _, t in gmsh.model.getEntities(2)], _PLATE)
            for tag, curves in sides.items():
                gmsh.model.addPhysicalGroup(1, curves, tag)
            gmsh.model.addPhysicalGroup(1, crack_curves, _CRACK)
            tip_points = [
                t
                for _, t in gmsh.model.getEntities(0)
                if any(
                    np.hypot(*(np.array(gmsh.model.getValue(0, t, [])[:2]) - tip.point)) < 1e-9 * b
                    for tip in tips
                )
            ]
            field = gmsh.model.mesh.field
            distance = field.add("Distance")
            field.setNumbers(distance, "PointsList", tip_points)
            threshold = field.add("Threshold")
            field.setNumber(threshold, "InField", distance)
            field.setNumber(threshold, "SizeMin", tip_size)
            field.setNumber(threshold, "SizeMax", mesh_size)
            field.setNumber(threshold, "DistMin", 2 * tip_size)
            field.setNumber(threshold, "DistMax", a)
            field.setAsBackgroundMesh(threshold)
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
            gmsh.model.mesh.generate(2)
            mouth = [
                t
                for _, t in gmsh.model.getEntities(0)
                if kind == "edge" and np.hypot(*gmsh.model.getValue(0, t, [])[:2]) < 1e-9 * b
            ]
            split_crack(1, _CRACK, mouth)
            renumber()
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=2)
    surfaces = {"top": _TOP, "bottom": _BOTTOM, "left": _LEFT, "right": _RIGHT, "crack": _CRACK}
    assert data.cell_tags is not None and data.facet_tags is not None  # tagged model
    model = MeshModel(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        regions={"plate": _PLATE},
        surfaces=surfaces,
        formulation="plane_strain",
        info={"crack": kind, "a": a, "b": b, "h": h},
    )
    return model, tips
