"""Cracks in Gmsh models: embed crack segments, refine at their tips, open their faces.

A crack is a curve of the 2D mesh. Inside the section it is an embedded curve (an
OpenCASCADE fragment of the section with the segment) whose nodes Gmsh's ``Crack`` plugin
duplicates after meshing, so that the two faces are coincident curves that move independently
(zero initial opening). The tips are not duplicated; an end on the outer boundary (the mouth
of a surface crack) or on the axis of revolution (a penny crack) is, through the plugin's open
boundary group. A crack on a mirror line of the model is a free part of that line: the
fragment splits the line at the tip and no node is duplicated. The nodes are renumbered after
the plugin.

The tip refinement is a size field h(r) = min(h_far, t + g r), r the distance to the nearest
tip, t = ``tip_size``, g = :data:`GRADING`: the rings of the domain integral (out to half the
crack's clearance) hold elements a few times t in size.

A crack curve of a user's mesh (``kind: tagged``) is found from its physical group: its
nodes' chain gives the ends, an end on the boundary of the mesh is a mouth, the others are
tips, the last segment at a tip its direction.
"""

from __future__ import annotations

import math

import gmsh
import numpy as np

from femsi.cracks.layout import CrackLayout, TipLayout
from femsi.errors import InputError

#: Growth of the element size with the distance from a tip (size per unit distance).
GRADING = 0.2
#: Physical tags of crack curves start here (regions 1.., named curves 101..).
CRACK_TAG = 200


def _on_segment(point, start, end, tol: float) -> bool:
    p, a, b = (np.asarray(v, dtype=float)[:2] for v in (point, start, end))
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / np.dot(ab, ab), 0.0, 1.0))
    return float(np.linalg.norm(p - a - t * ab)) < tol


def embed_segments(
    surfaces: dict[str, list[int]], layouts: list[CrackLayout], tol: float
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Fragment the section's surfaces with the crack segments.

    Args:
        surfaces: Region name to the OpenCASCADE surfaces of the section.
        layouts: The cracks (in the model's length unit).
        tol: Geometric tolerance.

    Returns:
        The surfaces after the fragment, and crack name to its curves.
    """
    occ = gmsh.model.occ
    lines = []
    for layout in layouts:
        p0 = occ.addPoint(*layout.start, 0.0)
        p1 = occ.addPoint(*layout.end, 0.0)
        lines.append((1, occ.addLine(p0, p1)))
    objects = [(2, tag) for tags in surfaces.values() for tag in tags]
    _, mapping = occ.fragment(objects, lines)
    occ.synchronize()
    fragmented: dict[str, list[int]] = {}
    k = 0
    for region, tags in surfaces.items():
        fragmented[region] = []
        for _ in tags:
            fragmented[region] += [t for d, t in mapping[k] if d == 2]
            k += 1
    curves: dict[str, list[int]] = {}
    for layout in layouts:
        curves[layout.name] = [
            tag
            for _, tag in gmsh.model.getEntities(1)
            if gmsh.model.getType(1, tag) == "Line"
            and all(
                _on_segment(gmsh.model.getValue(0, abs(p), []), layout.start, layout.end, tol)
                for _, p in gmsh.model.getBoundary([(1, tag)])
            )
        ]
        if not curves[layout.name]:  # pragma: no cover - the layout checks keep cracks inside
            raise RuntimeError(f"crack {layout.name!r} was not embedded in the section")
    return fragmented, curves


def tip_size_fields(layouts: list[CrackLayout], far_size: float) -> list[int]:
    """One MathEval size field per tip: min(far_size, tip_size + GRADING r)."""
    field = gmsh.model.mesh.field
    fields = []
    for layout in layouts:
        for tip in layout.tips:
            x0, y0 = tip.point
            size = field.add("MathEval")
            r = f"Sqrt((x-({x0!r}))^2+(y-({y0!r}))^2)"
            field.setString(size, "F", f"Min({far_size!r}, {layout.tip_size!r} + {GRADING}*{r})")
            fields.append(size)
    return fields


def split_crack(dimension: int, group: int, open_entities: list[int] | None = None) -> None:
    """Duplicate the nodes of a meshed crack (a physical group) with Gmsh's Crack plugin.

    Every plugin option is set, because they outlive ``gmsh.finalize``. Call
    :func:`renumber` once all cracks are split.

    Args:
        dimension: Dimension of the crack entities (1: curves in 2D, 2: surfaces in 3D).
        group: Physical tag of the crack entities.
        open_entities: Entities of dimension ``dimension - 1`` whose nodes are split too (the
            crack's open boundary: a mouth on the outer surface, an end on the axis). They are
            put in a physical group for the plugin, removed again afterwards.
    """
    gmsh.plugin.setNumber("Crack", "Dimension", dimension)
    gmsh.plugin.setNumber("Crack", "PhysicalGroup", group)
    gmsh.plugin.setNumber("Crack", "OpenBoundaryPhysicalGroup", 0)
    open_group = None
    if open_entities:
        open_group = gmsh.model.addPhysicalGroup(dimension - 1, list(open_entities))
        gmsh.plugin.setNumber("Crack", "OpenBoundaryPhysicalGroup", open_group)
    gmsh.plugin.run("Crack")
    if open_group is not None:
        gmsh.model.removePhysicalGroups([(dimension - 1, open_group)])


def renumber() -> None:
    """Renumber nodes and elements contiguously (after the Crack plugin added nodes)."""
    gmsh.model.mesh.renumberNodes()
    gmsh.model.mesh.renumberElements()


def open_cracks(groups: list[tuple[int, list[tuple[float, float]]]], tol: float) -> None:
    """Duplicate the nodes of embedded crack curves (after meshing), then renumber.

    Args:
        groups: Physical tag of each crack curve group and its open ends (points whose nodes
            are split too: the mouth on the outer boundary, an end on the axis).
        tol: Geometric tolerance to find the open ends among the model's points.
    """
    if not groups:
        return
    for tag, opens in groups:
        points = [
            t
            for _, t in gmsh.model.getEntities(0)
            if any(
                np.hypot(*(gmsh.model.getValue(0, t, [])[:2] - np.array(p))) < tol for p in opens
            )
        ]
        split_crack(1, tag, points)
    renumber()


def curve_group(key: str | int, field: str) -> int:
    """The tag of a 1D physical group given by name or number."""
    for dim, tag in gmsh.model.getPhysicalGroups(1):
        if key == tag or key == gmsh.model.getPhysicalName(dim, tag):
            return tag
    names = [gmsh.model.getPhysicalName(1, t) or str(t) for _, t in gmsh.model.getPhysicalGroups(1)]
    raise InputError(field, f"no curve group {key!r} in the mesh (it has: {', '.join(names)})")


def _triangles() -> tuple[np.ndarray, np.ndarray]:
    """Node tags of every linear triangle and the physical tag of its surface."""
    tris, tags = [], []
    for dim, entity in gmsh.model.getEntities(2):
        groups = gmsh.model.getPhysicalGroupsForEntity(dim, entity)
        types, _, nodes = gmsh.model.mesh.getElements(dim, entity)
        for kind, block in zip(types, nodes, strict=True):
            if kind != 2:
                raise InputError(
                    "geometry.path", "a mesh with tagged cracks must have linear triangles"
                )
            tri = np.asarray(block, dtype=np.int64).reshape(-1, 3)
            tris.append(tri)
            tags.append(np.full(tri.shape[0], groups[0] if len(groups) else -1))
    return np.vstack(tris), np.concatenate(tags)


def find_tagged_crack(
    key: str | int, field: str, others: list[int]
) -> tuple[int, list[tuple[float, float]], list[TipLayout], list[int], dict]:
    """Locate a crack curve of a loaded mesh (rank 0, inside a Gmsh session).

    Args:
        key: Name or tag of the crack's curve group.
        field: Config field for errors.
        others: Physical tags of the other crack curves (excluded from the clearance).

    Returns:
        The group tag, its open ends, its tips, the physical surface tag at each tip, and
        facts for the ring check: ``clearance`` (distance from the tips to the nearest boundary
        or interface node off the crack, m in mesh units) and ``tip_size`` (mean length of
        the crack's segments at its tips).
    """
    tag = curve_group(key, field)
    segments = []
    for entity in gmsh.model.getEntitiesForPhysicalGroup(1, tag):
        types, _, nodes = gmsh.model.mesh.getElements(1, int(entity))
        for kind, block in zip(types, nodes, strict=True):
            if kind != 1:
                raise InputError(field, "the crack curve must be meshed with linear segments")
            segments.append(np.asarray(block, dtype=np.int64).reshape(-1, 2))
    if not segments:
        raise InputError(field, f"the curve group {key!r} has no mesh segments")
    segments = np.vstack(segments)
    node_tags, coords, _ = gmsh.model.mesh.getNodes()
    xyz = dict(zip(node_tags.tolist(), coords.reshape(-1, 3)[:, :2], strict=True))
    nodes, counts = np.unique(segments, return_counts=True)
    ends = nodes[counts == 1]
    if len(ends) != 2 or np.any(counts > 2):
        raise InputError(field, "the crack curve must be one open chain of segments")
    tris, surface_of = _triangles()
    edges = np.sort(np.vstack([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]]), axis=1)
    owner = np.concatenate([surface_of] * 3)
    unique, inverse, counts = np.unique(edges, axis=0, return_inverse=True, return_counts=True)
    boundary_nodes = set(unique[counts == 1].ravel().tolist())
    # interface edges: shared by triangles of two different regions
    order = np.argsort(inverse.ravel(), kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mixed = owner[order][starts] != owner[order][starts + counts - 1]
    crack_nodes = set(segments.ravel().tolist())
    for other in others:
        for entity in gmsh.model.getEntitiesForPhysicalGroup(1, other):
            _, _, blocks = gmsh.model.mesh.getElements(1, int(entity))
            crack_nodes |= {int(n) for b in blocks for n in b}
    keep = (boundary_nodes | set(unique[mixed].ravel().tolist())) - set(segments.ravel().tolist())
    obstacles = np.array([xyz[n] for n in keep]) if keep else np.empty((0, 2))
    other_crack = np.array([xyz[n] for n in crack_nodes - set(segments.ravel().tolist())])
    opens, tips, regions, lengths, clearance = [], [], [], [], math.inf
    for end in ends.tolist():
        if end in boundary_nodes:
            opens.append(tuple(xyz[end]))
            continue
        chain = _walk(segments, end)
        step = xyz[end] - xyz[chain[1]]
        lengths.append(float(np.linalg.norm(step)))
        e = step / lengths[-1]
        straight = 0.0
        for node in chain[1:]:  # as far as the chain stays on the tip's line
            d = xyz[end] - xyz[node]
            if abs(d[0] * e[1] - d[1] * e[0]) > 1e-6 * float(np.linalg.norm(d)):
                break
            straight = float(np.dot(d, e))
        direction = tuple(float(v) for v in e)
        tips.append(TipLayout(tuple(map(float, xyz[end])), direction, straight))
        around = surface_of[np.any(tris == end, axis=1)]
        if len(set(around.tolist())) != 1:
            raise InputError(field, "a crack tip must lie inside one region, not on an interface")
        regions.append(int(around[0]))
        for cloud in (obstacles, other_crack):
            if cloud.size:
                clearance = min(clearance, float(np.min(np.linalg.norm(cloud - xyz[end], axis=1))))
    if not tips:
        raise InputError(field, "the crack curve has no tip inside the body (both ends open)")
    facts = {"clearance": clearance, "tip_size": float(np.mean(lengths))}
    return tag, opens, tips, regions, facts


def _walk(segments: np.ndarray, start: int) -> list[int]:
    """The nodes of an open chain of segments in order from one of its ends."""
    neighbours: dict[int, list[int]] = {}
    for a, b in segments.tolist():
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    chain, previous = [start], None
    while True:
        following = [n for n in neighbours[chain[-1]] if n != previous]
        if not following:
            return chain
        previous = chain[-1]
        chain.append(following[0])


def open_tagged(groups: list[tuple[int, list[tuple[float, float]]]]) -> None:
    """Run the Crack plugin on curves of a loaded (discrete) mesh, with open ends as nodes."""
    for tag, opens in groups:
        node_tags, coords, _ = gmsh.model.mesh.getNodes()
        xy = coords.reshape(-1, 3)[:, :2]
        points = []
        if opens:
            point = gmsh.model.addDiscreteEntity(0)
            mouths = [int(node_tags[np.argmin(np.linalg.norm(xy - p, axis=1))]) for p in opens]
            gmsh.model.mesh.addElementsByType(point, 15, [], mouths)
            points = [point]
        split_crack(1, tag, points)
    renumber()
