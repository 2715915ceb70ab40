"""Gmsh builders of 2D cross-sections of the spherical family (``geometry.dimension: 2``).

The same four geometries as :mod:`femsi.geometry.spheres`, meshed in the x-y plane with
triangles:

- ``axisymmetric`` (x = r, y = z, the body of revolution about the y axis): a sphere is the
  half-disc r >= 0, whose straight edge on the axis is ``symmetry_x`` (u_r = 0 there);
  ``symmetry: octant`` keeps the quarter z >= 0 with the mirror line ``symmetry_y``;
- ``plane_strain`` (a long body along z: a nanowire, a fibre): a sphere is a full disc;
  ``symmetry: octant`` keeps the quarter x, y >= 0 with ``symmetry_x`` and ``symmetry_y``.

Curves are named as the 3D surfaces: circles by their radius (``particle_surface``,
``inner_surface``, ``outer_surface``), straight edges on x = 0 or y = 0 ``symmetry_x|y``, the
edges of a square matrix (a cylinder in axisymmetry) ``outer_surface``.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import gmsh
from dolfinx.io import gmsh as gmshio

import femsi.compat  # noqa: F401
from femsi.config.schema import (
    CoreShellGeometry,
    HollowSphereGeometry,
    ParticleInMatrixGeometry,
    SphereGeometry,
)
from femsi.cracks.layout import CrackLayout
from femsi.cracks.plugin import CRACK_TAG
from femsi.cracks.segments import embed_segments, open_cracks, tip_size_fields
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import MeshModel, ghosted_partitioner
from femsi.geometry.spheres import _fragment_nested, _set_mesh_size
from femsi.parallel import on_rank0

#: Full body over the modelled section: the 2πr weight already makes an axisymmetric
#: half-disc the whole body; a quarter is mirrored once (axisymmetric) or twice (plane strain).
VOLUME_SCALE = {
    ("axisymmetric", "full"): 1.0,
    ("axisymmetric", "octant"): 2.0,
    ("plane_strain", "full"): 1.0,
    ("plane_strain", "half"): 2.0,
    ("plane_strain", "octant"): 4.0,
}


def _clip(tag: int, size: float, geometry) -> int:
    """Keep the part of a surface in x >= 0 (axisymmetric, octant) and y >= 0 (octant, half)."""
    axisymmetric = geometry.formulation == "axisymmetric"
    octant = geometry.symmetry == "octant"
    half = geometry.symmetry == "half"
    if not (axisymmetric or octant or half):
        return tag
    occ = gmsh.model.occ
    x0 = 0.0 if (axisymmetric or octant) else -2 * size
    y0 = 0.0 if (octant or half) else -2 * size
    box = occ.addRectangle(x0, y0, 0.0, 2 * size - x0, 2 * size - y0)
    kept, _ = occ.intersect([(2, tag)], [(2, box)])
    return kept[0][1]


def _disc(radius: float, geometry) -> int:
    return _clip(gmsh.model.occ.addDisk(0, 0, 0, radius, radius), radius, geometry)


def _square(half_edge: float, geometry) -> int:
    occ = gmsh.model.occ
    square = occ.addRectangle(-half_edge, -half_edge, 0, 2 * half_edge, 2 * half_edge)
    return _clip(square, half_edge, geometry)


def _curve_radius(tag: int) -> float | None:
    """Radius of a circular arc centred at the origin (None for straight edges)."""
    if gmsh.model.getType(1, tag) == "Line":  # OpenCASCADE types a disc's arcs "Ellipse"
        return None
    lo, hi = gmsh.model.getParametrizationBounds(1, tag)
    x, y, _ = gmsh.model.getValue(1, tag, [(lo[0] + hi[0]) / 2])
    return math.hypot(x, y)


def _line_axis(tag: int, tol: float) -> int | None:
    """0 for an edge on x = 0, 1 for one on y = 0, else None."""
    xmin, ymin, _, xmax, ymax, _ = gmsh.model.getBoundingBox(1, tag)
    for axis, (lo, hi) in enumerate(((xmin, xmax), (ymin, ymax))):
        if abs(hi - lo) < tol and abs(lo) < tol:
            return axis
    return None


def build_section_model(
    geometry, cracks: tuple[CrackLayout, ...] = ()
) -> tuple[dict[str, int], dict[str, int], dict]:
    """Build and tag the Gmsh model of a 2D section (lengths in units of the radius).

    Args:
        geometry: The geometry section in units of the radius.
        cracks: Crack layouts in the same units: their segments are embedded, their curves
            named ``crack_NAME`` and their tips refined.

    Returns:
        Region name to physical tag, curve name to physical tag, and the boundary roles
        (``active``, ``outer``, and ``cracks``: the physical tag and open ends of each crack
        whose faces the Crack plugin must split after meshing).
    """
    occ = gmsh.model.occ
    a = geometry.radius
    if isinstance(geometry, SphereGeometry):
        particle = _disc(a, geometry)
        occ.synchronize()
        surfaces = {"particle": [particle]}
        radii = {"particle_surface": a}
    elif isinstance(geometry, HollowSphereGeometry):
        outer = occ.addDisk(0, 0, 0, a, a)
        inner = occ.addDisk(0, 0, 0, geometry.inner_radius, geometry.inner_radius)
        ring, _ = occ.cut([(2, outer)], [(2, inner)])
        particle = _clip(ring[0][1], a, geometry)
        occ.synchronize()
        surfaces = {"particle": [particle]}
        radii = {"particle_surface": a, "inner_surface": geometry.inner_radius}
    elif isinstance(geometry, CoreShellGeometry):
        b = a + geometry.coating_thickness
        pieces = [(2, _disc(a, geometry)), (2, _disc(b, geometry))]
        surfaces = _fragment_nested(pieces, [(a, "particle"), (b, "coating")], dim=2)
        radii = {"particle_surface": a, "outer_surface": b}
    elif isinstance(geometry, ParticleInMatrixGeometry):
        if geometry.matrix_shape == "sphere":
            outer = _disc(geometry.matrix_size, geometry)
            radii = {"particle_surface": a, "outer_surface": geometry.matrix_size}
        else:
            outer = _square(geometry.matrix_size, geometry)
            radii = {"particle_surface": a}
        pieces = [(2, _disc(a, geometry)), (2, outer)]
        surfaces = _fragment_nested(pieces, [(a, "particle"), (math.inf, "matrix")], dim=2)
    else:  # pragma: no cover - the loader admits no other type in 2D
        raise TypeError(type(geometry).__name__)

    tol = 1e-6 * a
    crack_curves: dict[str, list[int]] = {}
    if cracks:
        surfaces, crack_curves = embed_segments(surfaces, list(cracks), tol)
    regions = {}
    for index, (region, tags) in enumerate(surfaces.items(), start=1):
        gmsh.model.addPhysicalGroup(2, tags, index, name=region)
        regions[region] = index
    by_name: dict[str, list[int]] = {}
    all_surfaces = [t for tags in surfaces.values() for t in tags]
    boundary = gmsh.model.getBoundary([(2, t) for t in all_surfaces], combined=False)
    on_cracks = {t for tags in crack_curves.values() for t in tags}
    for tag in sorted({abs(t) for _, t in boundary} - on_cracks):
        radius = _curve_radius(tag)
        if radius is not None:
            name = next((n for n, r in radii.items() if abs(r - radius) < 1e-6 * max(r, a)), None)
        else:
            axis = _line_axis(tag, tol)
            name = f"symmetry_{'xy'[axis]}" if axis is not None else "outer_surface"
        if name is None:
            raise RuntimeError(f"unclassified curve of radius {radius}")
        by_name.setdefault(name, []).append(tag)
    curves = {}
    for index, (name, tags) in enumerate(sorted(by_name.items()), start=1):
        gmsh.model.addPhysicalGroup(1, tags, 100 + index, name=name)
        curves[name] = 100 + index
    split = []
    for index, crack in enumerate(cracks):
        tag = CRACK_TAG + index
        gmsh.model.addPhysicalGroup(1, crack_curves[crack.name], tag, name=crack.surface)
        curves[crack.surface] = tag
        if crack.mirror_axis is None:  # inside the section: the plugin splits its faces
            split.append((tag, list(crack.open_ends)))
    outer = "outer_surface" if "outer_surface" in curves else "particle_surface"
    roles = {"active": ["particle_surface"], "outer": [outer], "cracks": split}
    far = max(geometry.mesh_size, getattr(geometry, "matrix_mesh_size", None) or 0.0)
    _set_mesh_size(
        geometry,
        by_name,
        distance_list="CurvesList",
        extra_fields=tuple(tip_size_fields(list(cracks), far)),
    )
    return regions, curves, roles


def build_section(
    geometry, scaled, comm: MPI.Comm, cracks: tuple[CrackLayout, ...] = ()
) -> MeshModel:
    """Mesh a 2D section with Gmsh on rank 0 and distribute it.

    Args:
        geometry: The validated ``geometry`` section (SI lengths).
        scaled: The same section in units of the radius (OpenCASCADE tolerances).
        comm: Communicator to distribute the mesh over.
        cracks: The study's crack layouts (SI).
    """
    with gmsh_session(f"{geometry.type}_{geometry.formulation}"):

        def mesh_section():
            scaled_cracks = tuple(c.scaled(geometry.radius) for c in cracks)
            regions, curves, roles = build_section_model(scaled, scaled_cracks)
            gmsh.option.setNumber("Mesh.Algorithm", 6)
            gmsh.model.mesh.generate(2)
            open_cracks(roles["cracks"], 1e-6)
            return regions, curves, roles

        regions, curves, roles = on_rank0(comm, mesh_section, "geometry", "meshing the section")
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=2, partitioner=ghosted_partitioner())
    data.mesh.geometry.x[:] *= geometry.radius
    symmetry = {
        axis: name for axis, name in enumerate(("symmetry_x", "symmetry_y")) if name in curves
    }
    model = MeshModel.of_particle(
        geometry,
        data,
        regions,
        curves,
        roles,
        symmetry,
        VOLUME_SCALE[(geometry.formulation, geometry.symmetry)],
        geometry.formulation,
    )
    model.cracks = list(cracks)
    return model
