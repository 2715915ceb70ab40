"""3D cracks in Gmsh models: built-in crack discs, crack surface groups, the Crack plugin.

A 3D crack is a surface group of the tetrahedral mesh (``crack_NAME`` for the built-in ones,
any named or numbered surface group of a user's mesh for ``kind: tagged``). After meshing,
:func:`analyse_surfaces` reads the mesh from Gmsh and finds each crack's front
(:mod:`femsi.cracks.fronts`); :func:`open_surfaces` then runs Gmsh's ``Crack`` plugin
(``Dimension`` 2) on each embedded crack: it duplicates the crack's nodes except those on its
boundary, so that the two faces move apart, and splits the nodes of the crack's mouth on the
body's boundary too (``OpenBoundaryPhysicalGroup``: a discrete curve of the mouth edges; Gmsh
keeps the end nodes of that curve whole, and these are the front's ends). A crack that
is a free part of a mirror plane needs no splitting: the plane's symmetry condition holds the
ligament ahead of the front only. :func:`split_discs` does both for a meshed particle's
built-in cracks.

Built-in cracks (lengths in units of the particle radius) lie in the plane z = 0: a penny crack
(``centre``) is the disc of radius a about the origin, a surface crack (``edge``) the disc of
radius L about the surface point R e, cut by the particle's equator. In an octant model they
are cut to the quarter x, y ≥ 0 and split the mirror face z = 0; in a full model they are
embedded in the particle (OpenCASCADE fragments). The mesh is refined towards the front circle
by h = min(h_far, t + g d), d the distance to the circle, t the tip size, g = 0.2.
"""

from __future__ import annotations

import gmsh
import numpy as np

from femsi.cracks.fronts import CrackSurface, analyse_crack
from femsi.cracks.layout import CrackLayout
from femsi.cracks.plugin import CRACK_TAG, GRADING, renumber, split_crack
from femsi.errors import InputError

#: Gmsh element types: linear triangle, linear tetrahedron.
_TRIANGLE, _TETRAHEDRON = 2, 4


def _circle(layout: CrackLayout) -> tuple[float, float, float]:
    """(x, y, radius) of a built-in crack's disc in the plane z = 0 (model units)."""
    if layout.kind == "centre":
        return 0.0, 0.0, float(np.hypot(*layout.tips[0].point))
    cx, cy = layout.start
    return cx, cy, float(np.hypot(cx - layout.end[0], cy - layout.end[1]))


def embed_discs(
    volumes: dict[str, list[int]], layouts: list[CrackLayout], radius: float, octant: bool
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Fragment the body's volumes with the cracks' discs in the plane z = 0.

    Args:
        volumes: Region name to OpenCASCADE volumes.
        layouts: The cracks (model units).
        radius: The particle radius (model units): an edge crack's disc is cut by its equator.
        octant: Cut the discs to the quarter x, y ≥ 0.

    Returns:
        The volumes after the fragment, and crack name to its surfaces.
    """
    occ = gmsh.model.occ
    discs = []
    for layout in layouts:
        cx, cy, r = _circle(layout)
        disc = [(2, occ.addDisk(cx, cy, 0.0, r, r))]
        if layout.kind == "edge":
            equator = occ.addDisk(0.0, 0.0, 0.0, radius, radius)
            disc, _ = occ.intersect(disc, [(2, equator)])
        if octant:
            quarter = occ.addRectangle(0.0, 0.0, 0.0, 4 * radius, 4 * radius)
            disc, _ = occ.intersect(disc, [(2, quarter)])
        discs.append(disc)
    objects = [(3, tag) for tags in volumes.values() for tag in tags]
    tools = [d for disc in discs for d in disc]
    _, mapping = occ.fragment(objects, tools)
    occ.synchronize()
    fragmented: dict[str, list[int]] = {}
    k = 0
    for region, tags in volumes.items():
        fragmented[region] = []
        for _ in tags:
            fragmented[region] += [t for d, t in mapping[k] if d == 3]
            k += 1
    surfaces: dict[str, list[int]] = {}
    for layout, disc in zip(layouts, discs, strict=True):
        surfaces[layout.name] = []
        for _ in disc:
            surfaces[layout.name] += [t for d, t in mapping[k] if d == 2]
            k += 1
    return fragmented, surfaces


def front_size_fields(layouts: list[CrackLayout], far_size: float) -> list[int]:
    """One MathEval size field per crack: min(far_size, tip_size + GRADING d(front circle))."""
    field = gmsh.model.mesh.field
    fields = []
    for layout in layouts:
        cx, cy, r = _circle(layout)
        d = f"Sqrt((Sqrt((x-({cx!r}))^2+(y-({cy!r}))^2)-({r!r}))^2+z^2)"
        size = field.add("MathEval")
        field.setString(size, "F", f"Min({far_size!r}, {layout.tip_size!r} + {GRADING}*{d})")
        fields.append(size)
    return fields


def crack_groups(crack_surfaces: dict[str, list[int]], layouts: list[CrackLayout]) -> dict:
    """Physical groups ``crack_NAME`` (tags from CRACK_TAG) of the built-in cracks."""
    groups = {}
    for index, layout in enumerate(layouts):
        tag = CRACK_TAG + index
        gmsh.model.addPhysicalGroup(2, crack_surfaces[layout.name], tag, name=layout.surface)
        groups[layout.surface] = tag
    return groups


def surface_group(key: str | int, field: str) -> int:
    """The tag of a 2D physical group given by name or number."""
    for dim, tag in gmsh.model.getPhysicalGroups(2):
        if key == tag or key == gmsh.model.getPhysicalName(dim, tag):
            return tag
    names = [gmsh.model.getPhysicalName(2, t) or str(t) for _, t in gmsh.model.getPhysicalGroups(2)]
    raise InputError(field, f"no surface group {key!r} in the mesh (it has: {', '.join(names)})")


def _triangles_of(group: int, field: str) -> np.ndarray:
    """Node tags of the linear triangles of a surface group."""
    blocks = []
    for entity in gmsh.model.getEntitiesForPhysicalGroup(2, group):
        types, _, nodes = gmsh.model.mesh.getElements(2, int(entity))
        for kind, block in zip(types, nodes, strict=True):
            if kind != _TRIANGLE:
                raise InputError(field, "the crack surface must be meshed with linear triangles")
            blocks.append(np.asarray(block, dtype=np.int64).reshape(-1, 3))
    if not blocks:
        raise InputError(field, f"the surface group {group} has no mesh triangles")
    return np.vstack(blocks)


def _mesh(mirror_tags: set[int]):
    """Node tags and coordinates, tetrahedra with their cell tag, tagged triangles."""
    node_tags, coords, _ = gmsh.model.mesh.getNodes()
    tets, tet_tags = [], []
    for _, entity in gmsh.model.getEntities(3):
        groups = gmsh.model.getPhysicalGroupsForEntity(3, entity)
        types, _, nodes = gmsh.model.mesh.getElements(3, entity)
        for kind, block in zip(types, nodes, strict=True):
            if kind != _TETRAHEDRON:
                raise InputError(
                    "geometry.path", "a mesh with 3D cracks must have linear tetrahedra"
                )
            block = np.asarray(block, dtype=np.int64).reshape(-1, 4)
            tets.append(block)
            tet_tags.append(np.full(len(block), groups[0] if len(groups) else -1))
    facets, facet_tags = [], []
    for _, entity in gmsh.model.getEntities(2):
        groups = list(gmsh.model.getPhysicalGroupsForEntity(2, entity))
        if not groups:
            continue
        tag = next((g for g in groups if g in mirror_tags), groups[0])
        types, _, nodes = gmsh.model.mesh.getElements(2, entity)
        for kind, block in zip(types, nodes, strict=True):
            if kind == _TRIANGLE:
                block = np.asarray(block, dtype=np.int64).reshape(-1, 3)
                facets.append(block)
                facet_tags.append(np.full(len(block), tag))
    order = np.argsort(node_tags)
    node_tags = np.asarray(node_tags, dtype=np.int64)[order]
    x = np.asarray(coords).reshape(-1, 3)[order]

    def index(tags: np.ndarray) -> np.ndarray:
        return np.searchsorted(node_tags, tags)

    return (
        node_tags,
        x,
        index(np.vstack(tets)),
        np.concatenate(tet_tags),
        index(np.vstack(facets)) if facets else np.empty((0, 3), dtype=np.int64),
        np.concatenate(facet_tags) if facet_tags else np.empty(0, dtype=np.int64),
        index,
    )


def analyse_surfaces(
    groups: list[tuple[int, str]], mirror_tags: set[int]
) -> tuple[list[CrackSurface], np.ndarray]:
    """Find the fronts of crack surface groups of the current (meshed) Gmsh model (rank 0).

    Args:
        groups: (physical tag, config field) of each crack.
        mirror_tags: Physical tags of the mirror (symmetry) planes.

    Returns:
        Each crack's surface facts, and the node tags (node index i is tag ``tags[i]``).
    """
    node_tags, x, tets, tet_tags, facets, facet_tags, index = _mesh(mirror_tags)
    triangles = {tag: index(_triangles_of(tag, field)) for tag, field in groups}
    found = []
    for tag, field in groups:
        others = [t for other, t in triangles.items() if other != tag]
        found.append(
            analyse_crack(
                x,
                tets,
                tet_tags,
                triangles[tag],
                field,
                facets,
                facet_tags,
                mirror_tags,
                np.vstack(others) if others else None,
            )
        )
    return found, node_tags


def open_surfaces(groups: list[tuple[int, CrackSurface]], node_tags: np.ndarray) -> None:
    """Split embedded crack surfaces with the Crack plugin (mouths open), then renumber."""
    for tag, surface in groups:
        if surface.mirror:
            continue
        if not len(surface.open_edges):
            split_crack(2, tag)
            continue
        curve = gmsh.model.addDiscreteEntity(1)
        lines = node_tags[surface.open_edges].ravel().tolist()
        gmsh.model.mesh.addElementsByType(curve, 1, [], lines)
        split_crack(2, tag, [curve])
        gmsh.model.removeEntities([(1, curve)])
    renumber()


def split_discs(groups: list[int], cracks, surfaces: dict[str, int]) -> list[CrackSurface]:
    """Find the fronts of a meshed particle's crack discs and split the embedded ones (rank 0).

    Args:
        groups: Physical tag of each crack's surface group.
        cracks: The built-in crack layouts, in the order of ``groups``.
        surfaces: Surface name to physical tag (the mirrors ``symmetry_x|y|z`` among them).

    Returns:
        Each crack's surface facts (fronts found on the mesh, model units).
    """
    if not cracks:
        return []
    mirrors = {surfaces[n] for n in ("symmetry_x", "symmetry_y", "symmetry_z") if n in surfaces}
    fields = [f"cracks.{c.index}" for c in cracks]
    found, node_tags = analyse_surfaces(list(zip(groups, fields, strict=True)), mirrors)
    open_surfaces(list(zip(groups, found, strict=True)), node_tags)
    return found
