"""Mesh one particle of the spherical family, in 3D or as a 2D section, with its cracks (Gmsh).

``sphere``, ``core_shell``, ``hollow_sphere`` and ``particle_in_matrix`` are built by
:mod:`femsi.geometry.spheres` (3D) or :mod:`femsi.geometry.sections` (2D), in units of the
particle radius; 3D crack discs are split and their fronts found on the mesh
(:func:`femsi.cracks.surfaces.split_discs`).
"""

from __future__ import annotations

from mpi4py import MPI

import gmsh
from dolfinx.io import gmsh as gmshio

import femsi.compat  # noqa: F401
from femsi.cracks.mesh_layouts import builtin_front_layout
from femsi.cracks.surfaces import split_discs
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import MeshModel, ghosted_partitioner
from femsi.geometry.sections import build_section
from femsi.geometry.spheres import build_spherical
from femsi.parallel import on_rank0

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


def build_particle_mesh(geometry, comm: MPI.Comm = MPI.COMM_WORLD, cracks=()) -> MeshModel:
    """Build (Gmsh, on rank 0) the mesh of a particle and distribute it.

    Args:
        geometry: A validated ``geometry`` section of the spherical family.
        comm: Communicator to distribute the mesh over.
        cracks: Layouts of built-in cracks (:func:`femsi.cracks.config_layouts.crack_layouts`).

    Returns:
        The mesh with named regions, surfaces, boundary roles and cracks.
    """
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

        def mesh_particle():
            scaled_cracks = [c.scaled(scale) for c in cracks]
            regions, surfaces, roles = build_spherical(scaled, scaled_cracks)
            gmsh.option.setNumber("Mesh.Algorithm3D", 1)
            gmsh.option.setNumber("Mesh.Optimize", 1)
            gmsh.model.mesh.generate(3)
            found = split_discs(roles["cracks"], cracks, surfaces)
            return regions, surfaces, roles, found

        regions, surfaces, roles, found = on_rank0(
            comm, mesh_particle, "geometry", "meshing the particle"
        )
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
