"""Geometry: Gmsh builders per geometry family, mesh import, and named regions and surfaces."""

from __future__ import annotations

from mpi4py import MPI

import gmsh
from dolfinx.io import gmsh as gmshio

import femsi.compat  # noqa: F401
from femsi.config.schema import ElectrodeGeometry, FilmGeometry, MeshFileGeometry, RveGeometry
from femsi.cracks.mesh_layouts import builtin_front_layout
from femsi.cracks.surfaces import split_discs
from femsi.errors import InputError
from femsi.geometry.film import build_film
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.mesh_file import read_mesh_file
from femsi.geometry.model import MeshModel, ghosted_partitioner
from femsi.geometry.packed_mesh import build_packed_mesh
from femsi.geometry.sections import build_section
from femsi.geometry.spheres import build_spherical

__all__ = ["MeshModel", "build_mesh"]

#: Geometry fields that are lengths (scaled together when meshing). Packed geometries
#: (``electrode``, ``rve``) scale their packing by the mean radius themselves.
LENGTH_FIELDS = (
    "radius",
    "coating_thickness",
    "inner_radius",
    "matrix_size",
    "mesh_size",
    "surface_mesh_size",
    "matrix_mesh_size",
)


def build_mesh(
    geometry, comm: MPI.Comm = MPI.COMM_WORLD, cracks=(), tagged=(), plastic_regions=()
) -> MeshModel:
    """Build (Gmsh, on rank 0) or read the mesh of a geometry section and distribute it.

    Args:
        geometry: A validated ``geometry`` section.
        comm: Communicator to distribute the mesh over.
        cracks: Layouts of built-in cracks (:func:`femsi.cracks.config_layouts.crack_layouts`).
        tagged: (index, config entry) of ``tagged`` cracks of a mesh file.
        plastic_regions: Regions that flow (no tagged crack may lie in one).

    Returns:
        The mesh with named regions, surfaces, boundary roles and cracks.
    """
    if isinstance(geometry, MeshFileGeometry):
        return read_mesh_file(geometry, comm, tuple(tagged), tuple(plastic_regions))
    if isinstance(geometry, FilmGeometry):
        if cracks:
            # Imported here: the crack package's builders import femsi.geometry themselves.
            from femsi.cracks.channel_film import build_channel_film

            return build_channel_film(geometry, cracks[0], comm)
        return build_film(geometry, comm)
    if isinstance(geometry, ElectrodeGeometry | RveGeometry):
        return build_packed_mesh(geometry, comm)
    # OpenCASCADE works with absolute tolerances near 1e-7: build in units of the radius.
    scale = geometry.radius
    scaled = geometry.model_copy(
        update={
            name: getattr(geometry, name) / scale
            for name in LENGTH_FIELDS
            if getattr(geometry, name, None) is not None
        }
    )
    if getattr(geometry, "dimension", 3) == 2:
        return build_section(geometry, scaled, comm, tuple(cracks))
    with gmsh_session(geometry.type):
        regions = surfaces = roles = found = error = None
        if comm.rank == 0:
            scaled_cracks = [c.scaled(scale) for c in cracks]
            regions, surfaces, roles = build_spherical(scaled, scaled_cracks)
            gmsh.option.setNumber("Mesh.Algorithm3D", 1)
            gmsh.option.setNumber("Mesh.Optimize", 1)
            gmsh.model.mesh.generate(3)
            try:
                found = split_discs(roles["cracks"], cracks, surfaces)
            except InputError as err:
                error = err
        regions, surfaces, roles, found, error = comm.bcast(
            (regions, surfaces, roles, found, error), root=0
        )
        if error is not None:
            raise error
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=3, partitioner=ghosted_partitioner())
    data.mesh.geometry.x[:] *= scale
    octant = geometry.symmetry == "octant"
    symmetry = {i: f"symmetry_{'xyz'[i]}" for i in range(3)} if octant else {}
    model = MeshModel.of_particle(
        geometry, data, regions, surfaces, roles, symmetry, 8.0 if octant else 1.0
    )
    model.cracks = [
        builtin_front_layout(layout, surface.fronts, surface.facts, scale)
        for layout, surface in zip(cracks, found, strict=True)
    ]
    return model
