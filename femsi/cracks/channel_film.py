"""A 2D film strip on a substrate with a channel crack through the film at x = 0 (Gmsh).

The strip is the plane-strain section of :mod:`femsi.geometry.film` (y up, the film on top of
the substrate, die walls at x = 0 and x = width, the die floor at y = 0), meshed by Gmsh so
that the elements shrink towards the crack tip at the film-substrate interface. The film's
part of the x = 0 wall is the crack face ``crack_NAME`` (free); the substrate's part stays the
wall ``side_x0``. With the walls being mirror lines, the model is half of one cell of a row of
channel cracks 2 × width apart (Beuth 1992's isolated crack when width ≫ thickness).

Tags as the structured strip: regions ``film`` and ``substrate``; curves ``bottom``, ``top``,
``side_x0``, ``side_x1``, ``film_bottom`` (the interface), and the crack.
"""

from __future__ import annotations

from mpi4py import MPI

import gmsh
from dolfinx.io import gmsh as gmshio

import femsi.compat  # noqa: F401
from femsi.config.schema import FilmGeometry
from femsi.cracks.layout import CrackLayout
from femsi.cracks.segments import tip_size_fields
from femsi.geometry.film import STRIP_WALLS
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import MeshModel, ghosted_partitioner

_REGIONS = {"substrate": 1, "film": 2}
_CURVES = {"bottom": 101, "top": 102, "side_x0": 103, "side_x1": 104, "film_bottom": 107}


def _classify(tag: int, width: float, t_s: float, top: float, tol: float) -> str:
    """Name a straight edge of the strip by its end points (lengths in film thicknesses)."""
    (x0, y0), (x1, y1) = (
        gmsh.model.getValue(0, abs(p), [])[:2] for _, p in gmsh.model.getBoundary([(1, tag)])
    )
    if abs(y1 - y0) < tol:
        return min(
            (("bottom", 0.0), ("film_bottom", t_s), ("top", top)), key=lambda c: abs(c[1] - y0)
        )[0]
    if abs(x0) < tol:
        return "crack" if min(y0, y1) > t_s - tol else "side_x0"
    return "side_x1"


def build_channel_film(
    geometry: FilmGeometry, crack: CrackLayout, comm: MPI.Comm = MPI.COMM_WORLD
) -> MeshModel:
    """Mesh a film strip with a channel crack on x = 0.

    Args:
        geometry: The 2D ``film`` section (with a substrate).
        crack: The channel crack's layout (SI).
        comm: Communicator to distribute the mesh over.
    """
    h, width, t_s = geometry.thickness, geometry.width, geometry.substrate_thickness
    unit = h  # build in units of the film thickness (OpenCASCADE tolerances)
    top = (t_s + h) / unit
    with gmsh_session("film_channel"):
        if comm.rank == 0:
            occ = gmsh.model.occ
            substrate = occ.addRectangle(0, 0, 0, width / unit, t_s / unit)
            film = occ.addRectangle(0, t_s / unit, 0, width / unit, 1.0)
            occ.fragment([(2, substrate)], [(2, film)])
            occ.synchronize()
            pieces: dict[str, list[int]] = {"substrate": [], "film": []}
            for _, tag in gmsh.model.getEntities(2):
                y = occ.getCenterOfMass(2, tag)[1]
                pieces["film" if y > t_s / unit else "substrate"].append(tag)
            for name, tags in pieces.items():
                gmsh.model.addPhysicalGroup(2, tags, _REGIONS[name], name=name)
            curves: dict[str, list[int]] = {}
            for _, tag in gmsh.model.getEntities(1):
                name = _classify(tag, width / unit, t_s / unit, top, 1e-6)
                curves.setdefault(name, []).append(tag)
            for name, tags in curves.items():
                if name == "crack":
                    gmsh.model.addPhysicalGroup(1, tags, 200, name=crack.surface)
                else:
                    gmsh.model.addPhysicalGroup(1, tags, _CURVES[name], name=name)
            far = geometry.mesh_size / unit
            fields = tip_size_fields([crack.scaled(unit)], far)
            field = gmsh.model.mesh.field
            smallest = field.add("Min")
            field.setNumbers(smallest, "FieldsList", fields)
            field.setAsBackgroundMesh(smallest)
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
            gmsh.option.setNumber("Mesh.Algorithm", 6)
            gmsh.model.mesh.generate(2)
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=2, partitioner=ghosted_partitioner())
    data.mesh.geometry.x[:] *= unit
    surfaces = dict(_CURVES) | {crack.surface: 200}
    assert data.cell_tags is not None and data.facet_tags is not None  # tagged model
    return MeshModel(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        regions=dict(_REGIONS),
        surfaces=surfaces,
        active_surfaces=["top"],
        plate="top",
        layer_interfaces=("film_bottom", "top"),
        layer_thickness=h,
        info={"walls": dict(STRIP_WALLS)},
        formulation="plane_strain",
        cracks=[crack],
    )
