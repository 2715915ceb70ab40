"""A film on an optional substrate: a structured tetrahedral box, layered in z.

The film is the classic laterally confined body: a thin silicon film on a thick substrate
(Sethuraman et al., J. Power Sources 195 (2010) 5062), a homogeneous layer in a die under a
pressure plate (the oedometer: the laterally confined layer of linear elasticity). Being a box,
it needs no Gmsh: DOLFINx makes the mesh directly, with a node plane on the film–substrate
interface.

Tags: regions ``film`` and ``substrate``; surfaces ``bottom`` (z = 0), ``top`` (the film's
free surface, where lithium enters), ``side_x0``, ``side_x1``, ``side_y0``, ``side_y1`` and,
with a substrate, the interface ``film_bottom``.

``dimension: 2`` (plane strain) meshes the x-y section of a strip with triangles, y being the
thickness direction: ``bottom`` (y = 0), ``top``, ``side_x0``, ``side_x1``, ``film_bottom``.
With its die walls (u_x = 0 on the sides) and ε_zz = 0 it is the same equibiaxially
constrained film as the 3D box.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np
from dolfinx import mesh as dmesh

import femsi.compat  # noqa: F401
from femsi.config.schema import FilmGeometry
from femsi.geometry.model import MeshModel

#: Die walls and floor of a box body: surface name to the axis of its normal.
BOX_WALLS = {"side_x0": 0, "side_x1": 0, "side_y0": 1, "side_y1": 1, "bottom": 2}
#: The same for the 2D (plane-strain) strip, y up.
STRIP_WALLS = {"side_x0": 0, "side_x1": 0, "bottom": 1}

_REGION_TAGS = {"substrate": 1, "film": 2}
_SURFACE_TAGS = {
    "bottom": 1,
    "top": 2,
    "side_x0": 3,
    "side_x1": 4,
    "side_y0": 5,
    "side_y1": 6,
    "film_bottom": 7,
}


def build_film(geometry: FilmGeometry, comm: MPI.Comm) -> MeshModel:
    """Mesh a film section and tag its regions and surfaces.

    Args:
        geometry: The ``geometry`` section (``type: film``).
        comm: Communicator to distribute the mesh over.
    """
    h, width = geometry.mesh_size, geometry.width
    t_film, t_sub = geometry.thickness, geometry.substrate_thickness
    n_xy = max(1, math.ceil(width / h - 1e-9))
    n_film = max(1, math.ceil(t_film / h - 1e-9))
    n_sub = max(1, math.ceil(t_sub / h - 1e-9)) if t_sub > 0 else 0
    n_z = n_film + n_sub
    planar = getattr(geometry, "dimension", 3) == 2
    up = 1 if planar else 2  # the thickness axis
    if planar:
        mesh = dmesh.create_rectangle(
            comm,
            [np.zeros(2), np.array([width, float(n_z)])],
            [n_xy, n_z],
            dmesh.CellType.triangle,
            ghost_mode=dmesh.GhostMode.shared_facet,
            diagonal=dmesh.DiagonalType.crossed,
        )
    else:
        mesh = dmesh.create_box(
            comm,
            [np.zeros(3), np.array([width, width, float(n_z)])],
            [n_xy, n_xy, n_z],
            dmesh.CellType.tetrahedron,
            ghost_mode=dmesh.GhostMode.shared_facet,
        )
    # Layer index k in [0, n_z] to height: the substrate's n_sub layers, then the film's.
    z = mesh.geometry.x[:, up]
    in_sub = z <= n_sub
    z_new = np.where(in_sub, z * (t_sub / max(n_sub, 1)), t_sub + (z - n_sub) * (t_film / n_film))
    mesh.geometry.x[:, up] = z_new
    top = t_sub + t_film
    tol = 1e-6 * min(h, t_film)

    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    mesh.topology.create_connectivity(tdim, tdim)
    cells = np.arange(
        mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts,
        dtype=np.int32,
    )
    midpoints = dmesh.compute_midpoints(mesh, tdim, cells)
    cell_values = np.where(
        midpoints[:, up] > t_sub, _REGION_TAGS["film"], _REGION_TAGS["substrate"]
    )
    cell_tags = dmesh.meshtags(mesh, tdim, cells, cell_values.astype(np.int32))

    planes = {"bottom": (up, 0.0), "top": (up, top), "side_x0": (0, 0.0), "side_x1": (0, width)}
    if not planar:
        planes |= {"side_y0": (1, 0.0), "side_y1": (1, width)}
    if t_sub > 0:
        planes["film_bottom"] = (up, t_sub)
    facets, values = [], []
    for name, (axis, position) in planes.items():
        found = dmesh.locate_entities(
            mesh, tdim - 1, lambda x, a=axis, p=position: np.abs(x[a] - p) < tol
        )
        facets.append(found)
        values.append(np.full(found.size, _SURFACE_TAGS[name], dtype=np.int32))
    order = np.argsort(np.concatenate(facets), kind="stable")
    facet_tags = dmesh.meshtags(
        mesh, tdim - 1, np.concatenate(facets)[order], np.concatenate(values)[order]
    )
    regions = {"film": _REGION_TAGS["film"]}
    if t_sub > 0:
        regions["substrate"] = _REGION_TAGS["substrate"]
    return MeshModel(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions=regions,
        surfaces={name: _SURFACE_TAGS[name] for name in planes},
        active_surfaces=["top"],
        plate="top",
        layer_interfaces=("film_bottom" if t_sub > 0 else "bottom", "top"),
        layer_thickness=t_film,
        info={
            "walls": dict(STRIP_WALLS if planar else BOX_WALLS),
            "cells_per_layer": {"film": n_film, "substrate": n_sub},
        },
        formulation="plane_strain" if planar else "3d",
    )
