"""The mesh of a packed-particle geometry (``electrode``, ``rve``): from the cache or built.

Rank 0 packs the particles and builds the Gmsh model (``femsi.geometry.electrode``) in units
of the mean radius; the mesh is stored in the mesh cache (``femsi.geometry.cache``) and read
from there by all ranks, or, with the cache off, handed from Gmsh to DOLFINx directly. The
coordinates are then scaled back to metres and the named regions, surfaces and roles go into a
:class:`MeshModel`.
"""

from __future__ import annotations

import time

from mpi4py import MPI

import gmsh
from dolfinx.io import gmsh as gmshio

import femsi.compat  # noqa: F401
from femsi.config.schema import ElectrodeGeometry, RveGeometry
from femsi.geometry import cache
from femsi.geometry.electrode import BUILDER_VERSION, build_packed
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import MeshModel, ghosted_partitioner


def cache_parameters(geometry: ElectrodeGeometry | RveGeometry) -> dict:
    """The resolved (defaults filled in) SI parameters that determine the mesh."""
    parameters = geometry.model_dump(mode="json")
    parameters.update(
        min_gap=geometry.gap,
        wall_gap=geometry.wall,
        particle_mesh_size=geometry.particle_h,
        interface_mesh_size=geometry.interface_h,
    )
    return parameters


def build_packed_mesh(geometry: ElectrodeGeometry | RveGeometry, comm: MPI.Comm) -> MeshModel:
    """Read the geometry's mesh from the cache, or build (and cache) it, and distribute it.

    Args:
        geometry: A validated ``electrode`` or ``rve`` section.
        comm: Communicator to distribute the mesh over.

    Returns:
        The mesh with named regions and surfaces; ``info`` holds the packing and meshing facts
        and ``mesh_cache`` (``hit``, ``miss`` or ``off``).

    Raises:
        InputError: Particles that do not fit, or a volume fraction the packing cannot reach.
    """
    scale = geometry.radius.mean
    key = cache.mesh_key(cache_parameters(geometry), BUILDER_VERSION) if cache.enabled() else None
    meta = cache.lookup(key, comm) if key else None
    data = None
    if meta is None:
        with gmsh_session(geometry.type):
            built: dict[str, object] | None
            built, error = None, None
            if comm.rank == 0:
                try:
                    regions, surfaces, roles, info = build_packed(geometry, scale)
                    built = {"regions": regions, "surfaces": surfaces, "roles": roles}
                    built |= {"info": info, "scale": scale}
                    if key:
                        cache.store(key, built)
                except Exception as err:  # raised on every rank below, not only on rank 0
                    error = err
            meta, error = comm.bcast((built, error), root=0)
            if error is not None:
                raise error
            if key is None:
                data = gmshio.model_to_mesh(
                    gmsh.model, comm, 0, gdim=3, partitioner=ghosted_partitioner()
                )
        status = "miss" if key else "off"
    else:
        status = "hit"
    if data is None:
        assert key is not None  # without a cache key the mesh was just made
        t0 = time.perf_counter()
        data = cache.read(key, comm)
        meta["info"]["reading_s"] = time.perf_counter() - t0
    data.mesh.geometry.x[:] *= meta["scale"]
    info = dict(meta["info"])
    info["mesh_cache"] = status
    if key:
        info["mesh_file"] = str(cache.paths(key)[0])
    info["cells"] = data.mesh.topology.index_map(3).size_global
    roles = meta["roles"]
    info["walls"] = dict(roles["walls"])
    assert data.cell_tags is not None and data.facet_tags is not None  # tagged model
    return MeshModel(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        regions=dict(meta["regions"]),
        surfaces=dict(meta["surfaces"]),
        active_surfaces=list(roles["active"]),
        plate="top",
        layer_interfaces=_layer_interfaces(geometry),
        layer_thickness=_layer_thickness(geometry),
        info=info,
    )


def _layer_interfaces(geometry) -> tuple[str, str]:
    """The surfaces bounding the electrode layer (the RVE's cube: bottom and top)."""
    if isinstance(geometry, RveGeometry):
        return ("bottom", "top")
    lower = "electrode_bottom" if geometry.current_collector_thickness > 0 else "bottom"
    upper = "electrode_top" if geometry.separator_thickness > 0 else "top"
    return (lower, upper)


def _layer_thickness(geometry) -> float:
    return geometry.size if isinstance(geometry, RveGeometry) else geometry.electrode_thickness
