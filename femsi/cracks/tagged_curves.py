"""Tagged 2D cracks: crack curves of a user's mesh, found and opened (Gmsh, rank 0).

A crack curve of a user's mesh (``kind: tagged``) is found from its physical group: its
nodes' chain gives the ends, an end on the boundary of the mesh is a mouth, the others are
tips, the last segment at a tip its direction. The Crack plugin then splits it
(:mod:`femsi.cracks.plugin`), its mouths open.
"""

from __future__ import annotations

import math

import gmsh
import numpy as np

from femsi.cracks.layout import TipLayout
from femsi.cracks.plugin import renumber, split_crack
from femsi.errors import InputError


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
    pieces = []
    for entity in gmsh.model.getEntitiesForPhysicalGroup(1, tag):
        types, _, nodes = gmsh.model.mesh.getElements(1, int(entity))
        for kind, block in zip(types, nodes, strict=True):
            if kind != 1:
                raise InputError(field, "the crack curve must be meshed with linear segments")
            pieces.append(np.asarray(block, dtype=np.int64).reshape(-1, 2))
    if not pieces:
        raise InputError(field, f"the curve group {key!r} has no mesh segments")
    segments = np.vstack(pieces)
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
        direction = (float(e[0]), float(e[1]))
        tips.append(TipLayout((float(xyz[end][0]), float(xyz[end][1])), direction, straight))
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
