"""The front of a crack surface in a tetrahedral mesh: found, ordered and checked (NumPy).

A 3D crack is a set of triangles of the mesh: faces of its tetrahedra, either inside the body
(an embedded crack that Gmsh's Crack plugin will split) or on its boundary (a crack that is a
free part of a mirror plane, whose rest, the *ligament*, is held by the symmetry condition).
Its boundary edges (edges of one crack triangle only) are of two sorts:

- front edges, where the crack ends inside the material: for an embedded crack the edges
  that are not on the mesh's boundary; for a crack on a mirror plane the edges it shares
  with the ligament (a boundary face in the crack's own plane);
- the others lie on the body's boundary: the *mouth* of a surface crack (on a free surface)
  or the crack's cut by another mirror plane. The plugin splits the nodes of an embedded
  crack's mouth (its open boundary), except the ends of the mouth's chains, which are the
  front's ends: the front stays whole.

The front edges are chained into polylines: open ones from one end to the other (starting at
the end with the largest x, then y, then z), closed loops from their node with the largest
coordinates, counter-clockwise about the crack's mean normal. At each front node the
crack-advance direction n is the average over the adjacent front edges of the in-plane
direction from the edge's crack triangle outward (normal to the edge), made normal to the
front's tangent; at an end on a plane boundary n is turned into that plane when it nearly lies
in it (a mirror's θ must be tangent to it). An end is *free* when the boundary it meets is not
a mirror plane (a free surface: the front meets it at a vertex singularity).

Checks (:class:`~femsi.errors.InputError` naming ``field``): triangles that are not faces of
the tetrahedra, a crack partly inside and partly on the boundary, a non-manifold or branching
crack, a crack touching a material interface (the domain integral needs one homogeneous
material around the front), a crack on the boundary whose ligament is no mirror plane, a
crack without a front inside the body.

Clearance: the distance from the front to the nearest node of the boundary, of a material
interface or of another crack, leaving out the crack itself, its own plane on the boundary
(the ligament) and the smooth boundary patches that the front's ends lie on (the rings cut
them by construction), and at most the crack's *depth*: the largest distance of a crack node
from the front (a penny crack's radius).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from femsi.cracks.layout import FrontLine
from femsi.errors import InputError

#: |n₁·n₂| above which two faces count as coplanar (8°).
COPLANAR = math.cos(math.radians(8.0))
#: |n₁·n₂| above which neighbouring boundary faces belong to one smooth patch (30°).
SMOOTH = math.cos(math.radians(30.0))
_TET_FACES = np.array([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]])
_TRI_EDGES = np.array([[0, 1], [1, 2], [0, 2]])
#: Points per block in point-to-polyline distances.
_CHUNK = 2048


@dataclass(frozen=True)
class CrackSurface:
    """What the mesh says about one crack surface (mesh units, node indices).

    Attributes:
        fronts: The fronts, ordered.
        mirror: The crack lies on the mesh's boundary (a free part of a mirror plane).
        open_edges: Node index pairs of the mouth edges the Crack plugin must split (an
            embedded crack's edges on the boundary), k × 2.
        region: Cell tag of the tetrahedra around the crack.
        clearance: See the module docstring.
        depth: Largest distance of a crack node from the front.
        tip_size: Mean length of the front's segments.
        boundary: The body's boundary near the front (within the depth): node coordinates,
            k × 3, and at each node up to three orthonormal directions normal to the boundary
            faces around it (zero rows when fewer), k × 3 × 3. θ must have no component along
            them (:meth:`~femsi.cracks.domain_integral.DomainIntegral.evaluate_front`).
    """

    fronts: tuple[FrontLine, ...]
    mirror: bool
    open_edges: np.ndarray
    region: int
    clearance: float
    depth: float
    tip_size: float
    boundary: tuple[np.ndarray, np.ndarray]

    @property
    def facts(self) -> dict:
        """What the layouts of :mod:`femsi.cracks.mesh_layouts` need (mesh units)."""
        return {
            "mirror": self.mirror,
            "clearance": self.clearance,
            "tip_size": self.tip_size,
            "boundary": self.boundary,
        }


def _rows(array: np.ndarray) -> np.ndarray:
    """Rows of an integer array as one opaque value each (sortable, comparable)."""
    array = np.ascontiguousarray(array, dtype=np.int64)
    return array.view(np.dtype((np.void, array.dtype.itemsize * array.shape[1]))).ravel()


def _find(table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Index of each of ``rows`` in the unique rows of ``table`` (sorted-node rows), or −1."""
    keys, wanted = _rows(table), _rows(rows)
    order = np.argsort(keys)
    where = np.minimum(np.searchsorted(keys[order], wanted), len(keys) - 1)
    return np.where(keys[order][where] == wanted, order[where], -1)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _normals(x: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Unit normals of triangles (orientation arbitrary)."""
    return _unit(np.cross(x[tris[:, 1]] - x[tris[:, 0]], x[tris[:, 2]] - x[tris[:, 0]]))


def polyline_distance(points: np.ndarray, polyline: np.ndarray) -> np.ndarray:
    """Distance of each point (n × 3) to a polyline (m × 3, m ≥ 2)."""
    a, ab = polyline[:-1], np.diff(polyline, axis=0)
    length2 = np.einsum("sj,sj->s", ab, ab)
    out = np.empty(len(points))
    for start in range(0, len(points), _CHUNK):
        p = points[start : start + _CHUNK]
        t = np.einsum("nsj,sj->ns", p[:, None, :] - a[None], ab) / length2
        t = np.clip(t, 0.0, 1.0)
        d = np.linalg.norm(p[:, None, :] - (a[None] + t[..., None] * ab[None]), axis=2)
        out[start : start + _CHUNK] = d.min(axis=1)
    return out


def analyse_crack(
    x: np.ndarray,
    tets: np.ndarray,
    tet_tags: np.ndarray,
    crack: np.ndarray,
    field: str,
    facets: np.ndarray | None = None,
    facet_tags: np.ndarray | None = None,
    mirror_tags=(),
    other_cracks: np.ndarray | None = None,
) -> CrackSurface:
    """Find and check the front of a crack surface.

    Args:
        x: Node coordinates, N × 3.
        tets: Node indices of the linear tetrahedra, T × 4.
        tet_tags: Region (cell) tag of each tetrahedron.
        crack: Node indices of the crack's triangles, C × 3.
        field: Config field for errors (``cracks.N.surface``).
        facets: Node indices of the mesh's tagged triangles (boundary and interior groups).
        facet_tags: Their physical tags.
        mirror_tags: Tags of the mirror (symmetry) planes.
        other_cracks: Node indices of other cracks' triangles (obstacles for the rings).

    Returns:
        The crack's fronts and facts.

    Raises:
        InputError: See the module docstring.
    """
    x = np.asarray(x, dtype=float)
    tets = np.asarray(tets, dtype=np.int64)
    crack = np.sort(np.asarray(crack, dtype=np.int64), axis=1)
    if crack.size == 0:
        raise InputError(field, "the crack's surface group has no triangles")
    scale = float(np.ptp(x, axis=0).max())
    # ---- faces of the tetrahedra: which are boundary faces, which tets hold each
    all_faces = np.sort(tets[:, _TET_FACES].reshape(-1, 3), axis=1)
    faces, inverse, counts = np.unique(all_faces, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    first = np.zeros(len(faces), dtype=np.int64)
    first[inverse[order[::-1]]] = order[::-1] // 4  # the first tet of each face
    last = np.zeros(len(faces), dtype=np.int64)
    last[inverse[order]] = order // 4  # the last tet of each face
    crack_faces = _find(faces, crack)
    if np.any(crack_faces < 0):
        raise InputError(
            field,
            f"{int(np.sum(crack_faces < 0))} of the crack's triangles are not faces of the "
            "mesh's tetrahedra: the crack surface must be embedded in the volume mesh",
        )
    inside = counts[crack_faces] == 2
    if inside.any() and not inside.all():
        raise InputError(
            field,
            "the crack surface lies partly inside the body and partly on its boundary: tag "
            "an embedded crack, or one that is a free part of a mirror plane",
        )
    mirror = not bool(inside[0])
    crack_nodes = np.unique(crack)
    # ---- one material around the crack
    touching = np.isin(tets, crack_nodes).any(axis=1)
    regions = sorted({int(t) for t in np.unique(np.asarray(tet_tags)[touching])})
    if len(regions) != 1:
        raise InputError(
            field,
            f"the crack surface touches a material interface (regions {regions}): the domain "
            "integral needs the crack and its front inside one material",
        )
    # ---- boundary edges of the crack surface, their triangle and its third node
    instances = np.sort(crack[:, _TRI_EDGES].reshape(-1, 2), axis=1)
    edges, e_inverse, e_counts = np.unique(
        instances, axis=0, return_inverse=True, return_counts=True
    )
    if np.any(e_counts > 2):
        raise InputError(field, "the crack surface is not a manifold (an edge of 3 triangles)")
    rim = np.flatnonzero(e_counts == 1)
    if rim.size == 0:
        raise InputError(field, "the crack surface is closed: it has no front")
    owner = np.empty(len(edges), dtype=np.int64)
    owner[e_inverse.ravel()] = np.arange(len(instances)) // 3
    rim_edges = edges[rim]
    rim_tris = crack[owner[rim]]
    third = np.array(
        [
            next(n for n in tri if n not in edge)
            for tri, edge in zip(rim_tris, rim_edges, strict=True)
        ]
    )
    crack_normals = _normals(x, crack)
    # ---- the boundary faces other than the crack, their edges and tags
    is_crack_face = np.zeros(len(faces), dtype=bool)
    is_crack_face[crack_faces] = True
    boundary = np.flatnonzero((counts == 1) & ~is_crack_face)
    b_faces = faces[boundary]
    b_normals = _normals(x, b_faces)
    b_tags = np.full(len(boundary), -1, dtype=np.int64)
    if facets is not None and len(facets):
        where = _find(b_faces, np.sort(np.asarray(facets, dtype=np.int64), axis=1))
        hit = where >= 0
        b_tags[where[hit]] = np.asarray(facet_tags)[hit]
    mirrors = {int(t) for t in mirror_tags}
    b_instances = np.sort(b_faces[:, _TRI_EDGES].reshape(-1, 2), axis=1)
    b_edges, b_inverse = np.unique(b_instances, axis=0, return_inverse=True)
    b_inverse = b_inverse.ravel()
    edge_faces: dict[int, list[int]] = {}
    for instance, edge in enumerate(b_inverse):
        edge_faces.setdefault(int(edge), []).append(instance // 3)
    on_boundary = _find(b_edges, rim_edges)
    # ---- the crack's plane on the boundary (mirror cracks): the ligament's faces
    plane = np.zeros(len(boundary), dtype=bool)
    if mirror:
        m = crack_normals[0]
        p0 = x[crack[0, 0]]
        offset = np.abs((x[b_faces].mean(axis=1) - p0) @ m)
        plane = (np.abs(b_normals @ m) > COPLANAR) & (offset < 1e-6 * scale)
    front = np.zeros(len(rim), dtype=bool)
    for i, where in enumerate(on_boundary):
        if not mirror:
            front[i] = where < 0
            continue
        neighbours = edge_faces.get(int(where), []) if where >= 0 else []
        coplanar = [f for f in neighbours if plane[f]]
        if coplanar:
            front[i] = True
            if mirrors and not all(int(b_tags[f]) in mirrors for f in coplanar):
                raise InputError(
                    field,
                    "the crack lies on the boundary, but the rest of its plane (the ligament "
                    "ahead of its front) is no symmetry surface: list it in "
                    "geometry.symmetry_surfaces, or embed the crack in the volume",
                )
    if mirror and not mirrors:
        raise InputError(
            field,
            "the crack lies on the boundary of the mesh: it must be a free part of a symmetry "
            "plane (geometry.symmetry_surfaces), or embedded in the volume",
        )
    if not front.any():
        raise InputError(
            field,
            "the crack surface has no front inside the body (all its edges are on the boundary)",
        )
    front_edges, front_third = rim_edges[front], third[front]
    open_edges = rim_edges[~front] if not mirror else np.empty((0, 2), dtype=np.int64)
    # ---- chains, normals, end kinds
    mean_normal = _mean_normal(x[crack_nodes])
    inward = None
    if mirror:  # the body's side of the mirror plane
        tet = tets[first[crack_faces[0]]]
        centroid = x[tet].mean(axis=0) - x[crack[0]].mean(axis=0)
        inward = crack_normals[0] * np.sign(centroid @ crack_normals[0])
    node_faces = _node_faces(b_faces[~plane], boundary_index=np.flatnonzero(~plane))
    chains = _chains(front_edges, x, mean_normal, field)
    edge_normal = _edge_normals(x, front_edges, front_third)
    fronts, end_nodes = [], []
    for nodes, closed in chains:
        points = x[nodes]
        tangents = _tangents(points, closed)
        normals = np.zeros_like(points)
        for k in range(len(nodes) - (0 if closed else 1)):
            a, b = nodes[k], nodes[(k + 1) % len(nodes)]
            n = edge_normal[(min(a, b), max(a, b))]
            normals[k] += n
            normals[(k + 1) % len(nodes)] += n
        normals -= np.einsum("ij,ij->i", normals, tangents)[:, None] * tangents
        normals = _unit(normals)
        free = [False, False]
        if not closed:
            for side, k in enumerate((0, len(nodes) - 1)):
                faces_here = node_faces.get(int(nodes[k]), [])
                tags = {int(b_tags[f]) for f in faces_here}
                free[side] = not faces_here or not tags <= mirrors
                normals[k] = _into_plane(normals[k], tangents[k], b_normals[faces_here])
                end_nodes.append(int(nodes[k]))
        binormals = _unit(np.cross(tangents, normals))
        reference = inward if inward is not None else mean_normal
        binormals *= np.where(binormals @ reference < 0, -1.0, 1.0)[:, None]
        fronts.append(FrontLine(points, normals, binormals, closed, (free[0], free[1])))
    # ---- clearance and depth
    lines = [np.vstack([f.points, f.points[:1]]) if f.closed else f.points for f in fronts]
    depth = max(
        float(np.max(np.min([polyline_distance(x[crack_nodes], p) for p in lines], axis=0))),
        0.0,
    )
    patches = _patches(end_nodes, node_faces, b_faces, b_normals, edge_faces, b_inverse, ~plane)
    obstacle_faces = np.flatnonzero(~plane & ~patches)
    obstacles = set(np.unique(b_faces[obstacle_faces]).tolist())
    interface = (counts == 2) & (np.asarray(tet_tags)[first] != np.asarray(tet_tags)[last])
    obstacles |= set(np.unique(faces[interface]).tolist())
    if other_cracks is not None and len(other_cracks):
        obstacles |= set(np.unique(other_cracks).tolist())
    obstacles -= set(crack_nodes.tolist())
    clearance = depth
    if obstacles:
        cloud = x[np.fromiter(obstacles, dtype=np.int64)]
        for line in lines:
            clearance = min(clearance, float(polyline_distance(cloud, line).min()))
    tip_size = float(np.mean(np.linalg.norm(x[front_edges[:, 0]] - x[front_edges[:, 1]], axis=1)))
    outer = faces[counts == 1]  # with a mirror crack's own faces: θ stays in their plane
    near = np.unique(outer)
    reach = np.min([polyline_distance(x[near], line) for line in lines], axis=0)
    near = near[reach <= depth + tip_size]
    outer_boundary = (x[near], _boundary_bases(x, outer, near))
    return CrackSurface(
        tuple(fronts), mirror, open_edges, regions[0], clearance, depth, tip_size, outer_boundary
    )


def _boundary_bases(x: np.ndarray, faces: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Orthonormal directions normal to the boundary faces around each node (k × 3 × 3).

    The faces around a node are grouped by direction (within 20°: a curved surface's facets
    are one group); each group adds the mean of its normals, made orthogonal to the earlier
    ones: one direction on a smooth surface, two on an edge, three at a corner.
    """
    cross = np.cross(x[faces[:, 1]] - x[faces[:, 0]], x[faces[:, 2]] - x[faces[:, 0]])
    area = np.linalg.norm(cross, axis=1)
    unit = cross / area[:, None]
    wanted = np.zeros(len(x), dtype=bool)
    wanted[nodes] = True
    around: dict[int, list[int]] = {}
    for f, tri in enumerate(faces.tolist()):
        for node in tri:
            if wanted[node]:
                around.setdefault(node, []).append(f)
    limit = math.sin(math.radians(20.0))
    bases = np.zeros((len(nodes), 3, 3))
    for i, node in enumerate(nodes.tolist()):
        normals, weights = unit[around[node]], area[around[node]]
        basis: list[np.ndarray] = []
        for _ in range(3):
            residual = (
                normals - (normals @ np.array(basis).T) @ np.array(basis) if basis else normals
            )
            size = np.linalg.norm(residual, axis=1)
            if size.max() <= limit:
                break
            seed = residual[np.argmax(size * weights)] / size.max()
            group = (np.abs(residual @ seed) > math.cos(math.radians(20.0)) * size) & (size > limit)
            signs = np.sign(residual[group] @ seed)[:, None]
            mean = (signs * residual[group] * weights[group, None]).sum(axis=0)
            for b in basis:
                mean -= (mean @ b) * b
            basis.append(mean / np.linalg.norm(mean))
        bases[i, : len(basis)] = basis
    return bases


def _mean_normal(points: np.ndarray) -> np.ndarray:
    """The normal of the best-fit plane of points, its largest component positive."""
    centred = points - points.mean(axis=0)
    normal = np.linalg.svd(centred, full_matrices=False)[2][-1]
    return normal * np.sign(normal[np.argmax(np.abs(normal))])


def _node_faces(faces: np.ndarray, boundary_index: np.ndarray) -> dict[int, list[int]]:
    """Node → indices (into the boundary faces) of the faces holding it."""
    table: dict[int, list[int]] = {}
    for face, nodes in zip(boundary_index.tolist(), faces.tolist(), strict=True):
        for node in nodes:
            table.setdefault(node, []).append(face)
    return table


def _edge_normals(x, edges: np.ndarray, third: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """In-plane unit direction away from the crack, normal to each front edge."""
    a, b = x[edges[:, 0]], x[edges[:, 1]]
    t = _unit(b - a)
    w = 0.5 * (a + b) - x[third]
    n = _unit(w - np.einsum("ij,ij->i", w, t)[:, None] * t)
    return {(int(min(e)), int(max(e))): v for e, v in zip(edges, n, strict=True)}


def _tangents(points: np.ndarray, closed: bool) -> np.ndarray:
    if closed:
        return _unit(np.roll(points, -1, axis=0) - np.roll(points, 1, axis=0))
    return _unit(np.gradient(points, axis=0))


def _into_plane(n: np.ndarray, t: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Turn n into the plane of the boundary at a front end when it nearly lies in it."""
    if len(normals) == 0:
        return n
    m = normals[0]
    if np.any(np.abs(normals @ m) < COPLANAR):
        return n  # not one plane there (an edge or a curved patch): leave n
    turned = n - (n @ m) * m
    if abs(n @ m) > 0.2 or abs(_unit(turned) @ t) > 0.05:
        return n
    return _unit(turned)


def _chains(
    edges: np.ndarray, x: np.ndarray, normal: np.ndarray, field: str
) -> list[tuple[np.ndarray, bool]]:
    """Order front edges into polylines: (node indices, closed)."""
    neighbours: dict[int, list[int]] = {}
    for a, b in edges.tolist():
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    if any(len(v) > 2 for v in neighbours.values()):
        raise InputError(
            field,
            "the crack's front branches (a node on three front edges): tag one crack per surface",
        )
    scale = float(np.ptp(x, axis=0).max())

    def key(node: int) -> tuple:
        return tuple(np.round(x[node] / (1e-9 * scale)).tolist())

    seen: set[int] = set()
    chains = []
    ends = sorted((n for n, v in neighbours.items() if len(v) == 1), key=key, reverse=True)
    for end in ends:
        if end in seen:
            continue
        chain = _walk(neighbours, end)
        seen.update(chain)
        chains.append((np.array(chain), False))
    rest = sorted((n for n in neighbours if n not in seen), key=key, reverse=True)
    for start in rest:
        if start in seen:
            continue
        chain = _walk(neighbours, start)
        seen.update(chain)
        points = x[chain]
        area = np.cross(points, np.roll(points, -1, axis=0)).sum(axis=0) @ normal
        if area < 0:
            chain = [chain[0], *chain[:0:-1]]
        chains.append((np.array(chain), True))
    for nodes, closed in chains:
        if len(nodes) < (3 if closed else 2):
            raise InputError(field, "the crack's front is a single node")
    return chains


def _walk(neighbours: dict[int, list[int]], start: int) -> list[int]:
    """Nodes of a chain from ``start`` (an end, or any node of a loop) in order."""
    chain, previous = [start], None
    while True:
        following = [n for n in neighbours[chain[-1]] if n != previous and n != chain[0]]
        if not following:
            return chain
        previous = chain[-1]
        chain.append(following[0])


def _patches(ends, node_faces, b_faces, b_normals, edge_faces, b_inverse, allowed) -> np.ndarray:
    """Boundary faces of the smooth patches the front's ends lie on (flood fill)."""
    reached = np.zeros(len(b_faces), dtype=bool)
    queue = deque(f for node in ends for f in node_faces.get(node, []) if allowed[f])
    for f in queue:
        reached[f] = True
    face_edges = b_inverse.reshape(-1, 3)
    while queue:
        f = queue.popleft()
        for edge in face_edges[f]:
            for g in edge_faces[int(edge)]:
                if not reached[g] and allowed[g] and abs(b_normals[f] @ b_normals[g]) > SMOOTH:
                    reached[g] = True
                    queue.append(g)
    return reached
