"""Gmsh builders for spherical particles: sphere, core-shell, hollow, particle in a matrix.

Each builder makes concentric solids with OpenCASCADE, fragments them so interfaces conform,
and names every volume and boundary surface by its shape: spherical surfaces by their radius,
planes by their position. ``symmetry: octant`` models the eighth x, y, z >= 0 with symmetry
planes ``symmetry_x|y|z``. The study's 3D cracks are discs in the plane z = 0 fragmented into
the solids (:mod:`femsi.cracks.surfaces`), named ``crack_NAME``.
"""

from __future__ import annotations

import math

import gmsh

from femsi.config.schema import (
    CoreShellGeometry,
    HollowSphereGeometry,
    ParticleInMatrixGeometry,
    SphereGeometry,
)
from femsi.cracks.surfaces import crack_groups, embed_discs, front_size_fields


def _ball(radius: float, octant: bool) -> int:
    occ = gmsh.model.occ
    if octant:
        return occ.addSphere(0, 0, 0, radius, angle1=0.0, angle2=math.pi / 2, angle3=math.pi / 2)
    return occ.addSphere(0, 0, 0, radius)


def _cube(half_edge: float, octant: bool) -> int:
    occ = gmsh.model.occ
    if octant:
        return occ.addBox(0, 0, 0, half_edge, half_edge, half_edge)
    return occ.addBox(
        -half_edge, -half_edge, -half_edge, 2 * half_edge, 2 * half_edge, 2 * half_edge
    )


def _surface_radius(tag: int) -> float | None:
    """Radius of a spherical surface (None for other shapes)."""
    if gmsh.model.getType(2, tag) != "Sphere":
        return None
    lo, hi = gmsh.model.getParametrizationBounds(2, tag)
    mid = [(a + b) / 2 for a, b in zip(lo, hi, strict=True)]
    x, y, z = gmsh.model.getValue(2, tag, mid)
    return math.sqrt(x * x + y * y + z * z)


def _plane_axis(tag: int, tol: float) -> int | None:
    """Axis of a coordinate plane through the origin containing the surface, else None."""
    xmin, ymin, zmin, xmax, ymax, zmax = gmsh.model.getBoundingBox(2, tag)
    for axis, (lo, hi) in enumerate(((xmin, xmax), (ymin, ymax), (zmin, zmax))):
        if abs(hi - lo) < tol and abs(lo) < tol:
            return axis
    return None


def build_spherical(geometry, cracks=()) -> tuple[dict[str, int], dict[str, int], dict]:
    """Build the Gmsh model of a spherical geometry and tag it.

    Args:
        geometry: A sphere, core_shell, hollow_sphere or particle_in_matrix section.
        cracks: 3D crack layouts (:class:`~femsi.cracks.layout.CrackLayout`, same units):
            their discs are embedded, named ``crack_NAME`` and refined at the front.

    Returns:
        Region name to physical tag, surface name to physical tag, and the boundary roles
        (``active``, ``outer`` surface names; ``cracks``: the physical tag of each crack).
    """
    octant = geometry.symmetry == "octant"
    occ = gmsh.model.occ
    a = geometry.radius
    shells: list[tuple[float, str]] = []  # (outer radius, region) from inside out
    if isinstance(geometry, SphereGeometry):
        particle = _ball(a, octant)
        occ.synchronize()
        volumes = {"particle": [particle]}
        radii = {"particle_surface": a}
    elif isinstance(geometry, HollowSphereGeometry):
        outer = _ball(a, octant)
        inner = _ball(geometry.inner_radius, octant)
        result, _ = occ.cut([(3, outer)], [(3, inner)])
        occ.synchronize()
        volumes = {"particle": [t for d, t in result if d == 3]}
        radii = {"particle_surface": a, "inner_surface": geometry.inner_radius}
    elif isinstance(geometry, CoreShellGeometry):
        core = _ball(a, octant)
        shell = _ball(a + geometry.coating_thickness, octant)
        shells = [(a, "particle"), (a + geometry.coating_thickness, "coating")]
        volumes = _fragment_nested([(3, core), (3, shell)], shells)
        radii = {"particle_surface": a, "outer_surface": a + geometry.coating_thickness}
    elif isinstance(geometry, ParticleInMatrixGeometry):
        core = _ball(a, octant)
        if geometry.matrix_shape == "sphere":
            outer = _ball(geometry.matrix_size, octant)
            radii = {"particle_surface": a, "outer_surface": geometry.matrix_size}
        else:
            outer = _cube(geometry.matrix_size, octant)
            radii = {"particle_surface": a}
        shells = [(a, "particle"), (math.inf, "matrix")]
        volumes = _fragment_nested([(3, core), (3, outer)], shells)
    else:  # pragma: no cover - the schema admits no other type here
        raise TypeError(type(geometry).__name__)

    crack_surfaces: dict[str, list[int]] = {}
    if cracks:
        volumes, crack_surfaces = embed_discs(volumes, list(cracks), a, octant)
    on_cracks = {t for tags in crack_surfaces.values() for t in tags}
    tol = 1e-6 * a
    regions = {}
    for index, (region, tags) in enumerate(volumes.items(), start=1):
        gmsh.model.addPhysicalGroup(3, tags, index, name=region)
        regions[region] = index

    by_name: dict[str, list[int]] = {}
    all_volumes = [t for tags in volumes.values() for t in tags]
    boundary = gmsh.model.getBoundary([(3, t) for t in all_volumes], combined=False, oriented=False)
    seen = set()
    for _, tag in boundary:
        if tag in seen or tag in on_cracks:
            continue
        seen.add(tag)
        radius = _surface_radius(tag)
        if radius is not None:
            name = next((n for n, r in radii.items() if abs(r - radius) < 1e-6 * max(r, a)), None)
        else:
            axis = _plane_axis(tag, tol)
            name = f"symmetry_{'xyz'[axis]}" if axis is not None else "outer_surface"
        if name is None:
            raise RuntimeError(f"unclassified surface of radius {radius}")
        by_name.setdefault(name, []).append(tag)
    surfaces = {}
    for index, (name, tags) in enumerate(sorted(by_name.items()), start=1):
        gmsh.model.addPhysicalGroup(2, tags, 100 + index, name=name)
        surfaces[name] = 100 + index
    groups = crack_groups(crack_surfaces, list(cracks))
    outer_name = "outer_surface" if "outer_surface" in surfaces else "particle_surface"
    roles = {"active": ["particle_surface"], "outer": [outer_name], "cracks": list(groups.values())}
    surfaces |= groups
    far = max(geometry.mesh_size, getattr(geometry, "matrix_mesh_size", None) or 0.0)
    _set_mesh_size(geometry, by_name, extra_fields=tuple(front_size_fields(list(cracks), far)))
    return regions, surfaces, roles


def _fragment_nested(solids, shells, dim: int = 3) -> dict[str, list[int]]:
    """Fragment nested solids (or 2D surfaces) and name the pieces from the inside out."""
    occ = gmsh.model.occ
    occ.fragment(solids[:1], solids[1:])
    occ.synchronize()
    pieces = gmsh.model.getEntities(dim)

    def extent(tag: int) -> float:
        xmin, ymin, zmin, xmax, ymax, zmax = gmsh.model.getBoundingBox(dim, tag)
        return max(xmax - xmin, ymax - ymin, zmax - zmin)

    ordered = sorted((t for _, t in pieces), key=extent)
    volumes: dict[str, list[int]] = {}
    for (_, region), tag in zip(shells, ordered, strict=True):
        volumes.setdefault(region, []).append(tag)
    return volumes


def _set_mesh_size(
    geometry,
    surfaces: dict[str, list[int]],
    distance_list: str = "SurfacesList",
    extra_fields: tuple[int, ...] = (),
) -> None:
    """Mesh size: ``mesh_size`` in the particle, finer at the active surface, coarser outside.

    ``extra_fields`` (crack-tip refinements, say) join the minimum.
    """
    field = gmsh.model.mesh.field
    h = geometry.mesh_size
    fields = []
    a = geometry.radius
    matrix_h = getattr(geometry, "matrix_mesh_size", None)
    if matrix_h is not None:
        outer = geometry.matrix_size
        grow = field.add("MathEval")
        r = "Sqrt(x*x+y*y+z*z)"
        slope = (matrix_h - h) / (outer - a)
        field.setString(grow, "F", f"{h} + {slope}*Max({r}-{a}, 0)")
        fields.append(grow)
    else:
        flat = field.add("MathEval")
        field.setString(flat, "F", f"{h}")
        fields.append(flat)
    if geometry.surface_mesh_size is not None:
        distance = field.add("Distance")
        field.setNumbers(distance, distance_list, surfaces["particle_surface"])
        field.setNumber(distance, "Sampling", 60)
        threshold = field.add("Threshold")
        field.setNumber(threshold, "InField", distance)
        field.setNumber(threshold, "SizeMin", geometry.surface_mesh_size)
        field.setNumber(threshold, "SizeMax", h if matrix_h is None else max(h, matrix_h))
        field.setNumber(threshold, "DistMin", 0.5 * geometry.surface_mesh_size)
        field.setNumber(threshold, "DistMax", 0.3 * a)
        fields.append(threshold)
    smallest = field.add("Min")
    field.setNumbers(smallest, "FieldsList", fields + list(extra_fields))
    field.setAsBackgroundMesh(smallest)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
