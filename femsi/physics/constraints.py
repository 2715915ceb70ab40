"""Dirichlet conditions: symmetry planes, die walls, fixed surfaces, rigid-body suppression.

A body with no displacement constraint (a free particle) has six rigid-body modes. They are
removed by a statically determinate set of point constraints: all components at the vertex
nearest the centroid, two at the vertex nearest an x-offset point, one at the vertex nearest a
y-offset point. These carry no reaction when the load is self-equilibrated (swelling, uniform
pressure), so stresses are unaffected. A body on a die floor without side walls keeps three
in-plane modes (two translations, the rotation about z); two vertices of the floor remove them.
A plane-strain section has three modes (both components at one vertex, u_y at another); an
axisymmetric section, held radially on its axis (``symmetry_x``), keeps only the translation
along the axis (u_z at one vertex).
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
from dolfinx import fem, la
from dolfinx import mesh as dmesh

import femsi.compat  # noqa: F401
from femsi.geometry.model import MeshModel
from femsi.parallel import global_extent


def consistent_dofs(V: fem.FunctionSpace, dofs: np.ndarray) -> np.ndarray:
    """Local dof indices (owned and ghost) that any rank lists, so all ranks agree.

    Args:
        V: A scalar function space.
        dofs: Local dofs this rank found.
    """
    marker = fem.Function(V)
    marker.x.array[dofs] = 1.0
    marker.x.scatter_reverse(la.InsertMode.add)
    marker.x.scatter_forward()
    return np.flatnonzero(marker.x.array > 0.5).astype(np.int32)


def _crack_nodes(model: MeshModel) -> np.ndarray:
    """Local geometry nodes on crack faces: duplicated nodes a point constraint must avoid."""
    mesh = model.mesh
    fdim = mesh.topology.dim - 1
    facets = [model.facets_of(c.surface) for c in model.cracks if c.surface in model.surfaces]
    if not facets:
        return np.empty(0, dtype=np.int32)
    mesh.topology.create_connectivity(fdim, mesh.topology.dim)
    nodes = dmesh.entities_to_geometry(mesh, fdim, np.concatenate(facets).astype(np.int32))
    return np.unique(nodes)


def _nearest_vertex(model: MeshModel, target: np.ndarray) -> np.ndarray:
    """The mesh vertex nearest ``target`` over all ranks (never one on a crack face)."""
    x = model.mesh.geometry.x
    distance = np.linalg.norm(x - target, axis=1)
    distance[_crack_nodes(model)] = np.inf
    i = int(np.argmin(distance)) if distance.size else -1
    local = (float(distance[i]) if i >= 0 else np.inf, model.mesh.comm.rank)
    best, owner = model.mesh.comm.allreduce(local, op=MPI.MINLOC)
    point = x[i].copy() if model.mesh.comm.rank == owner else None
    return model.mesh.comm.bcast(point, root=owner)


def rigid_body_constraints(
    model: MeshModel, V: fem.FunctionSpace, on_floor: bool = False
) -> list[fem.DirichletBC]:
    """Point constraints that fix the rigid-body modes a body's other conditions leave.

    Args:
        model: The mesh.
        V: The displacement space.
        on_floor: The body stands on a die floor (z = min z held): fix only the in-plane
            modes, at floor vertices.
    """
    x = model.mesh.geometry.x
    comm = model.mesh.comm
    # Owned nodes only: ghosts would weigh the centroid by the partition.
    owned = x[: model.mesh.geometry.index_map().size_local]
    n = comm.allreduce(owned.shape[0], op=MPI.SUM)
    centroid = comm.allreduce(owned.sum(axis=0), op=MPI.SUM) / n
    extent = global_extent(model.mesh, centroid)
    points: tuple[tuple[np.ndarray, tuple[int, ...]], ...]
    if model.formulation == "axisymmetric":
        # The axis holds u_r; only the translation along it is left (u_z at one vertex).
        points = ((_nearest_vertex(model, centroid), (1,)),)
    elif model.formulation == "plane_strain" and len(model.symmetry) == 1:
        # One mirror line holds its normal component and the rotation: a translation along
        # it is left (a plane-strain half section, a 2D mesh file with one symmetry line).
        (axis,) = model.symmetry
        points = ((_nearest_vertex(model, centroid), (1 - axis,)),)
    elif model.formulation == "plane_strain" and on_floor:
        # The floor holds u_y (and so the rotation): the x translation is left.
        floor = comm.allreduce(np.min(x[:, 1]) if x.size else np.inf, op=MPI.MIN)
        points = ((_nearest_vertex(model, np.array([centroid[0], floor, 0.0])), (0,)),)
    elif model.formulation == "plane_strain":
        # Two translations and the rotation about z: (u_x, u_y) at one vertex, u_y at another.
        origin = _nearest_vertex(model, centroid)
        on_x = _nearest_vertex(model, origin + np.array([extent, 0.0, 0.0]))
        points = ((origin, (0, 1)), (on_x, (1,)))
    elif on_floor:
        floor = comm.allreduce(np.min(x[:, 2]) if x.size else np.inf, op=MPI.MIN)
        centre = _nearest_vertex(model, np.array([centroid[0], centroid[1], floor]))
        on_x = _nearest_vertex(model, centre + np.array([extent, 0.0, 0.0]))
        points = ((centre, (0, 1)), (on_x, (1,)))
    else:
        origin = _nearest_vertex(model, centroid)
        on_x = _nearest_vertex(model, origin + np.array([extent, 0.0, 0.0]))
        on_y = _nearest_vertex(model, origin + np.array([0.0, extent, 0.0]))
        points = ((origin, (0, 1, 2)), (on_x, (1, 2)), (on_y, (2,)))
    bcs = []
    for point, components in points:
        for i in components:
            Vi, _ = V.sub(i).collapse()
            dofs = fem.locate_dofs_geometrical(
                (V.sub(i), Vi), lambda y, p=point: np.linalg.norm(y.T - p, axis=1) < 1e-12 * extent
            )
            bcs.append(fem.dirichletbc(fem.Constant(model.mesh, 0.0), dofs[0], V.sub(i)))
    return bcs


def fixture_rollers(model: MeshModel, lateral: str) -> dict[str, int]:
    """The die floor and, for a laterally ``confined`` cell, the die walls of a box body.

    Args:
        model: A mesh whose ``info["walls"]`` names its floor and side faces.
        lateral: ``confined`` or ``free``.

    Returns:
        Surface name to the axis of the displacement component held there.
    """
    walls = model.info.get("walls", {})
    return {name: axis for name, axis in walls.items() if name == "bottom" or lateral == "confined"}


def displacement_bcs(model: MeshModel, V: fem.FunctionSpace) -> list[fem.DirichletBC]:
    """Symmetry, die-wall, fixed-surface and (for free bodies) rigid-body conditions."""
    fdim = model.mesh.topology.dim - 1
    zero = fem.Constant(model.mesh, 0.0)
    bcs = []
    held = [(axis, name) for axis, name in model.symmetry.items()]
    held += [(axis, name) for name, axis in model.rollers.items()]
    for axis, name in held:
        dofs = fem.locate_dofs_topological(V.sub(axis), fdim, model.facets_of(name))
        bcs.append(fem.dirichletbc(zero, dofs, V.sub(axis)))
    for name in model.fixed_surfaces:
        dofs = fem.locate_dofs_topological(V, fdim, model.facets_of(name))
        bcs.append(fem.dirichletbc(np.zeros(model.mesh.geometry.dim), dofs, V))
    if not model.is_constrained:
        bcs.extend(rigid_body_constraints(model, V, on_floor="bottom" in model.rollers))
    return bcs


def fixture_cell(cell, model: MeshModel):
    """The ``cell`` of a study, with the die's rollers set on the mesh.

    A body with a plate surface stands in a die (a default ``Cell``) even without a ``cell``
    section: on its floor, between walls unless ``lateral: free``. Other bodies have no cell
    (None).
    """
    from femsi.config.schema import Cell

    if cell is None and model.plate is not None:
        cell = Cell()
    if cell is not None:
        model.rollers = fixture_rollers(model, cell.lateral)
    return cell
